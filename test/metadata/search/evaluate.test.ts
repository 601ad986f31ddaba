import { describe, expect, it } from 'vitest'
import type { Experiment, Run } from '../../../src/metadata/metadata-store.js'
import {
  compareCodePoints,
  compareExperimentIds,
  compareExperiments,
  compareRuns,
  matchesExperiment,
  matchesRun,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  withDefaultExperimentOrder,
  withDefaultRunOrder,
} from '../../../src/metadata/search/index.js'

interface RunSpec {
  id: string
  name?: string
  status?: Run['info']['status']
  userId?: string
  startTime?: number | null
  endTime?: number | null
  artifactUri?: string
  metrics?: Record<string, number>
  params?: Record<string, string>
  tags?: Record<string, string>
  datasets?: { name: string; digest: string; context?: string }[]
}

function makeRun(spec: RunSpec): Run {
  const entries = (record: Record<string, string> = {}) =>
    Object.entries(record).map(([key, value]) => ({ key, value }))
  return {
    info: {
      runId: spec.id,
      runName: spec.name ?? `name-${spec.id}`,
      experimentId: '0',
      userId: spec.userId ?? 'alice',
      status: spec.status ?? 'FINISHED',
      startTime: spec.startTime === undefined ? 1000 : spec.startTime,
      endTime: spec.endTime === undefined ? null : spec.endTime,
      artifactUri: spec.artifactUri ?? `file:///mlruns/0/${spec.id}/artifacts`,
      lifecycleStage: 'active',
      deletedTime: null,
    },
    data: {
      metrics: Object.entries(spec.metrics ?? {}).map(([key, value]) => ({
        key,
        value,
        timestamp: 1,
        step: 0,
      })),
      params: entries(spec.params),
      tags: entries(spec.tags),
    },
    inputs: {
      datasetInputs: (spec.datasets ?? []).map((d) => ({
        dataset: { name: d.name, digest: d.digest, sourceType: 'local', source: '{}' },
        tags: d.context === undefined ? [] : [{ key: 'mlflow.data.context', value: d.context }],
      })),
      modelInputs: [],
    },
    outputs: { modelOutputs: [] },
  }
}

/** The ids of the runs matching `filter`, in input order. */
function search(runs: Run[], filter: string): string[] {
  const clauses = parseRunFilter(filter)
  return runs.filter((run) => matchesRun(clauses, run)).map((run) => run.info.runId)
}

/** The ids of `runs` sorted by `orderBy` plus MLflow's tie-breakers. */
function sortIds(runs: Run[], orderBy: string[]): string[] {
  const compare = compareRuns(withDefaultRunOrder(parseRunOrderBy(orderBy)))
  return [...runs].sort(compare).map((run) => run.info.runId)
}

describe('matchesRun: params and tags', () => {
  const runs = [
    makeRun({ id: 'r1', params: { p_a: 'abc', p_b: 'ABC' }, tags: { t: 'other value' } }),
    makeRun({ id: 'r2', params: { p_b: 'abc' }, tags: { t: 'Another' } }),
    makeRun({ id: 'r3', tags: { u: 'x' } }),
  ]

  it('compares = and != case-sensitively', () => {
    expect(search(runs, "params.p_a = 'abc'")).toEqual(['r1'])
    expect(search(runs, "params.p_a = 'ABC'")).toEqual([])
    expect(search(runs, "params.p_b != 'abc'")).toEqual(['r1'])
  })

  it('matches != only on runs that have the key', () => {
    expect(search(runs, "params.p_a != 'ABC'")).toEqual(['r1'])
    expect(search(runs, "tags.t != 'nothing'")).toEqual(['r1', 'r2'])
  })

  it('applies LIKE case-sensitively and ILIKE case-insensitively', () => {
    expect(search(runs, "tags.t LIKE '%other%'")).toEqual(['r1', 'r2'])
    expect(search(runs, "tags.t LIKE 'other%'")).toEqual(['r1'])
    expect(search(runs, "tags.t LIKE '%ther'")).toEqual(['r2'])
    expect(search(runs, "tags.t LIKE 'another'")).toEqual([])
    expect(search(runs, "tags.t ILIKE 'another'")).toEqual(['r2'])
    expect(search(runs, "params.p_b ILIKE 'abc'")).toEqual(['r1', 'r2'])
  })

  it('matches IS NULL on missing keys and IS NOT NULL on present ones', () => {
    expect(search(runs, 'params.p_a IS NULL')).toEqual(['r2', 'r3'])
    expect(search(runs, 'params.p_a IS NOT NULL')).toEqual(['r1'])
    expect(search(runs, 'tags.u is null')).toEqual(['r1', 'r2'])
  })

  it('ANDs clauses', () => {
    expect(search(runs, "params.p_b ILIKE 'abc' AND tags.t LIKE 'A%'")).toEqual(['r2'])
    expect(search(runs, "params.p_a = 'abc' AND tags.t = 'Another'")).toEqual([])
  })

  it('matches every run for an empty filter', () => {
    expect(search(runs, '')).toEqual(['r1', 'r2', 'r3'])
  })
})

describe('matchesRun: metrics', () => {
  const runs = [
    makeRun({ id: 'r1', metrics: { m: 1 } }),
    makeRun({ id: 'r2', metrics: { m: 5 } }),
    makeRun({ id: 'r3', metrics: { m: Number.NaN } }),
    makeRun({ id: 'r4', metrics: { m: Number.POSITIVE_INFINITY } }),
    makeRun({ id: 'r5', metrics: { other: 1 } }),
  ]

  it.each([
    ['metrics.m = 1', ['r1']],
    ['metrics.m != 1', ['r2', 'r3', 'r4']],
    ['metrics.m > 1', ['r2', 'r4']],
    ['metrics.m >= 1', ['r1', 'r2', 'r4']],
    ['metrics.m < 5', ['r1']],
    ['metrics.m <= 5', ['r1', 'r2']],
    ['metrics.m > -1e300', ['r1', 'r2', 'r4']],
  ])('%s matches %j (NaN only matches !=; missing never)', (filter, ids) => {
    expect(search(runs, filter)).toEqual(ids)
  })

  it('compares against the latest value carried by run.data', () => {
    const run = makeRun({ id: 'r', metrics: { loss: 0.5 } })
    expect(search([run], 'metrics.loss < 1')).toEqual(['r'])
    expect(search([run], 'metrics.loss > 0.6')).toEqual([])
  })
})

describe('matchesRun: attributes', () => {
  const runs = [
    makeRun({
      id: 'aaa',
      name: 'bold-bee',
      status: 'FINISHED',
      startTime: 100,
      endTime: 200,
      artifactUri: 's3://bucket/Path/aaa',
    }),
    makeRun({ id: 'bbb', name: 'Calm-cat', status: 'RUNNING', startTime: 300, endTime: null }),
    makeRun({ id: 'ccc', name: 'bold-bee', status: 'FAILED', startTime: null, userId: 'bob' }),
  ]

  it('compares string attributes', () => {
    expect(search(runs, "status = 'FINISHED'")).toEqual(['aaa'])
    expect(search(runs, "attributes.status != 'FINISHED'")).toEqual(['bbb', 'ccc'])
    expect(search(runs, "user_id = 'bob'")).toEqual(['ccc'])
    expect(search(runs, "artifact_uri = 's3://bucket/Path/aaa'")).toEqual(['aaa'])
    expect(search(runs, "artifact_uri != 's3://bucket/path/aaa'")).toEqual(['aaa', 'bbb', 'ccc'])
    expect(search(runs, "artifact_uri LIKE '%Path%'")).toEqual(['aaa'])
    expect(search(runs, "artifact_uri LIKE '%path%'")).toEqual([])
    expect(search(runs, "artifact_uri ILIKE '%path%'")).toEqual(['aaa'])
  })

  it('searches run_name through run.info.runName under every alias', () => {
    for (const identifier of [
      'attributes.run_name',
      'run_name',
      '`run name`',
      '`Run name`',
      '`Run Name`',
    ]) {
      expect(search(runs, `${identifier} = 'bold-bee'`)).toEqual(['aaa', 'ccc'])
    }
    expect(search(runs, "run_name ILIKE 'calm%'")).toEqual(['bbb'])
    expect(search(runs, "run_name = 'bold-bee' AND run_id = 'ccc'")).toEqual(['ccc'])
  })

  it('compares run ids with =, !=, IN and NOT IN', () => {
    expect(search(runs, "run_id = 'aaa'")).toEqual(['aaa'])
    expect(search(runs, "run_id != 'aaa'")).toEqual(['bbb', 'ccc'])
    expect(search(runs, "run_id IN ('aaa')")).toEqual(['aaa'])
    expect(search(runs, "run_id IN ('aaa','bbb')")).toEqual(['aaa', 'bbb'])
    expect(search(runs, "run_id IN ( 'aaa' , 'ccc' )")).toEqual(['aaa', 'ccc'])
    expect(search(runs, "run_id NOT IN ('aaa')")).toEqual(['bbb', 'ccc'])
    expect(search(runs, "run_id IN ('AAA')")).toEqual([])
    expect(search(runs, "run_id NOT IN ('AAA')")).toEqual(['aaa', 'bbb', 'ccc'])
  })

  it('compares numeric attributes and never matches a missing time', () => {
    expect(search(runs, 'start_time > 100')).toEqual(['bbb'])
    expect(search(runs, 'created >= 100')).toEqual(['aaa', 'bbb'])
    expect(search(runs, 'Created != 100')).toEqual(['bbb'])
    expect(search(runs, 'end_time <= 200')).toEqual(['aaa'])
    expect(search(runs, 'end_time != 1')).toEqual(['aaa'])
  })
})

describe('matchesRun: datasets', () => {
  const runs = [
    makeRun({
      id: 'r1',
      params: { p: 'x' },
      datasets: [
        { name: 'iris', digest: 'd1', context: 'train' },
        { name: 'wine', digest: 'd2', context: 'eval' },
      ],
    }),
    makeRun({ id: 'r2', datasets: [{ name: 'Iris', digest: 'd3' }] }),
    makeRun({ id: 'r3' }),
  ]

  it('matches when any dataset input matches', () => {
    expect(search(runs, "datasets.name = 'wine'")).toEqual(['r1'])
    expect(search(runs, "datasets.name != 'iris'")).toEqual(['r1', 'r2'])
    expect(search(runs, "datasets.name LIKE 'i%'")).toEqual(['r1'])
    expect(search(runs, "datasets.name ILIKE 'i%'")).toEqual(['r1', 'r2'])
    expect(search(runs, "datasets.digest IN ('d2', 'd3')")).toEqual(['r1', 'r2'])
    expect(search(runs, "datasets.digest NOT IN ('d1')")).toEqual(['r1', 'r2'])
    expect(search(runs, "datasets.name IN ('Iris')")).toEqual(['r2'])
  })

  it('compares context with the mlflow.data.context input tag', () => {
    expect(search(runs, "datasets.context = 'train'")).toEqual(['r1'])
    expect(search(runs, "datasets.context IN ('eval')")).toEqual(['r1'])
    expect(search(runs, "datasets.context != 'train'")).toEqual(['r1'])
    expect(search(runs, "datasets.context = 'test'")).toEqual([])
  })

  it('combines with other clauses', () => {
    expect(search(runs, "datasets.name = 'iris' AND params.p = 'x'")).toEqual(['r1'])
    expect(search(runs, "datasets.name = 'Iris' AND params.p = 'x'")).toEqual([])
  })
})

describe('compareRuns', () => {
  const metricRuns = [
    makeRun({ id: 'nan', metrics: { x: Number.NaN } }),
    makeRun({ id: 'inf', metrics: { x: Number.POSITIVE_INFINITY } }),
    makeRun({ id: 'none' }),
    makeRun({ id: 'zero_a', metrics: { x: 0 } }),
    makeRun({ id: 'neg1000', metrics: { x: -1000 } }),
    makeRun({ id: 'ninf', metrics: { x: Number.NEGATIVE_INFINITY } }),
    makeRun({ id: 'pos1000', metrics: { x: 1000 } }),
    makeRun({ id: 'zero_b', metrics: { x: 0 } }),
  ]

  it('sorts metrics ASC: -inf, -1000, 0, 0, 1000, inf, nan, missing', () => {
    expect(sortIds(metricRuns, ['metrics.x ASC'])).toEqual([
      'ninf',
      'neg1000',
      'zero_a',
      'zero_b',
      'pos1000',
      'inf',
      'nan',
      'none',
    ])
  })

  it('sorts metrics DESC: inf … -inf, then nan, then missing', () => {
    expect(sortIds(metricRuns, ['metrics.x DESC'])).toEqual([
      'inf',
      'pos1000',
      'zero_a',
      'zero_b',
      'neg1000',
      'ninf',
      'nan',
      'none',
    ])
  })

  it('puts runs without a tag or param last in both directions', () => {
    const runs = [
      makeRun({ id: 'a', tags: { t: 'b' }, params: { p: '2' } }),
      makeRun({ id: 'b' }),
      makeRun({ id: 'c', tags: { t: 'a' }, params: { p: '10' } }),
    ]
    expect(sortIds(runs, ['tags.t'])).toEqual(['c', 'a', 'b'])
    expect(sortIds(runs, ['tags.t DESC'])).toEqual(['a', 'c', 'b'])
    expect(sortIds(runs, ['params.p'])).toEqual(['c', 'a', 'b'])
    expect(sortIds(runs, ['params.p DESC'])).toEqual(['a', 'c', 'b'])
  })

  it('sorts end_time with missing values last both ways', () => {
    const runs = [
      makeRun({ id: 'a', endTime: 5 }),
      makeRun({ id: 'b', endTime: null }),
      makeRun({ id: 'c', endTime: 3 }),
    ]
    expect(sortIds(runs, ['end_time'])).toEqual(['c', 'a', 'b'])
    expect(sortIds(runs, ['end_time DESC'])).toEqual(['a', 'c', 'b'])
  })

  it('orders by start_time DESC then run_id ASC by default', () => {
    const runs = [
      makeRun({ id: 'b', startTime: 10 }),
      makeRun({ id: 'c', startTime: 20 }),
      makeRun({ id: 'a', startTime: 10 }),
      makeRun({ id: 'd', startTime: null }),
    ]
    expect(sortIds(runs, [])).toEqual(['c', 'a', 'b', 'd'])
  })

  it('breaks ties with the next key', () => {
    const runs = [
      makeRun({ id: 'a', startTime: 1, endTime: 1 }),
      makeRun({ id: 'b', startTime: 1, endTime: 2 }),
      makeRun({ id: 'c', startTime: 0, endTime: 3 }),
      makeRun({ id: 'd', startTime: 0, endTime: 3 }),
    ]
    expect(sortIds(runs, ['start_time ASC', 'end_time DESC'])).toEqual(['c', 'd', 'b', 'a'])
    expect(sortIds(runs, ['metrics.none', 'end_time'])).toEqual(['a', 'b', 'c', 'd'])
  })

  it('sorts by string attributes including run_name', () => {
    const runs = [
      makeRun({ id: 'r1', name: 'b', status: 'RUNNING' }),
      makeRun({ id: 'r2', name: 'a', status: 'FAILED' }),
      makeRun({ id: 'r3', name: 'c', status: 'FINISHED' }),
    ]
    expect(sortIds(runs, ['`Run Name` DESC'])).toEqual(['r3', 'r1', 'r2'])
    expect(sortIds(runs, ['status'])).toEqual(['r2', 'r3', 'r1'])
  })

  it('keeps runs that lack the ordered tag', () => {
    const runs = [makeRun({ id: 'a', tags: { t: 'x' } }), makeRun({ id: 'b' })]
    expect(sortIds(runs, ['tags.t DESC'])).toHaveLength(2)
  })
})

describe('compareCodePoints', () => {
  it('orders by code point like Python', () => {
    expect(compareCodePoints('a', 'b')).toBeLessThan(0)
    expect(compareCodePoints('B', 'a')).toBeLessThan(0)
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0)
    expect(compareCodePoints('x', 'x')).toBe(0)
    // U+FFFD sorts before U+1F600 by code point, after it by UTF-16 unit.
    expect(compareCodePoints('\uFFFD', '😀')).toBeLessThan(0)
    expect(compareCodePoints('😀', '\uFFFD')).toBeGreaterThan(0)
  })
})

function makeExperiment(
  id: string,
  name: string,
  creationTime: number | null,
  tags: Record<string, string> = {},
  lastUpdateTime: number | null = creationTime,
): Experiment {
  return {
    experimentId: id,
    name,
    artifactLocation: `file:///mlruns/${id}`,
    lifecycleStage: 'active',
    creationTime,
    lastUpdateTime,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  }
}

describe('matchesExperiment', () => {
  const experiments = [
    makeExperiment('0', 'Default', 0),
    makeExperiment('1', 'a', 10, { 'k e y': 'Value' }, 50),
    makeExperiment('2', 'ab', 20, { team: 'x' }),
    makeExperiment('3', 'Abc', null),
  ]
  const find = (filter: string): string[] => {
    const clauses = parseExperimentFilter(filter)
    return experiments.filter((e) => matchesExperiment(clauses, e)).map((e) => e.experimentId)
  }

  it('compares names', () => {
    expect(find("name = 'a'")).toEqual(['1'])
    expect(find("attribute.`name` != 'a'")).toEqual(['0', '2', '3'])
    expect(find("name LIKE 'a%'")).toEqual(['1', '2'])
    expect(find("name ILIKE 'a%'")).toEqual(['1', '2', '3'])
    expect(find("name LIKE 'a%' AND name != 'a'")).toEqual(['2'])
  })

  it('compares times and never matches a missing one', () => {
    expect(find('creation_time = 10')).toEqual(['1'])
    expect(find('creation_time != 10')).toEqual(['0', '2'])
    expect(find('creation_time > 0')).toEqual(['1', '2'])
    expect(find('creation_time >= 0')).toEqual(['0', '1', '2'])
    expect(find('creation_time < 20')).toEqual(['0', '1'])
    expect(find('creation_time <= 20')).toEqual(['0', '1', '2'])
    expect(find('last_update_time > 20')).toEqual(['1'])
  })

  it('compares tags, only on experiments that have them', () => {
    expect(find("tag.`k e y` = 'Value'")).toEqual(['1'])
    expect(find('tags."k e y" ILIKE \'val%\'')).toEqual(['1'])
    expect(find("tags.`k e y` LIKE 'val%'")).toEqual([])
    expect(find("tags.team != 'y'")).toEqual(['2'])
    expect(find('tags.team IS NULL')).toEqual(['0', '1', '3'])
    expect(find('tags.team IS NOT NULL')).toEqual(['2'])
  })
})

describe('compareExperiments', () => {
  const sortExperiments = (experiments: Experiment[], orderBy: string[]): string[] => {
    const keys = withDefaultExperimentOrder(parseExperimentOrderBy(orderBy))
    return [...experiments].sort(compareExperiments(keys)).map((e) => e.experimentId)
  }

  it('orders by creation_time DESC then experiment_id ASC by default', () => {
    const experiments = [
      makeExperiment('0', 'Default', 1),
      makeExperiment('2', 'b', 5),
      makeExperiment('1', 'a', 5),
      makeExperiment('3', 'c', 9),
    ]
    expect(sortExperiments(experiments, [])).toEqual(['3', '1', '2', '0'])
  })

  it('breaks ties of user keys with experiment_id DESC', () => {
    const experiments = [
      makeExperiment('1', 'same', 1),
      makeExperiment('3', 'same', 1),
      makeExperiment('2', 'other', 1),
    ]
    expect(sortExperiments(experiments, ['name'])).toEqual(['2', '3', '1'])
    expect(sortExperiments(experiments, ['name DESC'])).toEqual(['3', '1', '2'])
  })

  it('orders by name, creation_time and last_update_time in both directions', () => {
    const experiments = [
      makeExperiment('1', 'b', 2, {}, 30),
      makeExperiment('2', 'a', 3, {}, 10),
      makeExperiment('3', 'c', 1, {}, 20),
    ]
    expect(sortExperiments(experiments, ['name'])).toEqual(['2', '1', '3'])
    expect(sortExperiments(experiments, ['name DESC'])).toEqual(['3', '1', '2'])
    expect(sortExperiments(experiments, ['creation_time ASC'])).toEqual(['3', '1', '2'])
    expect(sortExperiments(experiments, ['last_update_time DESC'])).toEqual(['1', '3', '2'])
  })

  it('puts missing times last in both directions', () => {
    const experiments = [
      makeExperiment('1', 'a', null),
      makeExperiment('2', 'b', 5),
      makeExperiment('3', 'c', 7),
    ]
    expect(sortExperiments(experiments, ['creation_time ASC'])).toEqual(['2', '3', '1'])
    expect(sortExperiments(experiments, ['creation_time DESC'])).toEqual(['3', '2', '1'])
  })

  it('orders numeric experiment ids numerically', () => {
    const experiments = [
      makeExperiment('10', 'a', 1),
      makeExperiment('9', 'b', 1),
      makeExperiment('0', 'c', 1),
      makeExperiment('123456789012345678', 'd', 1),
    ]
    expect(sortExperiments(experiments, ['experiment_id'])).toEqual([
      '0',
      '9',
      '10',
      '123456789012345678',
    ])
  })
})

describe('compareExperimentIds', () => {
  it('compares digit strings as numbers and other ids as text', () => {
    expect(compareExperimentIds('9', '10')).toBeLessThan(0)
    expect(compareExperimentIds('010', '10')).toBe(0)
    expect(compareExperimentIds('b', 'a')).toBeGreaterThan(0)
    expect(compareExperimentIds('10', 'a')).toBeLessThan(0)
  })
})
