/**
 * The typed AST of MLflow's search grammar (FORMATS.md §6). One parser produces it; SQL backends
 * compile it to parameterised Kysely expressions and the file store evaluates it in memory.
 * A filter is a conjunction: MLflow's grammar has no OR and no grouping.
 */

export type NumericComparator = '=' | '!=' | '<' | '<=' | '>' | '>='
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE'
export type ListComparator = 'IN' | 'NOT IN'
export type NullComparator = 'IS NULL' | 'IS NOT NULL'

/** Run attributes compared as strings. `run_name` covers the aliases `run name`, `Run Name`… */
export type StringRunAttribute = 'run_id' | 'run_name' | 'user_id' | 'status' | 'artifact_uri'
/** Run attributes compared as numbers. `created` / `Created` are aliases of `start_time`. */
export type NumericRunAttribute = 'start_time' | 'end_time'
export type RunAttribute = StringRunAttribute | NumericRunAttribute

/** Where a clause came from in the filter text, for error messages (0-based offset). */
export interface SourceSpan {
  start: number
  end: number
}

export type RunClause =
  | { type: 'metric'; key: string; comparator: NumericComparator; value: number; span: SourceSpan }
  | {
      type: 'param' | 'tag'
      key: string
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  | { type: 'param' | 'tag'; key: string; comparator: NullComparator; span: SourceSpan }
  | {
      type: 'attribute'
      key: StringRunAttribute
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  /** `IN` / `NOT IN` is only allowed for `run_id`; upper-case ids are dropped as MLflow does. */
  | {
      type: 'attribute'
      key: 'run_id'
      comparator: ListComparator
      values: string[]
      span: SourceSpan
    }
  | {
      type: 'attribute'
      key: NumericRunAttribute
      comparator: NumericComparator
      value: number
      span: SourceSpan
    }
  /** `context` matches the input tag `mlflow.data.context`. */
  | {
      type: 'dataset'
      key: 'name' | 'digest' | 'context'
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  | {
      type: 'dataset'
      key: 'name' | 'digest' | 'context'
      comparator: ListComparator
      values: string[]
      span: SourceSpan
    }

export type ExperimentClause =
  | {
      type: 'attribute'
      key: 'name'
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  | {
      type: 'attribute'
      key: 'creation_time' | 'last_update_time'
      comparator: NumericComparator
      value: number
      span: SourceSpan
    }
  | { type: 'tag'; key: string; comparator: StringComparator; value: string; span: SourceSpan }
  | { type: 'tag'; key: string; comparator: NullComparator; span: SourceSpan }

/** One `order_by` entry. Missing values sort last in both directions; NaN just before them. */
export type RunOrderKey =
  | { type: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { type: 'attribute'; key: RunAttribute; ascending: boolean }

export interface ExperimentOrderKey {
  type: 'attribute'
  key: 'name' | 'experiment_id' | 'creation_time' | 'last_update_time'
  ascending: boolean
}
