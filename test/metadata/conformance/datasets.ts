/** Dataset inputs: FORMATS.md §8 items 78, 79, 81, 82 and the §5 dataset limits. */
import { describe, expect, it } from 'vitest'
import type { Dataset, DatasetInput, Run } from '../../../src/index.js'
import { createExperiment, createRun, expectError, useStore, type StoreFactory } from './harness.js'

const CONTEXT = 'mlflow.data.context'

const IRIS: Dataset = {
  name: 'iris',
  digest: 'abc123',
  sourceType: 'local',
  source: '{"uri": "/data/iris.csv"}',
  schema: '{"mlflow_colspec": [{"type": "double", "name": "x"}]}',
  profile: '{"num_rows": 150}',
}
const EVAL: Dataset = {
  name: 'iris-eval',
  digest: 'def456',
  sourceType: 'local',
  source: '{"uri": "/data/iris_eval.csv"}',
}

/** Inputs in a stable order, with absent schema/profile as null. */
function normalise(run: Run): DatasetInput[] {
  return run.inputs.datasetInputs
    .map((input) => ({
      dataset: { ...input.dataset, schema: input.dataset.schema ?? null },
      tags: input.tags,
    }))
    .map((input) => ({
      ...input,
      dataset: { ...input.dataset, profile: input.dataset.profile ?? null },
    }))
    .sort((a, b) =>
      `${a.dataset.name}\u0000${a.dataset.digest}` < `${b.dataset.name}\u0000${b.dataset.digest}`
        ? -1
        : 1,
    )
}

const expected = (dataset: Dataset, context: string): DatasetInput => ({
  dataset: { ...dataset, schema: dataset.schema ?? null, profile: dataset.profile ?? null },
  tags: [{ key: CONTEXT, value: context }],
})

export function describeDatasets(factory: StoreFactory): void {
  describe('dataset inputs', () => {
    const handle = useStore(factory)
    let experimentId = ''
    const newRun = async (): Promise<string> => {
      const { store } = handle()
      if (experimentId === '') experimentId = await createExperiment(store, 'datasets')
      return (await createRun(store, experimentId)).info.runId
    }

    it('returns logged inputs from getRun and searchRuns (item 78)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logInputs(runId, [
        { dataset: IRIS, tags: [{ key: CONTEXT, value: 'training' }] },
        { dataset: EVAL, tags: [{ key: CONTEXT, value: 'eval' }] },
      ])
      const want = [expected(IRIS, 'training'), expected(EVAL, 'eval')]
      expect(normalise(await store.getRun(runId))).toEqual(want)
      const found = await store.searchRuns({
        experimentIds: [experimentId],
        filter: `attributes.run_id = '${runId}'`,
      })
      expect(found.items).toHaveLength(1)
      expect(normalise(found.items[0]!)).toEqual(want)
    })

    it('keeps the first logging of a (name, digest) per run (item 79)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logInputs(runId, [{ dataset: IRIS, tags: [{ key: CONTEXT, value: 'training' }] }])
      await store.logInputs(runId, [
        {
          dataset: { ...IRIS, source: '{"uri": "elsewhere"}', profile: '{}' },
          tags: [
            { key: CONTEXT, value: 'changed' },
            { key: 'extra', value: 'x' },
          ],
        },
      ])
      expect(normalise(await store.getRun(runId))).toEqual([expected(IRIS, 'training')])

      const otherDigest = { ...IRIS, digest: 'other1' }
      const otherName = { ...IRIS, name: 'iris-2' }
      await store.logInputs(runId, [
        { dataset: otherDigest, tags: [{ key: CONTEXT, value: 'training' }] },
        { dataset: otherName, tags: [{ key: CONTEXT, value: 'training' }] },
      ])
      expect(normalise(await store.getRun(runId))).toEqual([
        expected(IRIS, 'training'),
        expected(otherDigest, 'training'),
        expected(otherName, 'training'),
      ])

      const second = await newRun()
      await store.logInputs(second, [{ dataset: IRIS, tags: [{ key: CONTEXT, value: 'test' }] }])
      expect(normalise(await store.getRun(second))).toEqual([expected(IRIS, 'test')])
      expect(normalise(await store.getRun(runId))[0]).toEqual(expected(IRIS, 'training'))
    })

    it('treats missing or empty datasets as a no-op (item 81)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logInputs(runId)
      await store.logInputs(runId, undefined)
      await store.logInputs(runId, [])
      expect((await store.getRun(runId)).inputs.datasetInputs).toEqual([])
    })

    it('collapses duplicates within one call and takes inputs without tags (item 82)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const input = { dataset: EVAL, tags: [{ key: CONTEXT, value: 'eval' }] }
      await store.logInputs(runId, [input, input])
      expect(normalise(await store.getRun(runId))).toEqual([expected(EVAL, 'eval')])
      const bare = await newRun()
      await store.logInputs(bare, [{ dataset: EVAL, tags: [] }])
      expect(normalise(await store.getRun(bare))).toEqual([{ ...expected(EVAL, ''), tags: [] }])
    })

    it('checks input tag limits and required dataset fields (item 82, §5)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const withTag = (key: string, value: string): DatasetInput[] => [
        { dataset: { ...EVAL, digest: `d${key.length}-${value.length}` }, tags: [{ key, value }] },
      ]
      await store.logInputs(runId, withTag('k'.repeat(255), 'v'))
      await store.logInputs(runId, withTag('k', 'v'.repeat(500)))
      expect((await store.getRun(runId)).inputs.datasetInputs).toHaveLength(2)

      const failures: DatasetInput[][] = [
        withTag('k'.repeat(256), 'v'),
        withTag('k', 'v'.repeat(501)),
        [{ dataset: { ...EVAL, name: undefined as unknown as string }, tags: [] }],
        [{ dataset: { ...EVAL, digest: undefined as unknown as string }, tags: [] }],
        [{ dataset: { ...EVAL, sourceType: undefined as unknown as string }, tags: [] }],
        [{ dataset: { ...EVAL, source: undefined as unknown as string }, tags: [] }],
        [{ dataset: { ...EVAL, name: 'n'.repeat(501) }, tags: [] }],
        [{ dataset: { ...EVAL, digest: 'd'.repeat(37) }, tags: [] }],
      ]
      for (const datasets of failures) {
        await expectError(store.logInputs(runId, datasets), 'INVALID_PARAMETER_VALUE')
      }
      expect((await store.getRun(runId)).inputs.datasetInputs).toHaveLength(2)
    })
  })
}
