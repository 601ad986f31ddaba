/** searchExperiments: FORMATS.md §6 and §8 items 18–24. Runs on its own fresh store. */
import { beforeAll, describe, expect, it } from 'vitest'
import type {
  Experiment,
  MetadataStore,
  Page,
  SearchExperimentsOptions,
} from '../../../src/index.js'
import { expectError, sleep, useStore, type StoreFactory } from './harness.js'

const NAMES = ['exp-a', 'exp-B', 'EXP-c', 'other-d', 'exp-e', 'exp-f', 'exp-g', 'exp-h', 'exp-i']
const DELETED = 'exp-j'

const compareIds = (a: string, b: string): number => {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** MLflow's default order: creation_time DESC, then experiment_id ASC. */
function defaultOrder(experiments: Experiment[]): string[] {
  return [...experiments]
    .sort(
      (a, b) =>
        (b.creationTime ?? 0) - (a.creationTime ?? 0) || compareIds(a.experimentId, b.experimentId),
    )
    .map((e) => e.name)
}

export function describeSearchExperiments(factory: StoreFactory): void {
  describe('searchExperiments', () => {
    const handle = useStore(factory)
    let active: Experiment[] = []

    beforeAll(async () => {
      const { store } = handle()
      for (const name of [...NAMES, DELETED]) {
        // Distinct creation times make the default order independent of tie-breaks.
        await sleep(3)
        const tags =
          name === 'exp-a'
            ? [
                { key: 'k e y', value: 'Value' },
                { key: 'team', value: 'ml' },
              ]
            : name === 'exp-B'
              ? [{ key: 'team', value: 'ML' }]
              : name === 'EXP-c'
                ? [{ key: 'k e y', value: 'other' }]
                : []
        await store.createExperiment(name, { tags })
      }
      const deleted = await store.getExperimentByName(DELETED)
      await store.deleteExperiment(deleted!.experimentId)
      active = (await store.searchExperiments({ maxResults: 100 })).items
    })

    const names = async (options: SearchExperimentsOptions): Promise<string[]> => {
      const page = await handle().store.searchExperiments(options)
      expect(page.nextPageToken).toBeNull()
      return page.items.map((e) => e.name)
    }
    const sorted = (list: string[]): string[] => [...list].sort()

    it('orders by creation_time DESC by default, Default last (item 18)', async () => {
      expect(active).toHaveLength(10)
      const expected = defaultOrder(active)
      expect(expected.at(-1)).toBe('Default')
      expect(active.map((e) => e.name)).toEqual(expected)
      expect(await names({ viewType: 'ALL' })).toEqual([DELETED, ...expected])
      expect(await names({ viewType: 'DELETED_ONLY' })).toEqual([DELETED])
    })

    it.each([
      ["name = 'exp-a'", ['exp-a']],
      ["attribute.name = 'exp-a'", ['exp-a']],
      ["attribute.`name` = 'exp-a'", ['exp-a']],
      ["name = 'EXP-A'", []],
      ["name LIKE 'exp-%'", ['exp-a', 'exp-B', 'exp-e', 'exp-f', 'exp-g', 'exp-h', 'exp-i']],
      ["name LIKE 'EXP-%'", ['EXP-c']],
      [
        "name ILIKE 'exp-%'",
        ['exp-a', 'exp-B', 'EXP-c', 'exp-e', 'exp-f', 'exp-g', 'exp-h', 'exp-i'],
      ],
      ["name LIKE '%-_' AND name != 'exp-a' AND name ILIKE '%b'", ['exp-B']],
      ["name LIKE 'exp-%' AND tags.team = 'ml'", ['exp-a']],
      ["tags.team ILIKE 'ml'", ['exp-a', 'exp-B']],
      ["tags.team LIKE 'm%'", ['exp-a']],
      ["tags.team != 'ml'", ['exp-B']],
      ["tag.`k e y` = 'Value'", ['exp-a']],
      ['tag."k e y" = \'Value\'', ['exp-a']],
      ["tags.`k e y` ILIKE 'value'", ['exp-a']],
      ['tags.`k e y` IS NOT NULL', ['exp-a', 'EXP-c']],
    ] as [string, string[]][])('filters %s (items 19, 21)', async (filter, expected) => {
      expect(sorted(await names({ filter }))).toEqual(sorted(expected))
    })

    it('filters with != and IS NULL across the whole store (items 19, 21)', async () => {
      const all = active.map((e) => e.name)
      expect(sorted(await names({ filter: "name != 'exp-a'" }))).toEqual(
        sorted(all.filter((n) => n !== 'exp-a')),
      )
      expect(sorted(await names({ filter: 'tags.`k e y` IS NULL' }))).toEqual(
        sorted(all.filter((n) => n !== 'exp-a' && n !== 'EXP-c')),
      )
    })

    it('filters on creation_time and last_update_time (item 20)', async () => {
      const pivot = active.find((e) => e.name === 'exp-e')!
      for (const key of ['creation_time', 'last_update_time'] as const) {
        const value = key === 'creation_time' ? pivot.creationTime! : pivot.lastUpdateTime!
        const read = (e: Experiment) =>
          key === 'creation_time' ? e.creationTime : e.lastUpdateTime
        const checks: [string, (v: number) => boolean][] = [
          ['=', (v) => v === value],
          ['!=', (v) => v !== value],
          ['<', (v) => v < value],
          ['<=', (v) => v <= value],
          ['>', (v) => v > value],
          ['>=', (v) => v >= value],
        ]
        for (const [op, keep] of checks) {
          const expected = active.filter((e) => read(e) !== null && keep(read(e)!))
          expect(sorted(await names({ filter: `${key} ${op} ${value}` })), `${key} ${op}`).toEqual(
            sorted(expected.map((e) => e.name)),
          )
        }
      }
    })

    it('refuses IS NULL on attributes and unknown keys (item 21)', async () => {
      const { store } = handle()
      for (const filter of ['name IS NULL', "attribute.owner = 'x'", "name = 'a' OR name = 'b'"]) {
        await expectError(store.searchExperiments({ filter }), 'INVALID_PARAMETER_VALUE')
      }
      // Unlike search_runs, search_experiments knows only `attribute`, `tag` and `tags`.
      await expectError(
        store.searchExperiments({ filter: "attributes.name = 'exp-a'" }),
        'INVALID_PARAMETER_VALUE',
        "Invalid entity type 'attributes'",
      )
    })

    it('orders by name, times and id (item 22)', async () => {
      const lower = active.filter((e) => /^exp-[a-z]$/.test(e.name))
      const filter = "name LIKE 'exp-%' AND name != 'exp-B'"
      const byName = lower.map((e) => e.name).sort()
      expect(await names({ filter, orderBy: ['name ASC'] })).toEqual(byName)
      expect(await names({ filter, orderBy: ['name DESC'] })).toEqual([...byName].reverse())
      const byCreation = [...lower].sort((a, b) => a.creationTime! - b.creationTime!)
      expect(await names({ filter, orderBy: ['creation_time ASC'] })).toEqual(
        byCreation.map((e) => e.name),
      )
      expect(await names({ filter, orderBy: ['creation_time DESC'] })).toEqual(
        byCreation.map((e) => e.name).reverse(),
      )
      expect(await names({ filter, orderBy: ['last_update_time'] })).toEqual(
        byCreation.map((e) => e.name),
      )
      const byId = [...active].sort((a, b) => compareIds(a.experimentId, b.experimentId))
      expect(await names({ orderBy: ['experiment_id DESC'] })).toEqual(
        byId.map((e) => e.name).reverse(),
      )
      await expectError(
        handle().store.searchExperiments({ orderBy: ['owner ASC'] }),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('bounds max_results (item 23)', async () => {
      const { store } = handle()
      await expectError(
        store.searchExperiments({ maxResults: 0 }),
        'INVALID_PARAMETER_VALUE',
        'must be a positive integer',
      )
      await expectError(
        store.searchExperiments({ maxResults: 1_000_000 }),
        'INVALID_PARAMETER_VALUE',
        'must be at most 50000',
      )
      expect((await store.searchExperiments({ maxResults: 50000 })).items).toHaveLength(10)
    })

    it('pages 4, 4, 2 over ten experiments (item 24)', async () => {
      const { store } = handle()
      const pages = await collect(store, { maxResults: 4 })
      expect(pages.map((page) => page.items.length)).toEqual([4, 4, 2])
      expect(pages.map((page) => page.nextPageToken !== null)).toEqual([true, true, false])
      expect(pages.flatMap((page) => page.items.map((e) => e.name))).toEqual(defaultOrder(active))
      const exact = await collect(store, { maxResults: 5 })
      expect(exact.map((page) => page.items.length)).toEqual([5, 5])
      await expectError(
        store.searchExperiments({ maxResults: 4, pageToken: 'invalid' }),
        'INVALID_PARAMETER_VALUE',
        'Invalid page token',
      )
    })
  })
}

async function collect(
  store: MetadataStore,
  options: SearchExperimentsOptions,
): Promise<Page<Experiment>[]> {
  const pages: Page<Experiment>[] = []
  let token: string | null = null
  do {
    const page: Page<Experiment> = await store.searchExperiments({ ...options, pageToken: token })
    pages.push(page)
    token = page.nextPageToken
  } while (token !== null && pages.length < 20)
  return pages
}
