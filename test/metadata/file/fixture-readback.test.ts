/**
 * The `mlruns` folder MLflow 3.11 wrote reads back, through the contract, exactly as MLflow's
 * own FileStore read it (`readback-mlruns.no-artifacts.json`): ids, names, times, stages,
 * params, tags, latest values, full metric histories, datasets and input tags. The fixture is
 * read in place and never written.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fs from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openMetadataStore, type MetadataStore } from '../../../src/index.js'
import { expectedReadback, readBack, type ReadbackDocument } from '../../support/readback.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const fixtures = path.resolve(repoRoot, '..', 'shared', 'mlflow-reference', 'fixtures')

describe('MLflow-written mlruns fixture', () => {
  let store: MetadataStore
  let actual: ReadbackDocument
  let expected: ReadbackDocument

  beforeAll(async () => {
    const json = await fs.readFile(path.join(fixtures, 'readback-mlruns.no-artifacts.json'), 'utf8')
    expected = expectedReadback(JSON.parse(json))
    store = await openMetadataStore(path.join(fixtures, 'mlruns'))
    actual = await readBack(store)
  })

  afterAll(async () => {
    await store?.close()
  })

  it('has the same experiments, ids and times included', () => {
    const summary = (doc: ReadbackDocument) =>
      doc.experiments.map(({ runs, ...experiment }) => ({ ...experiment, runCount: runs.length }))
    expect(summary(actual)).toEqual(summary(expected))
  })

  it('reads every run field by field', () => {
    for (const [index, experiment] of expected.experiments.entries()) {
      const runs = actual.experiments[index]?.runs ?? []
      expect(
        runs.map((run) => run.run_name),
        experiment.name,
      ).toEqual(experiment.runs.map((run) => run.run_name))
      for (const [runIndex, run] of experiment.runs.entries()) {
        const label = `${experiment.name}/${run.run_name}`
        const { metric_history: history, ...fields } = run
        const { metric_history: gotHistory, ...gotFields } = runs[runIndex] ?? run
        expect(gotFields, label).toEqual(fields)
        expect(gotHistory, `${label} history`).toEqual(history)
      }
    }
  })

  it('equals MLflow read-back as a whole', () => {
    expect(actual).toEqual(expected)
  })

  it('finds runs by id without knowing their experiment, deleted ones too', async () => {
    for (const experiment of expected.experiments) {
      for (const run of experiment.runs) {
        const got = await store.getRun(run.run_id)
        expect(got.info.experimentId).toBe(experiment.experiment_id)
        expect(got.info.lifecycleStage).toBe(run.lifecycle_stage)
      }
    }
  })

  it('searches the fixture with a filter and an order', async () => {
    const alpha = expected.experiments.find((e) => e.name === 'exp-alpha')!
    const page = await store.searchRuns({
      experimentIds: [alpha.experiment_id],
      filter: "metrics.loss < 1 AND params.optimizer = 'adam'",
      orderBy: ['metrics.m1 DESC'],
    })
    const want = alpha.runs
      .filter((run) => run.lifecycle_stage === 'active')
      .filter((run) => Number(run.latest_metrics.loss) < 1 && run.params.optimizer === 'adam')
      .sort((a, b) => Number(b.latest_metrics.m1) - Number(a.latest_metrics.m1))
      .map((run) => run.run_id)
    expect(want.length).toBeGreaterThan(0)
    expect(page.items.map((run) => run.info.runId)).toEqual(want)
  })
})
