/**
 * What the mover promises besides equality: corrupt source entries (fail with path and reason,
 * leaving no half-copied run; or skip and list), id collisions reported and never overwritten,
 * remapped ids with a mapping file (also across an interrupted copy), preserved 18-digit ids on
 * PostgreSQL and MySQL, artifacts copied to a new root.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isTrackstoreError } from '../../../src/core/errors.js'
import { copyStore } from '../../../src/migrate/copy/index.js'
import {
  available,
  copy,
  emptyStore,
  generateFileStore,
  openTestStore,
  seededStore,
  verify,
  type TestStore,
} from './support.js'

const ALPHA = '413096871493188487'
const BETA = '848847921505723291'

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = []
  for await (const item of items) list.push(item)
  return list
}

describe('unreadable source entries', () => {
  let source: TestStore
  let broken: { meta: string; metric: string; metaRun: string; metricRun: string }
  const stores: TestStore[] = []

  beforeAll(async () => {
    source = await seededStore('file')
    stores.push(source)
    const runs = await collect(source.store.transfer.runs(BETA))
    const [first, second] = [runs[2]!.info.runId, runs[4]!.info.runId]
    broken = {
      metaRun: first,
      metricRun: second,
      meta: path.join(source.uri, BETA, first, 'meta.yaml'),
      metric: path.join(source.uri, BETA, second, 'metrics', 'loss'),
    }
    await writeFile(broken.meta, 'run_id: [unclosed\n')
    await appendFile(broken.metric, '1700000000000 0.5 3 extra\n')
  })
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
  })

  test('onError fail stops with the path and reason and leaves no half-copied run', async () => {
    const target = await emptyStore('sqlite')
    stores.push(target)
    const error = await copy(source, target).catch((caught: unknown) => caught)
    expect(isTrackstoreError(error)).toBe(true)
    expect((error as Error).message).toContain(broken.meta)
    const copied = await target.store.transfer.runIds(BETA)
    expect(copied.has(broken.metaRun)).toBe(false)
    expect(copied.has(broken.metricRun)).toBe(false)
  })

  test('a malformed metric line fails its run as a whole', async () => {
    // Only the metric file is broken in this source: the meta.yaml is restored.
    const fixture = await seededStore('file')
    stores.push(fixture)
    await appendFile(path.join(fixture.uri, BETA, broken.metricRun, 'metrics', 'loss'), '1 2 3 4\n')
    const target = await emptyStore('file')
    stores.push(target)
    const error = (await copy(fixture, target).catch((caught: unknown) => caught)) as Error
    expect(error.message).toMatch(/Metric 'loss' is malformed/)
    expect(error.message).toContain(path.join(BETA, broken.metricRun, 'metrics', 'loss'))
    expect((await target.store.transfer.runIds(BETA)).has(broken.metricRun)).toBe(false)
    // No temporary run folder is left behind either.
    const { readdir } = await import('node:fs/promises')
    const names = await readdir(path.join(target.uri, BETA))
    expect(names.filter((name) => name.startsWith('.'))).toEqual([])
  })

  test('onError skip copies the rest and lists what was skipped', async () => {
    const target = await emptyStore('sqlite')
    stores.push(target)
    const summary = await copy(source, target, { onError: 'skip' })
    expect(summary.runs).toMatchObject({ copied: 18, skipped: 2 })
    expect(summary.skipped.map((entry) => entry.id).sort()).toEqual(
      [broken.metaRun, broken.metricRun].sort(),
    )
    const reasons = summary.skipped.map((entry) => `${entry.location} ${entry.reason}`).join('\n')
    expect(reasons).toContain(broken.meta)
    expect(reasons).toMatch(/Metric 'loss' is malformed/)
  })
})

describe('collisions', () => {
  const stores: TestStore[] = []
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
  })

  test('a taken experiment name or run id is reported, never overwritten', async () => {
    const source = await seededStore('file')
    const target = await emptyStore('file')
    stores.push(source, target)
    const runs = await collect(source.store.transfer.runs(ALPHA))
    const taken = runs[0]!.info.runId
    // The destination holds another experiment named exp-beta, and alpha's first run id
    // in an experiment of its own.
    await target.store.transfer.putExperiment({
      experimentId: '111111111111111111',
      name: 'exp-beta',
      artifactLocation: '/elsewhere',
      lifecycleStage: 'active',
      creationTime: 1,
      lastUpdateTime: 1,
      tags: [],
    })
    await target.store.transfer.putExperiment({
      experimentId: '222222222222222222',
      name: 'holder',
      artifactLocation: '/elsewhere',
      lifecycleStage: 'active',
      creationTime: 1,
      lastUpdateTime: 1,
      tags: [],
    })
    await target.store.transfer.putRun({
      info: { ...runs[0]!.info, experimentId: '222222222222222222', runName: 'mine' },
      params: [],
      tags: [],
      datasetInputs: [],
      metrics: (async function* () {})(),
    })

    await expect(copy(source, target)).rejects.toThrow(/--merge/)
    const summary = await copy(source, target, { merge: true })
    expect(summary.collisions.map((c) => `${c.kind} ${c.id}`).sort()).toEqual(
      [`experiment ${BETA}`, `run ${taken}`].sort(),
    )
    expect(summary.experiments.collided).toBe(1)
    expect(summary.runs.collided).toBe(1)
    const holder = await collect(target.store.transfer.runs('222222222222222222'))
    expect(holder.map((run) => run.info.runName)).toEqual(['mine'])
  })
})

describe('id strategy remap', () => {
  const stores: TestStore[] = []
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-remap-'))
  })
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
    await rm(dir, { recursive: true, force: true })
  })

  test('new ids, a mapping file, rewritten locations, the same ids on resume', async () => {
    const source = await seededStore('file')
    const target = await emptyStore('sqlite')
    stores.push(source, target)
    const mappingFile = path.join(dir, 'map.json')
    let seen = 0
    const interrupted = await copy(source, target, {
      idStrategy: 'remap',
      mappingFile,
      onProgress: (progress) => {
        seen = progress.runs.done
        if (seen === 12) throw new Error('interrupted')
      },
    }).catch((error: unknown) => error)
    expect((interrupted as Error).message).toBe('interrupted')

    const summary = await copy(source, target, { idStrategy: 'remap', mappingFile })
    expect(summary.resumed).toBe(true)
    expect(summary.runs.existing + summary.runs.copied).toBe(20)
    const mapping = JSON.parse(await readFile(mappingFile, 'utf8'))
    expect(Object.keys(mapping).sort()).toEqual([ALPHA, '824162680871538473', BETA].sort())
    expect(Object.values(mapping).sort()).toEqual(['1', '2', '3'])

    const experiments = await collect(target.store.transfer.experiments())
    expect(experiments.map((e) => e.experimentId)).toEqual(['0', '1', '2', '3'])
    const alpha = experiments.find((e) => e.name === 'exp-alpha')!
    expect(alpha.experimentId).toBe(mapping[ALPHA])
    expect(alpha.artifactLocation).toBe(
      `file:///srv/mlflow-fixtures/public/mlruns/${mapping[ALPHA]}`,
    )

    const report = await verify(source, target, {
      experimentIdMap: mapping,
      compareLocations: false,
    })
    expect(report.differences).toEqual([])
    expect(report.runs).toBe(20)
  })
})

for (const backend of ['postgresql', 'mysql'] as const) {
  describe.skipIf(!available[backend])(`18-digit ids into ${backend}`, () => {
    const stores: TestStore[] = []
    afterAll(async () => {
      await Promise.all(stores.map((store) => store.drop()))
    })

    test('are refused with an explanation unless the id columns may be widened', async () => {
      const source = await seededStore('file')
      const target = await emptyStore(backend)
      stores.push(source, target)
      expect(await target.store.transfer.maxExperimentId()).toBe(2_147_483_647n)
      const refused = copyStore(source.store.transfer, target.store.transfer, {
        sourceLabel: source.uri,
      })
      await expect(refused).rejects.toThrow(/widen-experiment-ids.*--id-strategy remap/s)

      const summary = await copy(source, target)
      expect(summary.widenedExperimentIds).toBe(true)
      expect(await target.store.transfer.maxExperimentId()).toBe(9_223_372_036_854_775_807n)
      const ids = (await collect(target.store.transfer.experiments())).map((e) => e.experimentId)
      expect(ids).toEqual(['0', '413096871493188487', '824162680871538473', BETA])
      expect((await verify(source, target)).differences).toEqual([])
    })
  })
}

describe('artifacts', () => {
  const stores: TestStore[] = []
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-artifacts-'))
  })
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
    await rm(dir, { recursive: true, force: true })
  })

  test('--artifacts-to copies every run and points experiments and runs there', async () => {
    const root = path.join(dir, 'mlruns')
    await generateFileStore(root, {
      experiments: 2,
      runsPerExperiment: 3,
      metrics: 2,
      steps: 5,
      artifacts: true,
    })
    const source = await openTestStore(root)
    const target = await emptyStore('sqlite')
    stores.push(source, target)
    const artifactsTo = path.join(dir, 'artifacts')
    const summary = await copy(source, target, { artifactsTo })
    expect(summary.artifacts).toEqual({ files: 12, bytes: 6 * (2048 + 44) })

    for (const experiment of await collect(target.store.transfer.experiments())) {
      if (experiment.experimentId === '0') continue
      expect(experiment.artifactLocation).toBe(path.join(artifactsTo, experiment.experimentId))
      for (const run of await collect(target.store.transfer.runs(experiment.experimentId))) {
        const expected = path.join(
          artifactsTo,
          experiment.experimentId,
          run.info.runId,
          'artifacts',
        )
        expect(run.info.artifactUri).toBe(expected)
        expect(existsSync(path.join(expected, 'sub', 'data.bin'))).toBe(true)
      }
    }
    const report = await verify(source, target, { artifacts: true, compareLocations: false })
    expect(report.differences).toEqual([])
    expect(report.artifacts).toEqual({ files: 12, bytes: 6 * (2048 + 44) })
    expect(report.tolerated.duplicateRows).toBe(6 * 2)

    // A changed artifact byte is a difference.
    const experiments = await collect(target.store.transfer.experiments())
    const some = experiments.find((e) => e.experimentId !== '0')!
    const first = (await collect(target.store.transfer.runs(some.experimentId)))[0]!
    await writeFile(path.join(first.info.artifactUri, 'hello.txt'), 'changed\n')
    const changed = await verify(source, target, { artifacts: true, compareLocations: false })
    expect(changed.differences.map((d) => d.what)).toEqual(['artifact hello.txt'])
  })
})
