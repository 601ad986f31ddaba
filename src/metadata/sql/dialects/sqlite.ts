import type BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely'
import {
  importDriver,
  type AnyInsert,
  type AnyTables,
  type SqlConnection,
  type SqlDialect,
} from './sql-dialect.js'

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  // SQLITE_MAX_VARIABLE_NUMBER defaults to 32766 since SQLite 3.32.
  maxBindParameters: 32766,
  supportsRowLocks: false,
  toBoolean: (value) => (value ? 1 : 0),
  // The next auto-increment value already follows the largest id.
  syncExperimentIdGenerator: async () => {},
  ignoreDuplicates: (query, keyColumns) =>
    query.onConflict((conflict) => conflict.columns(keyColumns as never).doNothing()),
  upsert: (query, keyColumns, updateColumns) => upsertExcluded(query, keyColumns, updateColumns),
  // The connection runs PRAGMA case_sensitive_like = ON, as MLflow's sessions do.
  compareText: (column, comparator, value) =>
    comparator === 'ILIKE'
      ? sql<boolean>`lower(${column}) LIKE lower(${value})`
      : sql<boolean>`${column} ${sql.raw(comparator)} ${value}`,
}

/** `INSERT … ON CONFLICT (keys) DO UPDATE SET col = excluded.col` (SQLite and PostgreSQL). */
export function upsertExcluded(
  query: AnyInsert,
  keyColumns: string[],
  updateColumns: string[],
): AnyInsert {
  const set = Object.fromEntries(
    updateColumns.map((column) => [column, sql.ref(`excluded.${column}`)]),
  )
  return query.onConflict((conflict) =>
    conflict.columns(keyColumns as never).doUpdateSet(set as never),
  )
}

export interface SqliteConnectOptions {
  /** Open without write access (used to read databases in read-only folders). */
  readonly?: boolean
}

/**
 * Opens a SQLite database file (or `:memory:`) with MLflow's session settings: WAL, a busy
 * timeout, foreign keys on and case-sensitive LIKE.
 */
export async function connectSqlite(
  path: string,
  options: SqliteConnectOptions = {},
): Promise<SqlConnection> {
  const { default: Database } = await importDriver('better-sqlite3', () => import('better-sqlite3'))
  const database = new Database(path, { readonly: options.readonly ?? false })
  if (path !== ':memory:' && !options.readonly) database.pragma('journal_mode = WAL')
  database.pragma('busy_timeout = 20000')
  database.pragma('foreign_keys = ON')
  database.pragma('case_sensitive_like = ON')
  database.pragma('synchronous = NORMAL')
  // INTEGER columns come back as BigInt, so 18-digit experiment ids (MLflow's file-store ids,
  // which MLflow's own migrate-filestore writes into SQLite) stay exact.
  database.defaultSafeIntegers(true)
  const db = new Kysely<AnyTables>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  })
  return { dialect: sqliteDialect, db, close: () => db.destroy() }
}

/** Prepared statements kept per connection; the least recently used one is dropped first. */
const STATEMENT_CACHE_SIZE = 256

/**
 * Kysely's SQLite driver prepares every statement each time it runs it, and for the short
 * statements of a write (select the run, insert a row, commit) preparing costs about as much as
 * running. Statements are kept by SQL text and reused; SQLite re-prepares one by itself if the
 * schema changes under it. Safe because Kysely runs one statement at a time per connection.
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => database.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText)
      if (statement) {
        cache.delete(sqlText)
      } else {
        statement = database.prepare(sqlText)
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!)
      }
      cache.set(sqlText, statement)
      return statement
    },
  }
}
