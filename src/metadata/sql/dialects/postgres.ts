import { escapeLikeBackslashes } from '../../search/like.js'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { upsertExcluded } from './sqlite.js'
import type { Logger } from '../../../core/logger.js'
import { importDriver, type AnyTables, type SqlConnection, type SqlDialect } from './sql-dialect.js'

export const postgresDialect: SqlDialect = {
  name: 'postgresql',
  maxBindParameters: 65535,
  supportsRowLocks: true,
  toBoolean: (value) => value,
  syncExperimentIdGenerator: async (db) => {
    await sql`SELECT setval(pg_get_serial_sequence('experiments', 'experiment_id'),
      (SELECT GREATEST(COALESCE(MAX(experiment_id), 0), 1) FROM experiments))`.execute(db)
  },
  ignoreDuplicates: (query, keyColumns) =>
    query.onConflict((conflict) => conflict.columns(keyColumns as never).doNothing()),
  upsert: upsertExcluded,
  // A backslash escapes in PostgreSQL's LIKE; doubled, it matches itself as on SQLite.
  compareText: (column, comparator, value) =>
    sql<boolean>`${column} ${sql.raw(comparator)} ${
      comparator === 'LIKE' || comparator === 'ILIKE' ? escapeLikeBackslashes(value) : value
    }`,
}

const INT8_OID = 20

/** BIGINT as a number when it is safe, else as its exact decimal text (ids stay strings). */
function parseInt8(value: string): number | string {
  const number = Number(value)
  return Number.isSafeInteger(number) ? number : value
}

/**
 * Opens a pooled PostgreSQL connection; BIGINT columns are read as numbers. An idle pooled
 * connection that the server closes (restart, `pg_terminate_backend`) is logged and replaced
 * instead of crashing the process.
 */
export async function connectPostgres(
  url: string,
  options: { poolSize?: number; logger?: Logger } = {},
): Promise<SqlConnection> {
  const pg = await importDriver('pg', () => import('pg'))
  const { Pool, types } = pg.default
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? parseInt8
          : types.getTypeParser(oid, format ?? 'text')) as typeof types.getTypeParser,
    },
  })
  pool.on('error', (error) => {
    options.logger?.warn('An idle PostgreSQL connection failed and was dropped', {
      error: error.message,
    })
  })
  const db = new Kysely<AnyTables>({ dialect: new PostgresDialect({ pool }) })
  return { dialect: postgresDialect, db, close: () => db.destroy() }
}
