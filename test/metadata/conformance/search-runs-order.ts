/**
 * searchRuns ordering, limits and pages: FORMATS.md §6 and §8 items 73–77.
 * NULL/NaN placement: ASC `-inf, -1000, 0, 1000, inf, nan, missing`; DESC `inf … -inf, nan,
 * missing`. SQL stores keep ±inf as ±max double, which sorts the same way.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { MetadataStore, Page, Run, SearchRunsOptions } from '../../../src/index.js'
import { createExperiment, expectError, pageToken, useStore, type StoreFactory } from './harness.js'

interface OrderRun {
  name: string
  x?: number
  startTime: number
  t?: string
  p?: string
  endTime?: number
}

const ORDER_RUNS: OrderRun[] = [
  { name: 'r-ninf', x: -Infinity, startTime: 1000, t: 'c', p: 'b', endTime: 9000 },
  { name: 'r-m1000', x: -1000, startTime: 2000 },
  { name: 'r-zero-a', x: 0, startTime: 3000, t: 'a', endTime: 7000 },
  { name: 'r-zero-b', x: 0, startTime: 4000 },
  { name: 'r-1000', x: 1000, startTime: 5000, t: 'b', p: 'a', endTime: 8000 },
  { name: 'r-inf', x: Infinity, startTime: 6000 },
  { name: 'r-nan', x: NaN, startTime: 7000 },
  { name: 'r-missing', startTime: 8000, endTime: 6000 },
]

/** Runs without the key, in the default order (start_time DESC). */
const TAIL_T = ['r-missing', 'r-nan', 'r-inf', 'r-zero-b', 'r-m1000']
const TAIL_P = ['r-missing', 'r-nan', 'r-inf', 'r-zero-b', 'r-zero-a', 'r-m1000']
const TAIL_END = ['r-nan', 'r-inf', 'r-zero-b', 'r-m1000']

const ORDER_CASES: [orderBy: string[], expected: string[]][] = [
  [
    ['metrics.x ASC'],
    ['r-ninf', 'r-m1000', 'r-zero-b', 'r-zero-a', 'r-1000', 'r-inf', 'r-nan', 'r-missing'],
  ],
  [
    ['metrics.x'],
    ['r-ninf', 'r-m1000', 'r-zero-b', 'r-zero-a', 'r-1000', 'r-inf', 'r-nan', 'r-missing'],
  ],
  [
    ['metrics.x DESC'],
    ['r-inf', 'r-1000', 'r-zero-b', 'r-zero-a', 'r-m1000', 'r-ninf', 'r-nan', 'r-missing'],
  ],
  [
    ['metric.`x` desc'],
    ['r-inf', 'r-1000', 'r-zero-b', 'r-zero-a', 'r-m1000', 'r-ninf', 'r-nan', 'r-missing'],
  ],
  [
    ['metrics.x ASC', 'attributes.start_time ASC'],
    ['r-ninf', 'r-m1000', 'r-zero-a', 'r-zero-b', 'r-1000', 'r-inf', 'r-nan', 'r-missing'],
  ],
  [['tags.t ASC'], ['r-zero-a', 'r-1000', 'r-ninf', ...TAIL_T]],
  [['tags.t DESC'], ['r-ninf', 'r-1000', 'r-zero-a', ...TAIL_T]],
  [['params.p ASC'], ['r-1000', 'r-ninf', ...TAIL_P]],
  [['params.p DESC'], ['r-ninf', 'r-1000', ...TAIL_P]],
  [['attributes.end_time ASC'], ['r-missing', 'r-zero-a', 'r-1000', 'r-ninf', ...TAIL_END]],
  [['attributes.end_time DESC'], ['r-ninf', 'r-1000', 'r-zero-a', 'r-missing', ...TAIL_END]],
  [
    ['attributes.end_time DESC', 'metrics.x ASC'],
    ['r-ninf', 'r-1000', 'r-zero-a', 'r-missing', 'r-m1000', 'r-zero-b', 'r-inf', 'r-nan'],
  ],
  [
    ['attributes.start_time ASC'],
    ['r-ninf', 'r-m1000', 'r-zero-a', 'r-zero-b', 'r-1000', 'r-inf', 'r-nan', 'r-missing'],
  ],
  [
    ['created ASC'],
    ['r-ninf', 'r-m1000', 'r-zero-a', 'r-zero-b', 'r-1000', 'r-inf', 'r-nan', 'r-missing'],
  ],
  [
    ['Created DESC'],
    ['r-missing', 'r-nan', 'r-inf', 'r-1000', 'r-zero-b', 'r-zero-a', 'r-m1000', 'r-ninf'],
  ],
  [
    ['attributes.run_name ASC'],
    ['r-1000', 'r-inf', 'r-m1000', 'r-missing', 'r-nan', 'r-ninf', 'r-zero-a', 'r-zero-b'],
  ],
  [
    ['attributes.run_name DESC'],
    ['r-zero-b', 'r-zero-a', 'r-ninf', 'r-nan', 'r-missing', 'r-m1000', 'r-inf', 'r-1000'],
  ],
]

async function collect(
  store: MetadataStore,
  options: SearchRunsOptions,
): Promise<{ pages: Page<Run>[]; ids: string[] }> {
  const pages: Page<Run>[] = []
  let token: string | null = null
  do {
    const page: Page<Run> = await store.searchRuns({ ...options, pageToken: token })
    pages.push(page)
    token = page.nextPageToken
  } while (token !== null && pages.length < 20)
  return { pages, ids: pages.flatMap((page) => page.items.map((run) => run.info.runId)) }
}

export function describeSearchRunsOrder(factory: StoreFactory): void {
  describe('searchRuns order_by', () => {
    const handle = useStore(factory)
    let experimentId = ''
    beforeAll(async () => {
      const { store } = handle()
      experimentId = await createExperiment(store, 'order')
      for (const spec of ORDER_RUNS) {
        const { runId } = (
          await store.createRun({ experimentId, runName: spec.name, startTime: spec.startTime })
        ).info
        await store.logBatch(runId, {
          metrics: spec.x === undefined ? [] : [{ key: 'x', value: spec.x, timestamp: 1 }],
          params: spec.p === undefined ? [] : [{ key: 'p', value: spec.p }],
          tags: spec.t === undefined ? [] : [{ key: 't', value: spec.t }],
        })
        if (spec.endTime !== undefined) {
          await store.updateRunInfo(runId, { status: 'FINISHED', endTime: spec.endTime })
        }
      }
    })

    it.each(ORDER_CASES)('%j (items 70, 75, 76)', async (orderBy, expected) => {
      const page = await handle().store.searchRuns({ experimentIds: [experimentId], orderBy })
      expect(page.items.map((run) => run.info.runName)).toEqual(expected)
    })

    it('refuses keys that cannot be ordered by', async () => {
      const { store } = handle()
      for (const orderBy of [
        'datasets.name ASC',
        'metrics.x SIDEWAYS',
        'attributes.experiment_id ASC',
        'metrics.x ASC extra',
      ]) {
        await expectError(
          store.searchRuns({ experimentIds: [experimentId], orderBy: [orderBy] }),
          'INVALID_PARAMETER_VALUE',
        )
      }
    })
  })

  describe('searchRuns limits and pages', () => {
    const handle = useStore(factory)

    it('orders by start_time DESC then run_id ASC and slices (item 73)', async () => {
      const { store } = handle()
      const experimentId = await createExperiment(store, 'default-order')
      const same: string[] = []
      for (let i = 0; i < 4; i++) {
        same.push((await store.createRun({ experimentId, startTime: 5000 })).info.runId)
      }
      const newest = (await store.createRun({ experimentId, startTime: 6000 })).info.runId
      const oldest = (await store.createRun({ experimentId, startTime: 10 })).info.runId
      const expected = [newest, ...[...same].sort(), oldest]
      const all = await store.searchRuns({ experimentIds: [experimentId] })
      expect(all.items.map((run) => run.info.runId)).toEqual(expected)
      expect(all.nextPageToken).toBeNull()
      for (const maxResults of [1, 2, 3, 5]) {
        const page = await store.searchRuns({ experimentIds: [experimentId], maxResults })
        expect(page.items.map((run) => run.info.runId)).toEqual(expected.slice(0, maxResults))
        expect(page.nextPageToken).not.toBeNull()
      }
    })

    it('bounds max_results (item 73)', async () => {
      const { store } = handle()
      const experimentId = await createExperiment(store, 'bounds')
      await store.createRun({ experimentId })
      await expectError(
        store.searchRuns({ experimentIds: [experimentId], maxResults: 50001 }),
        'INVALID_PARAMETER_VALUE',
        'must be at most 50000',
      )
      const page = await store.searchRuns({ experimentIds: [experimentId], maxResults: 50000 })
      expect(page.items).toHaveLength(1)
    })

    it('pages 4, 4, 2 and ends exactly on a full last page (item 74)', async () => {
      const { store } = handle()
      const experimentId = await createExperiment(store, 'pages')
      const ids: string[] = []
      for (let i = 0; i < 10; i++) {
        ids.push((await store.createRun({ experimentId, startTime: 1000 + i })).info.runId)
      }
      const expected = [...ids].reverse()
      const byFour = await collect(store, { experimentIds: [experimentId], maxResults: 4 })
      expect(byFour.pages.map((page) => page.items.length)).toEqual([4, 4, 2])
      expect(byFour.pages.map((page) => page.nextPageToken !== null)).toEqual([true, true, false])
      expect(byFour.ids).toEqual(expected)

      const byFive = await collect(store, { experimentIds: [experimentId], maxResults: 5 })
      expect(byFive.pages.map((page) => page.items.length)).toEqual([5, 5])
      expect(byFive.ids).toEqual(expected)
      const byTen = await store.searchRuns({ experimentIds: [experimentId], maxResults: 10 })
      expect(byTen.items).toHaveLength(10)
      expect(byTen.nextPageToken).toBeNull()
      const unbounded = await store.searchRuns({ experimentIds: [experimentId] })
      expect(unbounded.items.map((run) => run.info.runId)).toEqual(expected)
      expect(unbounded.nextPageToken).toBeNull()

      const fromToken = await store.searchRuns({
        experimentIds: [experimentId],
        maxResults: 3,
        pageToken: pageToken(7),
      })
      expect(fromToken.items.map((run) => run.info.runId)).toEqual(expected.slice(7))
      expect(fromToken.nextPageToken).toBeNull()

      const filtered = await collect(store, {
        experimentIds: [experimentId],
        maxResults: 2,
        filter: 'attributes.start_time >= 1005',
      })
      expect(filtered.ids).toEqual(expected.slice(0, 5))
      expect(filtered.pages.map((page) => page.items.length)).toEqual([2, 2, 1])

      for (const bad of ['invalid', Buffer.from('{"x": 1}').toString('base64')]) {
        await expectError(
          store.searchRuns({ experimentIds: [experimentId], pageToken: bad }),
          'INVALID_PARAMETER_VALUE',
          'Invalid page token',
        )
      }
    })

    it('returns the right counts over a large experiment (item 77)', async () => {
      const { store } = handle()
      const experimentId = await createExperiment(store, 'large')
      for (let i = 0; i < 120; i++) {
        const { runId } = (await store.createRun({ experimentId, startTime: i })).info
        await store.logBatch(runId, {
          metrics: [{ key: 'i', value: i, timestamp: 1 }],
          params: [{ key: 'parity', value: i % 2 === 0 ? 'even' : 'odd' }],
        })
      }
      const count = async (filter: string) =>
        (await collect(store, { experimentIds: [experimentId], filter, maxResults: 50 })).ids.length
      expect(await count('')).toBe(120)
      expect(await count('metrics.i >= 60')).toBe(60)
      expect(await count("params.parity = 'even'")).toBe(60)
      expect(await count("metrics.i >= 60 AND params.parity = 'even'")).toBe(30)
      expect(await count('metrics.i < 0')).toBe(0)
    })
  })
}
