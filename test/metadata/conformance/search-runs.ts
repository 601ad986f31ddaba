/**
 * searchRuns filters: FORMATS.md §6 and §8 items 63–72. Every identifier form and comparator
 * is run against real data; results are compared in the default order (start_time DESC).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { MetadataStore, ViewType } from '../../../src/index.js'
import { createExperiment, expectError, useStore, type StoreFactory } from './harness.js'

/** Run names of the fixture, newest first (the default order). */
const GONE = 'deleted-run'
const THREE = 'Gamma'
const TWO = 'beta-two'
const ONE = 'alpha-one'

interface Fixture {
  experimentId: string
  /** `{one}`, `{two}`, `{uri1}`… substituted into filters. */
  vars: Record<string, string>
}

async function buildFixture(store: MetadataStore): Promise<Fixture> {
  const experimentId = await createExperiment(store, 'search-runs')
  const one = await store.createRun({
    experimentId,
    runName: ONE,
    startTime: 1000,
    userId: 'alice',
    tags: [
      { key: 'generic', value: 'Other value' },
      { key: 't_a', value: 'xyz' },
      { key: 'with space', value: 'yes' },
    ],
  })
  const oneId = one.info.runId
  await store.logBatch(oneId, {
    params: [
      { key: 'p_a', value: 'abc' },
      { key: 'p_b', value: 'ABC' },
    ],
    metrics: [
      { key: 'm', value: 5, timestamp: 1, step: 0 },
      { key: 'm', value: 1, timestamp: 2, step: 1 },
    ],
  })
  await store.updateRunInfo(oneId, { status: 'FINISHED', endTime: 5000 })
  await store.logInputs(oneId, [
    {
      dataset: { name: 'train-set', digest: 'd1', sourceType: 'local', source: '{"uri": "a"}' },
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
    },
  ])

  const two = await store.createRun({
    experimentId,
    runName: TWO,
    startTime: 2000,
    userId: 'bob',
    tags: [{ key: 'generic', value: 'other' }],
  })
  const twoId = two.info.runId
  await store.logParam(twoId, { key: 'p_b', value: 'abc' })
  await store.logMetric(twoId, { key: 'm', value: 3, timestamp: 1, step: 0 })
  await store.logInputs(twoId, [
    {
      dataset: { name: 'eval-set', digest: 'd2', sourceType: 'local', source: '{"uri": "b"}' },
      tags: [{ key: 'mlflow.data.context', value: 'eval' }],
    },
  ])

  const three = await store.createRun({
    experimentId,
    runName: THREE,
    startTime: 3000,
    userId: 'alice',
    tags: [{ key: 't_a', value: 'XYZ' }],
  })
  await store.logMetric(three.info.runId, { key: 'm2', value: 7, timestamp: 1 })
  await store.updateRunInfo(three.info.runId, { status: 'FAILED', endTime: 4000 })

  const gone = await store.createRun({
    experimentId,
    runName: GONE,
    startTime: 4000,
    userId: 'carol',
  })
  await store.logParam(gone.info.runId, { key: 'p_a', value: 'abc' })
  await store.deleteRun(gone.info.runId)

  return {
    experimentId,
    vars: {
      one: oneId,
      ONE: oneId.toUpperCase(),
      two: twoId,
      uri1: one.info.artifactUri,
      URI1: one.info.artifactUri.toUpperCase(),
    },
  }
}

type Case = [filter: string, expected: string[]]

const PARAM_CASES: Case[] = [
  ["params.p_a = 'abc'", [ONE]],
  ["params.p_a = 'ABC'", []],
  ["params.p_b = 'ABC'", [ONE]],
  ["params.p_b != 'ABC'", [TWO]],
  ["params.p_b LIKE '%bc'", [TWO]],
  ["params.p_b ILIKE '%bc'", [TWO, ONE]],
  ["params.p_b LIKE 'ab%'", [TWO]],
  ["params.p_b LIKE 'abc'", [TWO]],
  ["params.p_b LIKE 'a_c'", [TWO]],
  ["params.p_b LIKE 'b%'", []],
  ["params.p_b ILIKE 'AB_'", [TWO, ONE]],
  ["param.p_b = 'abc'", [TWO]],
  ["parameter.p_b = 'abc'", [TWO]],
  ["parameters.p_b = 'abc'", [TWO]],
  ["params.`p_b` = 'abc'", [TWO]],
  ['params."p_b" = \'abc\'', [TWO]],
  ['params.p_b = "abc"', [TWO]],
  ['params.p_a IS NULL', [THREE, TWO]],
  ['params.p_a IS NOT NULL', [ONE]],
  ["params.p_a = 'abc' and params.p_b = 'ABC'", [ONE]],
]

const TAG_CASES: Case[] = [
  ["tags.t_a = 'xyz'", [ONE]],
  ["tags.t_a = 'XYZ'", [THREE]],
  ["tag.t_a ILIKE 'XYZ'", [THREE, ONE]],
  ["tags.t_a != 'xyz'", [THREE]],
  ["tags.generic LIKE '%ther%'", [TWO, ONE]],
  ["tags.generic LIKE 'Other%'", [ONE]],
  ["tags.generic ILIKE 'other%' AND params.p_b = 'abc'", [TWO]],
  ["tags.`with space` = 'yes'", [ONE]],
  ['tags."with space" = \'yes\'', [ONE]],
  ["`tags`.t_a = 'xyz'", [ONE]],
  ['tags.t_a IS NULL', [TWO]],
  ['tags.t_a IS NOT NULL', [THREE, ONE]],
]

const METRIC_CASES: Case[] = [
  ['metrics.m = 1', [ONE]],
  ['metrics.m = 1.0', [ONE]],
  ['metrics.m > 4', []],
  ['metrics.m >= 1', [TWO, ONE]],
  ['metrics.m < 3', [ONE]],
  ['metrics.m <= 3', [TWO, ONE]],
  ['metrics.m != 1', [TWO]],
  ['metric.m > 2', [TWO]],
  ['metrics.m > 0 and metrics.m < 2', [ONE]],
  ['metrics.m > -1e3', [TWO, ONE]],
  ['metrics.`m2` >= 7', [THREE]],
  ['metrics."m" = 3', [TWO]],
]

const ATTRIBUTE_CASES: Case[] = [
  ["attributes.status = 'FINISHED'", [ONE]],
  ["status = 'FAILED'", [THREE]],
  ["attribute.status != 'RUNNING'", [THREE, ONE]],
  ["attributes.status LIKE 'FINI%'", [ONE]],
  ["attributes.status ILIKE 'fail%'", [THREE]],
  ["attr.user_id = 'alice'", [THREE, ONE]],
  ["run.user_id LIKE 'b%'", [TWO]],
  ["attributes.user_id ILIKE 'ALICE'", [THREE, ONE]],
  ["attributes.user_id = 'ALICE'", []],
  ["attributes.artifact_uri = '{uri1}'", [ONE]],
  ["attributes.artifact_uri = '{URI1}'", []],
  ["attributes.artifact_uri != '{uri1}'", [THREE, TWO]],
  ["attributes.artifact_uri LIKE '%{one}%'", [ONE]],
  ["attributes.artifact_uri LIKE '%{ONE}%'", []],
  ["attributes.artifact_uri ILIKE '%{ONE}%'", [ONE]],
  ["attributes.run_name = 'alpha-one'", [ONE]],
  ["attributes.`run name` = 'alpha-one'", [ONE]],
  ["attributes.`Run name` = 'alpha-one'", [ONE]],
  ["attributes.`Run Name` = 'alpha-one'", [ONE]],
  ["tags.`mlflow.runName` = 'alpha-one'", [ONE]],
  ["attributes.run_name != 'alpha-one'", [THREE, TWO]],
  ["attributes.run_name LIKE 'alpha%'", [ONE]],
  ["attributes.run_name LIKE 'gamma'", []],
  ["attributes.run_name ILIKE 'gamma'", [THREE]],
  ["attributes.run_id = '{one}'", [ONE]],
  ["attributes.run_id != '{one}'", [THREE, TWO]],
  ["attributes.run_id IN ('{one}')", [ONE]],
  ["attributes.run_id IN ('{one}','{two}')", [TWO, ONE]],
  ["attributes.run_id IN(  '{one}' ,   '{two}'  )", [TWO, ONE]],
  ["attributes.run_id NOT IN ('{one}')", [THREE, TWO]],
  ["attributes.run_id IN ('{one}') AND attributes.run_name = 'alpha-one'", [ONE]],
  ["attributes.run_id IN ('{one}') AND attributes.run_name = 'beta-two'", []],
  ['attributes.start_time = 2000', [TWO]],
  ['attributes.start_time != 2000', [THREE, ONE]],
  ['attributes.start_time > 1000', [THREE, TWO]],
  ['start_time <= 1000', [ONE]],
  ['attributes.created >= 2000', [THREE, TWO]],
  ['attributes.Created < 2000', [ONE]],
  ['created = 3000', [THREE]],
  ['attributes.end_time > 4500', [ONE]],
  ['attributes.end_time < 4500', [THREE]],
  ['attributes.end_time >= 0', [THREE, ONE]],
]

const DATASET_CASES: Case[] = [
  ["datasets.name = 'train-set'", [ONE]],
  ["datasets.name != 'train-set'", [TWO]],
  ["dataset.name = 'eval-set'", [TWO]],
  ["datasets.name LIKE 'train%'", [ONE]],
  ["datasets.name LIKE 'TRAIN%'", []],
  ["datasets.name ILIKE 'TRAIN%'", [ONE]],
  ["datasets.name IN ('train-set', 'eval-set')", [TWO, ONE]],
  ["datasets.digest IN ('d1','d2')", [TWO, ONE]],
  ["datasets.digest NOT IN ('d1')", [TWO]],
  ["datasets.digest = 'd2'", [TWO]],
  ["datasets.context = 'eval'", [TWO]],
  ["datasets.context IN ('training')", [ONE]],
  ["datasets.context ILIKE 'TRAIN%'", [ONE]],
  ["datasets.name = 'train-set' AND params.p_a = 'abc'", [ONE]],
  ["datasets.name = 'train-set' AND params.p_b = 'abc'", []],
]

const INVALID_FILTERS: [filter: string, fragment: string | RegExp][] = [
  ["attributes.experiment_id = '0'", 'Invalid attribute key'],
  ["attributes.lifecycle_stage = 'deleted'", 'Invalid attribute key'],
  ['metrics.m IS NULL', 'IS NULL / IS NOT NULL is only supported for tags and params'],
  ['attributes.status IS NOT NULL', 'IS NULL / IS NOT NULL is only supported for tags and params'],
  ["params.p_a = 'x' OR params.p_b = 'y'", /./],
  ["foo.bar = 'x'", /./],
  ["metrics.m = 'abc'", /./],
  ['params.p_a = 1', /./],
  ["attributes.status IN ('FINISHED')", /./],
  ["params.p_a = 'abc' AND", /./],
  ['params.p_a LIKE', /./],
  ["params.p_a >= 'abc'", /./],
  ["(params.p_a = 'abc')", /./],
]

export function describeSearchRunsFilters(factory: StoreFactory): void {
  describe('searchRuns filters', () => {
    const handle = useStore(factory)
    let fixture: Fixture
    beforeAll(async () => {
      fixture = await buildFixture(handle().store)
    })

    const search = async (filter: string, viewType?: ViewType): Promise<string[]> => {
      const text = filter.replace(/\{(\w+)\}/g, (_, name: string) => fixture.vars[name] ?? '?')
      const page = await handle().store.searchRuns({
        experimentIds: [fixture.experimentId],
        filter: text,
        ...(viewType ? { viewType } : {}),
      })
      expect(page.nextPageToken).toBeNull()
      return page.items.map((run) => run.info.runName)
    }

    it('selects by run_view_type (item 63)', async () => {
      expect(await search('')).toEqual([THREE, TWO, ONE])
      expect(await search('', 'ACTIVE_ONLY')).toEqual([THREE, TWO, ONE])
      expect(await search('', 'DELETED_ONLY')).toEqual([GONE])
      expect(await search('', 'ALL')).toEqual([GONE, THREE, TWO, ONE])
      expect(await search("params.p_a = 'abc'", 'ALL')).toEqual([GONE, ONE])
      expect(await search("params.p_a = 'abc'", 'DELETED_ONLY')).toEqual([GONE])
    })

    describe('params (item 64)', () => {
      it.each(PARAM_CASES)('%s', async (filter, expected) => {
        expect(await search(filter)).toEqual(expected)
      })
    })
    describe('tags (items 65, 72)', () => {
      it.each(TAG_CASES)('%s', async (filter, expected) => {
        expect(await search(filter)).toEqual(expected)
      })
    })
    describe('metrics against the latest value (item 66)', () => {
      it.each(METRIC_CASES)('%s', async (filter, expected) => {
        expect(await search(filter)).toEqual(expected)
      })
    })
    describe('attributes, run names, run ids and times (items 67–70)', () => {
      it.each(ATTRIBUTE_CASES)('%s', async (filter, expected) => {
        expect(await search(filter)).toEqual(expected)
      })
    })
    describe('datasets (item 71)', () => {
      it.each(DATASET_CASES)('%s', async (filter, expected) => {
        expect(await search(filter)).toEqual(expected)
      })
    })
    describe('invalid filters (items 67, 72)', () => {
      it.each(INVALID_FILTERS)('%s', async (filter, fragment) => {
        await expectError(
          handle().store.searchRuns({ experimentIds: [fixture.experimentId], filter }),
          'INVALID_PARAMETER_VALUE',
          fragment,
        )
      })
    })

    it('finds a run by its new name after a rename (item 68)', async () => {
      const { store } = handle()
      const experimentId = await createExperiment(store, 'search-rename')
      const { runId } = (await store.createRun({ experimentId, runName: 'before-rename' })).info
      const byName = async (filter: string) =>
        (await store.searchRuns({ experimentIds: [experimentId], filter })).items.map(
          (run) => run.info.runId,
        )
      await store.updateRunInfo(runId, { runName: 'renamed-once' })
      expect(await byName("attributes.run_name = 'renamed-once'")).toEqual([runId])
      expect(await byName("attributes.run_name = 'before-rename'")).toEqual([])
      await store.setTag(runId, { key: 'mlflow.runName', value: 'renamed-twice' })
      expect(await byName("attributes.`Run Name` = 'renamed-twice'")).toEqual([runId])
      expect(await byName("tags.`mlflow.runName` = 'renamed-twice'")).toEqual([runId])
      expect(await byName("attributes.run_name = 'renamed-once'")).toEqual([])
    })

    it('searches several experiments at once', async () => {
      const { store } = handle()
      const other = await createExperiment(store, 'search-other')
      const extra = await store.createRun({ experimentId: other, runName: 'x', startTime: 500 })
      await store.logParam(extra.info.runId, { key: 'p_a', value: 'abc' })
      const page = await store.searchRuns({
        experimentIds: [fixture.experimentId, other],
        filter: "params.p_a = 'abc'",
      })
      expect(page.items.map((run) => run.info.runName)).toEqual([ONE, 'x'])
    })
  })
}
