/** logBatch: FORMATS.md §8 items 51, 56, 57, 61 and the §5 batch limits. */
import { describe, expect, it } from 'vitest'
import type { Metric } from '../../../src/index.js'
import {
  asRecord,
  createExperiment,
  createRun,
  expectError,
  useStore,
  type StoreFactory,
} from './harness.js'

export function describeLogBatch(factory: StoreFactory): void {
  describe('logBatch', () => {
    const handle = useStore(factory)
    let experimentId = ''
    const newRun = async (): Promise<string> => {
      const { store } = handle()
      if (experimentId === '') experimentId = await createExperiment(store, 'batch')
      return (await createRun(store, experimentId)).info.runId
    }

    it('writes metrics, params and tags together', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logBatch(runId, {
        metrics: [
          { key: 'm', value: 1, timestamp: 10, step: 0 },
          { key: 'm', value: 2, timestamp: 20, step: 1 },
        ],
        params: [{ key: 'p', value: 'x' }],
        tags: [{ key: 't', value: 'y' }],
      })
      const run = await store.getRun(runId)
      expect(run.data.metrics).toMatchObject([{ key: 'm', value: 2, step: 1, timestamp: 20 }])
      expect(run.data.params).toEqual([{ key: 'p', value: 'x' }])
      expect(asRecord(run.data.tags).t).toBe('y')
      expect((await store.getMetricHistory(runId, 'm')).items).toHaveLength(2)
    })

    it('is idempotent, lets the last tag win, takes an empty batch (item 61)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const batch = {
        params: [{ key: 'p', value: 'same' }],
        tags: [
          { key: 't', value: 'first' },
          { key: 't', value: 'second' },
        ],
      }
      await store.logBatch(runId, batch)
      await store.logBatch(runId, batch)
      await store.logBatch(runId, {})
      await store.logBatch(runId, { metrics: [], params: [], tags: [] })
      await store.logBatch(runId, { tags: [{ key: 't', value: 'third' }] })
      const run = await store.getRun(runId)
      expect(run.data.params).toEqual([{ key: 'p', value: 'same' }])
      expect(asRecord(run.data.tags).t).toBe('third')
    })

    it('refuses duplicate param keys and writes nothing (item 56)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await expectError(
        store.logBatch(runId, {
          metrics: [{ key: 'm', value: 1, timestamp: 1 }],
          params: [
            { key: 'a', value: '1' },
            { key: 'a', value: '2' },
          ],
          tags: [{ key: 't', value: 'v' }],
        }),
        'INVALID_PARAMETER_VALUE',
        'Duplicate parameter keys have been submitted',
      )
      await expectNothingWritten(runId)
    })

    it('refuses changing a param and writes nothing of that batch (item 57)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logParam(runId, { key: 'fixed', value: 'old' })
      await expectError(
        store.logBatch(runId, {
          metrics: [{ key: 'm', value: 1, timestamp: 1 }],
          params: [
            { key: 'fresh', value: 'new' },
            { key: 'fixed', value: 'changed' },
          ],
          tags: [{ key: 't', value: 'v' }],
        }),
        'INVALID_PARAMETER_VALUE',
        'Changing param values is not allowed',
      )
      const run = await store.getRun(runId)
      expect(run.data.params).toEqual([{ key: 'fixed', value: 'old' }])
      expect(run.data.metrics).toEqual([])
      expect(asRecord(run.data.tags).t).toBeUndefined()
      expect((await store.getMetricHistory(runId, 'm')).items).toEqual([])

      await store.logBatch(runId, {
        params: [
          { key: 'fixed', value: 'old' },
          { key: 'fresh', value: 'new' },
        ],
      })
      expect(asRecord((await store.getRun(runId)).data.params)).toEqual({
        fixed: 'old',
        fresh: 'new',
      })
    })

    it('writes nothing when one value is invalid', async () => {
      const { store } = handle()
      const runId = await newRun()
      await expectError(
        store.logBatch(runId, {
          metrics: [
            { key: 'm', value: 1, timestamp: 1 },
            { key: 'bad//key', value: 1, timestamp: 1 },
          ],
          params: [{ key: 'a', value: '1' }],
          tags: [{ key: 't', value: 'v' }],
        }),
        'INVALID_PARAMETER_VALUE',
      )
      await expectNothingWritten(runId)
      await expectError(
        store.logBatch(runId, {
          metrics: [{ key: 'm', value: null as unknown as number, timestamp: 1 }],
        }),
        'INVALID_PARAMETER_VALUE',
        'Missing value',
      )
      await expectNothingWritten(runId)
    })

    it('enforces the 1000 / 100 / 100 / 1000 limits (§5)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const metrics = (n: number): Metric[] =>
        Array.from({ length: n }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1 }))
      const kv = (prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: String(i) }))
      await expectError(
        store.logBatch(runId, { metrics: metrics(1001) }),
        'INVALID_PARAMETER_VALUE',
        'at most 1000 metrics',
      )
      await expectError(
        store.logBatch(runId, { params: kv('p', 101) }),
        'INVALID_PARAMETER_VALUE',
        'at most 100 params',
      )
      await expectError(
        store.logBatch(runId, { tags: kv('t', 101) }),
        'INVALID_PARAMETER_VALUE',
        'at most 100 tags',
      )
      await expectError(
        store.logBatch(runId, { metrics: metrics(950), params: kv('p', 51) }),
        'INVALID_PARAMETER_VALUE',
        'at most 1000',
      )
      await expectNothingWritten(runId)
    })

    it('takes 1000 metrics and re-logging them adds no rows (item 51)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const batch: Metric[] = Array.from({ length: 1000 }, (_, i) => ({
        key: `k${i % 150}`,
        value: i / 7,
        timestamp: 1_700_000_000_000 + i,
        step: Math.floor(i / 150),
      }))
      await store.logBatch(runId, { metrics: batch })
      await store.logBatch(runId, { metrics: batch })
      const run = await store.getRun(runId)
      expect(run.data.metrics).toHaveLength(150)
      const latest = run.data.metrics.find((m) => m.key === 'k0')
      expect(latest).toMatchObject({ step: 6, value: 900 / 7, timestamp: 1_700_000_000_900 })
      const history = await store.getMetricHistory(runId, 'k0')
      const perRun = store.capabilities.keepsDuplicateMetricRows ? 14 : 7
      expect(history.items).toHaveLength(perRun)
    })

    async function expectNothingWritten(runId: string): Promise<void> {
      const run = await handle().store.getRun(runId)
      expect(run.data.metrics).toEqual([])
      expect(run.data.params).toEqual([])
      expect(run.data.tags.map((t) => t.key)).toEqual(['mlflow.runName'])
    }
  })
}
