/**
 * Compiles the search AST (`../search/ast.ts`) to parameterised Kysely expressions. Keys and
 * values always travel as bind parameters; only comparators and directions, which come from
 * the parser's closed sets, are written into the SQL text.
 */
import {
  sql,
  type Expression,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely'
import type { ExperimentClause, ExperimentOrderKey, RunClause, RunOrderKey } from '../search/ast.js'
import type { SqlDialect } from './dialects/sql-dialect.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySelect = SelectQueryBuilder<any, any, any>

const CONTEXT_TAG = 'mlflow.data.context'

const RUN_COLUMNS: Record<string, string> = {
  run_id: 'run_uuid',
  run_name: 'name',
  user_id: 'user_id',
  status: 'status',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
}

function numeric(
  column: Expression<unknown>,
  comparator: string,
  value: number,
): RawBuilder<SqlBool> {
  return sql<SqlBool>`${column} ${sql.raw(comparator)} ${value}`
}

/**
 * A metric comparison with IEEE semantics, as the file store evaluates it: a NaN latest value
 * (stored as 0 with is_nan) matches only `!=`.
 */
function metricComparison(comparator: string, value: number): RawBuilder<SqlBool> {
  const compared = numeric(sql.ref('lm.value'), comparator, value)
  return comparator === '!='
    ? sql<SqlBool>`(${sql.ref('lm.is_nan')} = ${sql.lit(true)} OR ${compared})`
    : sql<SqlBool>`(${sql.ref('lm.is_nan')} = ${sql.lit(false)} AND ${compared})`
}

function inList(
  column: Expression<unknown>,
  values: string[],
  negate: boolean,
): RawBuilder<SqlBool> {
  if (values.length === 0) return negate ? sql<SqlBool>`1 = 1` : sql<SqlBool>`1 = 0`
  const list = sql.join(values.map((value) => sql`${value}`))
  return negate ? sql<SqlBool>`${column} NOT IN (${list})` : sql<SqlBool>`${column} IN (${list})`
}

function runClause(clause: RunClause, dialect: SqlDialect): RawBuilder<SqlBool> {
  const runRef = sql.ref('runs.run_uuid')
  switch (clause.type) {
    case 'metric':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM latest_metrics lm WHERE ${sql.ref('lm.run_uuid')}
        = ${runRef} AND ${sql.ref('lm.key')} = ${clause.key}
        AND ${metricComparison(clause.comparator, clause.value)})`
    case 'param':
    case 'tag': {
      const table = sql.table(clause.type === 'param' ? 'params' : 'tags')
      const keyMatch = sql`${sql.ref('e.run_uuid')} = ${runRef}
        AND ${sql.ref('e.key')} = ${clause.key}`
      if (!('value' in clause)) {
        const exists = sql<SqlBool>`EXISTS (SELECT 1 FROM ${table} e WHERE ${keyMatch})`
        return clause.comparator === 'IS NULL' ? sql<SqlBool>`NOT ${exists}` : exists
      }
      const valueMatch = dialect.compareText(sql.ref('e.value'), clause.comparator, clause.value)
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${table} e WHERE ${keyMatch} AND ${valueMatch})`
    }
    case 'attribute': {
      const column = sql.ref(`runs.${RUN_COLUMNS[clause.key]!}`)
      if ('values' in clause) return inList(column, clause.values, clause.comparator === 'NOT IN')
      if (typeof clause.value === 'number') {
        return numeric(column, clause.comparator, clause.value)
      }
      return dialect.compareText(column, clause.comparator as 'LIKE', clause.value)
    }
    case 'dataset': {
      const column = clause.key === 'context' ? sql.ref('it.value') : sql.ref(`d.${clause.key}`)
      const match =
        'values' in clause
          ? inList(column, clause.values, clause.comparator === 'NOT IN')
          : dialect.compareText(column, clause.comparator, clause.value)
      const contextJoin =
        clause.key === 'context'
          ? sql`JOIN input_tags it ON ${sql.ref('it.input_uuid')} = ${sql.ref('i.input_uuid')}
              AND ${sql.ref('it.name')} = ${CONTEXT_TAG}`
          : sql``
      return sql<SqlBool>`EXISTS (SELECT 1 FROM inputs i
        JOIN datasets d ON ${sql.ref('d.dataset_uuid')} = ${sql.ref('i.source_id')}
        ${contextJoin}
        WHERE ${sql.ref('i.source_type')} = 'DATASET' AND ${sql.ref('i.destination_type')} = 'RUN'
        AND ${sql.ref('i.destination_id')} = ${runRef} AND ${match})`
    }
  }
}

/** Adds the WHERE conditions of a run filter. */
/**
 * How early a clause should be tested: SQLite evaluates WHERE terms in order, so cheap and
 * usually selective ones (run columns, equality on a param or tag) go before range comparisons
 * on metrics and pattern matches. The result is the same in any order.
 */
function clauseCost(clause: RunClause): number {
  if (clause.type === 'attribute') return 0
  if ((clause.type === 'param' || clause.type === 'tag') && clause.comparator === '=') return 1
  if (clause.type === 'metric') return 2
  return 3
}

export function applyRunFilter(
  query: AnySelect,
  clauses: RunClause[],
  dialect: SqlDialect,
): AnySelect {
  const ordered = [...clauses].sort((a, b) => clauseCost(a) - clauseCost(b))
  return ordered.reduce((q, clause) => q.where(runClause(clause, dialect)), query)
}

const direction = (ascending: boolean) => sql.raw(ascending ? 'ASC' : 'DESC')

/**
 * Adds ORDER BY for run order keys (the caller appends MLflow's defaults first). Missing values
 * sort last in both directions; NaN metrics sort after numbers and before missing values.
 */
export function applyRunOrder(query: AnySelect, keys: RunOrderKey[]): AnySelect {
  let q = query
  keys.forEach((key, index) => {
    const dir = direction(key.ascending)
    if (key.type === 'attribute') {
      const column = sql.ref(`runs.${RUN_COLUMNS[key.key]!}`)
      if (key.key !== 'run_id') {
        q = q.orderBy(sql`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`)
      }
      q = q.orderBy(sql`${column} ${dir}`)
      return
    }
    const alias = `o${index}`
    const table =
      key.type === 'metric' ? 'latest_metrics' : key.type === 'param' ? 'params' : 'tags'
    q = q.leftJoin(`${table} as ${alias}`, (join) =>
      join.onRef(`${alias}.run_uuid`, '=', 'runs.run_uuid').on(`${alias}.key`, '=', key.key),
    )
    const value = sql.ref(`${alias}.value`)
    if (key.type === 'metric') {
      const isNan = sql.ref(`${alias}.is_nan`)
      q = q.orderBy(
        sql`CASE WHEN ${value} IS NULL THEN 2 WHEN ${isNan} = ${sql.lit(true)} THEN 1 ELSE 0 END`,
      )
    } else {
      q = q.orderBy(sql`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`)
    }
    q = q.orderBy(sql`${value} ${dir}`)
  })
  return q
}

function experimentClause(clause: ExperimentClause, dialect: SqlDialect): RawBuilder<SqlBool> {
  if (clause.type === 'attribute') {
    const column = sql.ref(`experiments.${clause.key}`)
    return typeof clause.value === 'number'
      ? numeric(column, clause.comparator, clause.value)
      : dialect.compareText(column, clause.comparator as 'LIKE', clause.value)
  }
  const keyMatch = sql`${sql.ref('et.experiment_id')} = ${sql.ref('experiments.experiment_id')}
    AND ${sql.ref('et.key')} = ${clause.key}`
  if (!('value' in clause)) {
    const exists = sql<SqlBool>`EXISTS (SELECT 1 FROM experiment_tags et WHERE ${keyMatch})`
    return clause.comparator === 'IS NULL' ? sql<SqlBool>`NOT ${exists}` : exists
  }
  const valueMatch = dialect.compareText(sql.ref('et.value'), clause.comparator, clause.value)
  return sql<SqlBool>`EXISTS (SELECT 1 FROM experiment_tags et WHERE ${keyMatch}
    AND ${valueMatch})`
}

export function applyExperimentFilter(
  query: AnySelect,
  clauses: ExperimentClause[],
  dialect: SqlDialect,
): AnySelect {
  return clauses.reduce((q, clause) => q.where(experimentClause(clause, dialect)), query)
}

export function applyExperimentOrder(query: AnySelect, keys: ExperimentOrderKey[]): AnySelect {
  return keys.reduce((q, key) => {
    const column = sql.ref(`experiments.${key.key}`)
    return q
      .orderBy(sql`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`)
      .orderBy(sql`${column} ${direction(key.ascending)}`)
  }, query)
}
