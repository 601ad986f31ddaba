/**
 * The in-memory evaluator of the search AST, used by the file store (SQL stores compile the AST
 * themselves). It follows MLflow's `SearchUtils` semantics:
 * - a param, tag or metric clause only matches runs that have the key (so `!=` too);
 * - metrics compare against the latest value, with IEEE semantics: NaN matches only `!=`;
 * - a dataset clause matches when any of the run's dataset inputs matches;
 * - sorting puts missing values last in both directions, NaN just before them.
 */
import type { Experiment, Run, RunInfo } from '../metadata-store.js'
import type {
  ExperimentClause,
  ExperimentOrderKey,
  ListComparator,
  NumericComparator,
  NumericRunAttribute,
  RunClause,
  RunOrderKey,
  StringComparator,
  StringRunAttribute,
} from './ast.js'
import { matchesIlike, matchesLike } from './like.js'

/** The dataset input tag that `datasets.context` compares. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context'

export function compareNumber(lhs: number, comparator: NumericComparator, rhs: number): boolean {
  switch (comparator) {
    case '=':
      return lhs === rhs
    case '!=':
      return lhs !== rhs
    case '<':
      return lhs < rhs
    case '<=':
      return lhs <= rhs
    case '>':
      return lhs > rhs
    case '>=':
      return lhs >= rhs
  }
}

export function compareString(lhs: string, comparator: StringComparator, rhs: string): boolean {
  switch (comparator) {
    case '=':
      return lhs === rhs
    case '!=':
      return lhs !== rhs
    case 'LIKE':
      return matchesLike(lhs, rhs)
    case 'ILIKE':
      return matchesIlike(lhs, rhs)
  }
}

function compareList(lhs: string, comparator: ListComparator, values: readonly string[]): boolean {
  return comparator === 'IN' ? values.includes(lhs) : !values.includes(lhs)
}

function findValue<T extends { key: string }>(entries: readonly T[], key: string): T | undefined {
  return entries.find((entry) => entry.key === key)
}

/** Reads a string attribute of a run by its MLflow name. */
export function runStringAttribute(info: RunInfo, key: StringRunAttribute): string {
  switch (key) {
    case 'run_id':
      return info.runId
    case 'run_name':
      return info.runName
    case 'user_id':
      return info.userId
    case 'status':
      return info.status
    case 'artifact_uri':
      return info.artifactUri
  }
}

function datasetValues(run: Run, key: 'name' | 'digest' | 'context'): string[] {
  const inputs = run.inputs.datasetInputs
  if (key === 'context') {
    return inputs.flatMap((input) =>
      input.tags.filter((tag) => tag.key === DATASET_CONTEXT_TAG).map((tag) => tag.value),
    )
  }
  return inputs.map((input) => input.dataset[key])
}

function matchesRunClause(clause: RunClause, run: Run): boolean {
  switch (clause.type) {
    case 'metric': {
      const metric = findValue(run.data.metrics, clause.key)
      return metric !== undefined && compareNumber(metric.value, clause.comparator, clause.value)
    }
    case 'param':
    case 'tag': {
      const entries = clause.type === 'param' ? run.data.params : run.data.tags
      const entry = findValue(entries, clause.key)
      if (!('value' in clause)) return (entry === undefined) === (clause.comparator === 'IS NULL')
      return entry !== undefined && compareString(entry.value, clause.comparator, clause.value)
    }
    case 'dataset': {
      const values = datasetValues(run, clause.key)
      if ('values' in clause) {
        return values.some((value) => compareList(value, clause.comparator, clause.values))
      }
      return values.some((value) => compareString(value, clause.comparator, clause.value))
    }
    case 'attribute': {
      if ('values' in clause) return compareList(run.info.runId, clause.comparator, clause.values)
      if (typeof clause.value === 'number') {
        const numeric = clause as Extract<RunClause, { key: NumericRunAttribute }>
        const lhs = numeric.key === 'start_time' ? run.info.startTime : run.info.endTime
        return lhs !== null && compareNumber(lhs, numeric.comparator, numeric.value)
      }
      const text = clause as Extract<RunClause, { type: 'attribute'; value: string }>
      return compareString(runStringAttribute(run.info, text.key), text.comparator, text.value)
    }
  }
}

/** True when `run` satisfies every clause (an empty filter matches every run). */
export function matchesRun(clauses: readonly RunClause[], run: Run): boolean {
  return clauses.every((clause) => matchesRunClause(clause, run))
}

function matchesExperimentClause(clause: ExperimentClause, experiment: Experiment): boolean {
  if (clause.type === 'tag') {
    const tag = findValue(experiment.tags, clause.key)
    if (!('value' in clause)) return (tag === undefined) === (clause.comparator === 'IS NULL')
    return tag !== undefined && compareString(tag.value, clause.comparator, clause.value)
  }
  if (clause.key === 'name') return compareString(experiment.name, clause.comparator, clause.value)
  const lhs = clause.key === 'creation_time' ? experiment.creationTime : experiment.lastUpdateTime
  return lhs !== null && compareNumber(lhs, clause.comparator, clause.value)
}

/** True when `experiment` satisfies every clause. */
export function matchesExperiment(
  clauses: readonly ExperimentClause[],
  experiment: Experiment,
): boolean {
  return clauses.every((clause) => matchesExperimentClause(clause, experiment))
}

/** Compares strings by Unicode code point, as Python does (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) {
      const xSurrogate = x >= 0xd800 && x <= 0xdfff
      const ySurrogate = y >= 0xd800 && y <= 0xdfff
      if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1
      return x < y ? -1 : 1
    }
  }
  return a.length < b.length ? -1 : 1
}

type SortValue = number | string | null | undefined

/** 0 for a value, 1 for NaN, 2 for a missing value: the last two sort last either way. */
function sortRank(value: SortValue): number {
  if (value === null || value === undefined) return 2
  return typeof value === 'number' && Number.isNaN(value) ? 1 : 0
}

/**
 * Orders two values of one key: present values by `ascending`, then NaN, then missing values,
 * whatever the direction (MLflow's ordering for runs and experiments).
 */
export function compareSortValues(
  a: SortValue,
  b: SortValue,
  ascending: boolean,
  compareText: (x: string, y: string) => number = compareCodePoints,
): number {
  const rankA = sortRank(a)
  const rankB = sortRank(b)
  if (rankA !== rankB) return rankA - rankB
  if (rankA !== 0) return 0
  let order: number
  if (typeof a === 'number' && typeof b === 'number') order = a < b ? -1 : a > b ? 1 : 0
  else order = compareText(String(a), String(b))
  return ascending ? order : -order
}

interface RunLookup {
  metrics: Map<string, number>
  params: Map<string, string>
  tags: Map<string, string>
}

function runSortValue(run: Run, key: RunOrderKey, lookup: RunLookup): SortValue {
  switch (key.type) {
    case 'metric':
      return lookup.metrics.get(key.key)
    case 'param':
      return lookup.params.get(key.key)
    case 'tag':
      return lookup.tags.get(key.key)
    case 'attribute':
      if (key.key === 'start_time') return run.info.startTime
      if (key.key === 'end_time') return run.info.endTime
      return runStringAttribute(run.info, key.key)
  }
}

/**
 * A comparator for `Array.prototype.sort` ordering runs by `keys`, each key breaking the ties of
 * the previous one. Append MLflow's tie-breakers first with `withDefaultRunOrder`.
 */
export function compareRuns(keys: readonly RunOrderKey[]): (a: Run, b: Run) => number {
  const lookups = new WeakMap<Run, RunLookup>()
  const lookupOf = (run: Run): RunLookup => {
    let lookup = lookups.get(run)
    if (lookup === undefined) {
      lookup = {
        metrics: new Map(run.data.metrics.map((m) => [m.key, m.value])),
        params: new Map(run.data.params.map((p) => [p.key, p.value])),
        tags: new Map(run.data.tags.map((t) => [t.key, t.value])),
      }
      lookups.set(run, lookup)
    }
    return lookup
  }
  return (a, b) => {
    for (const key of keys) {
      const order = compareSortValues(
        runSortValue(a, key, lookupOf(a)),
        runSortValue(b, key, lookupOf(b)),
        key.ascending,
      )
      if (order !== 0) return order
    }
    return 0
  }
}

/**
 * Compares experiment ids: numerically when both are digit strings (SQL ids are integers, file
 * ids are 18-digit strings, so both stores agree), else by code point.
 */
export function compareExperimentIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = a.replace(/^0+(?=\d)/, '')
    const y = b.replace(/^0+(?=\d)/, '')
    if (x.length !== y.length) return x.length < y.length ? -1 : 1
    return x === y ? 0 : x < y ? -1 : 1
  }
  return compareCodePoints(a, b)
}

function experimentSortValue(experiment: Experiment, key: ExperimentOrderKey): SortValue {
  switch (key.key) {
    case 'name':
      return experiment.name
    case 'experiment_id':
      return experiment.experimentId
    case 'creation_time':
      return experiment.creationTime
    case 'last_update_time':
      return experiment.lastUpdateTime
  }
}

/**
 * A comparator ordering experiments by `keys` (missing times last in both directions). Append
 * MLflow's default order and tie-breaker first with `withDefaultExperimentOrder`.
 */
export function compareExperiments(
  keys: readonly ExperimentOrderKey[],
): (a: Experiment, b: Experiment) => number {
  return (a, b) => {
    for (const key of keys) {
      const order = compareSortValues(
        experimentSortValue(a, key),
        experimentSortValue(b, key),
        key.ascending,
        key.key === 'experiment_id' ? compareExperimentIds : compareCodePoints,
      )
      if (order !== 0) return order
    }
    return 0
  }
}
