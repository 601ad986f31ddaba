/** Metrics and metric history: FORMATS.md §8 items 42–45, 47–50 and §5 key rules. */
import { describe, expect, it } from 'vitest'
import type { MetadataStore, StoredMetric } from '../../../src/index.js'
import {
  createExperiment,
  createRun,
  expectError,
  storedValue,
  useStore,
  type StoreFactory,
} from './harness.js'

const triple = (m: StoredMetric): [number, number, number] => [m.step, m.timestamp, m.value]

export function describeMetrics(factory: StoreFactory): void {
  describe('metrics', () => {
    const handle = useStore(factory)
    let experimentId = ''
    const newRun = async (): Promise<string> => {
      const { store } = handle()
      if (experimentId === '') experimentId = await createExperiment(store, 'metrics')
      return (await createRun(store, experimentId)).info.runId
    }

    it('keeps the max of (step, timestamp, value) as the latest value (item 42)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const logged: [number, number, number][] = [
        [2, 100, 1.5],
        [1, 500, 9],
        [2, 100, 0.5],
        [-5, 900, 100],
        [2, 90, 7],
      ]
      for (const [step, timestamp, value] of logged) {
        await store.logMetric(runId, { key: 'loss', value, timestamp, step })
      }
      await store.logMetric(runId, { key: 'loss', value: 1.5, timestamp: 100, step: 2 })
      const run = await store.getRun(runId)
      expect(run.data.metrics).toHaveLength(1)
      expect(run.data.metrics[0]).toMatchObject({
        key: 'loss',
        value: 1.5,
        timestamp: 100,
        step: 2,
      })

      const history = (await store.getMetricHistory(runId, 'loss')).items
      const expected = [...logged]
      if (store.capabilities.keepsDuplicateMetricRows) expected.push([2, 100, 1.5])
      expect(sortTriples(history.map(triple))).toEqual(sortTriples(expected))
      for (const metric of history) expect(metric.key).toBe('loss')
    })

    it('defaults the step to 0 and keeps large steps and timestamps exact', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logMetric(runId, { key: 'no_step', value: 3, timestamp: 1_700_000_000_001 })
      await store.logMetric(runId, { key: 'big', value: 1, timestamp: 2 ** 41, step: 2 ** 40 })
      const metrics = (await store.getRun(runId)).data.metrics
      expect(metrics.map((m) => [m.key, m.step, m.timestamp, m.value])).toEqual([
        ['big', 2 ** 40, 2 ** 41, 1],
        ['no_step', 0, 1_700_000_000_001, 3],
      ])
    })

    it('validates values, timestamps and keys (item 43, §5)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await expectError(
        store.logMetric(runId, { key: 'm', value: 'string' as unknown as number, timestamp: 1 }),
        'INVALID_PARAMETER_VALUE',
        /invalid value/i,
      )
      await expectError(
        store.logMetric(runId, { key: 'm', value: true as unknown as number, timestamp: 1 }),
        'INVALID_PARAMETER_VALUE',
      )
      await expectError(
        store.logMetric(runId, { key: 'm', value: null as unknown as number, timestamp: 1 }),
        'INVALID_PARAMETER_VALUE',
        "Missing value for required parameter 'value'",
      )
      await expectError(
        store.logMetric(runId, { key: 'm', value: 1, timestamp: -1 }),
        'INVALID_PARAMETER_VALUE',
      )
      for (const key of ['', 'a//b', './a', 'a/', '/a', '..', 'bad*char', 'x'.repeat(251)]) {
        await expectError(
          store.logMetric(runId, { key, value: 1, timestamp: 1 }),
          'INVALID_PARAMETER_VALUE',
        )
      }
      await expectError(
        store.logMetric(runId, { key: 'semi;colon', value: 1, timestamp: 1 }),
        'INVALID_PARAMETER_VALUE',
        'Names may only contain alphanumerics',
      )
      expect((await store.getRun(runId)).data.metrics).toEqual([])
      await store.logMetric(runId, { key: 'k'.repeat(250), value: 1, timestamp: 1 })
      expect((await store.getRun(runId)).data.metrics.map((m) => m.key)).toEqual(['k'.repeat(250)])
    })

    it('stores NaN and ±Infinity as the capabilities say (item 44)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logMetric(runId, { key: 'x', value: 1, timestamp: 1 })
      await store.logMetric(runId, { key: 'x', value: 2, timestamp: 2 })
      await store.logMetric(runId, { key: 'nan', value: NaN, timestamp: 1 })
      await store.logMetric(runId, { key: 'pinf', value: Infinity, timestamp: 1 })
      await store.logMetric(runId, { key: 'ninf', value: -Infinity, timestamp: 1 })
      await store.logMetric(runId, { key: 'negzero', value: -0, timestamp: 1 })
      await store.logMetric(runId, { key: 'tiny', value: 1e-300, timestamp: 1 })
      const latest = Object.fromEntries(
        (await store.getRun(runId)).data.metrics.map((m) => [m.key, m.value]),
      )
      expect(Object.keys(latest)).toEqual(['nan', 'negzero', 'ninf', 'pinf', 'tiny', 'x'])
      expect(latest.nan).toBeNaN()
      expect(Object.is(latest.pinf, storedValue(store, Infinity))).toBe(true)
      expect(Object.is(latest.ninf, storedValue(store, -Infinity))).toBe(true)
      expect(Object.is(latest.negzero, storedValue(store, -0))).toBe(true)
      expect(latest.tiny).toBe(1e-300)
      expect(latest.x).toBe(2)

      let rows = 0
      for (const key of ['x', 'nan', 'pinf', 'ninf']) {
        rows += (await store.getMetricHistory(runId, key)).items.length
      }
      expect(rows).toBe(5)
      const nanHistory = (await store.getMetricHistory(runId, 'nan')).items
      expect(nanHistory[0]?.value).toBeNaN()
      const pinfHistory = (await store.getMetricHistory(runId, 'pinf')).items
      expect(pinfHistory[0]?.value).toBe(storedValue(store, Infinity))
    })

    it('round-trips names with spaces and slashes (item 45)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const key = 'this is/a weird/but valid metric'
      await store.logMetric(runId, { key, value: 0.25, timestamp: 5, step: 1 })
      expect((await store.getRun(runId)).data.metrics.map((m) => m.key)).toEqual([key])
      expect((await store.getMetricHistory(runId, key)).items.map(triple)).toEqual([[1, 5, 0.25]])
    })

    it('answers an empty page for an unknown key (item 47)', async () => {
      const { store } = handle()
      const runId = await newRun()
      expect(await store.getMetricHistory(runId, 'never-logged')).toEqual({
        items: [],
        nextPageToken: null,
      })
    })

    it('limits and pages the history (items 48, 49)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await logTen(store, runId)
      const firstThree = await store.getMetricHistory(runId, 'h', { maxResults: 3 })
      expect(firstThree.items.map((m) => m.value)).toEqual([0, 1, 2])
      const none = await store.getMetricHistory(runId, 'h', { maxResults: 0 })
      expect(none.items).toEqual([])
      const many = await store.getMetricHistory(runId, 'h', { maxResults: 100 })
      expect(many.items.map((m) => m.value)).toEqual(range(10))
      expect(many.nextPageToken).toBeNull()
      const all = await store.getMetricHistory(runId, 'h')
      expect(all.items.map((m) => m.value)).toEqual(range(10))
      expect(all.nextPageToken).toBeNull()

      const values: number[] = []
      const tokens: (string | null)[] = []
      let token: string | null = null
      do {
        const page: Awaited<ReturnType<MetadataStore['getMetricHistory']>> =
          await store.getMetricHistory(runId, 'h', { maxResults: 4, pageToken: token })
        values.push(...page.items.map((m) => m.value))
        tokens.push(page.nextPageToken)
        token = page.nextPageToken
      } while (token !== null && tokens.length < 5)
      expect(tokens.map((t) => t !== null)).toEqual([true, true, false])
      expect(values).toEqual(range(10))

      await expectError(
        store.getMetricHistory(runId, 'h', { maxResults: 4, pageToken: 'invalid_token' }),
        'INVALID_PARAMETER_VALUE',
        'Invalid page token',
      )
    })

    it('takes concurrent writes to one run (item 50)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await Promise.all(
        range(40).map((i) =>
          store.logMetric(runId, { key: `c${i % 4}`, value: i, timestamp: 1000 + i, step: i }),
        ),
      )
      const metrics = (await store.getRun(runId)).data.metrics
      expect(metrics.map((m) => [m.key, m.value])).toEqual([
        ['c0', 36],
        ['c1', 37],
        ['c2', 38],
        ['c3', 39],
      ])
      for (let k = 0; k < 4; k++) {
        const history = await store.getMetricHistory(runId, `c${k}`)
        expect(history.items).toHaveLength(10)
      }
    })
  })
}

async function logTen(store: MetadataStore, runId: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await store.logMetric(runId, { key: 'h', value: i, timestamp: 1000 + i, step: i })
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

function sortTriples(rows: [number, number, number][]): [number, number, number][] {
  return [...rows].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
}
