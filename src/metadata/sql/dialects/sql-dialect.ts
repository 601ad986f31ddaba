import type { Expression, InsertQueryBuilder, Kysely, RawBuilder, SqlBool } from 'kysely'
import { TrackstoreError } from '../../../core/errors.js'
import type { TrackingDatabase } from '../tables.js'

export type SqlDialectName = 'sqlite' | 'postgresql' | 'mysql'

/**
 * What differs between the SQL dialects, and nothing else: the store is written once against
 * Kysely and asks its dialect only these questions.
 */
export interface SqlDialect {
  readonly name: SqlDialectName
  /** Most bind parameters one statement may carry; multi-row inserts are chunked under it. */
  readonly maxBindParameters: number
  /**
   * Whether `SELECT … FOR UPDATE` locks rows. Writes to one run lock its row so that concurrent
   * writers cannot lose a latest_metrics update; SQLite serialises writers on its own.
   */
  readonly supportsRowLocks: boolean
  /**
   * Moves the experiment id generator past ids inserted explicitly (PostgreSQL's sequence does
   * not follow them; SQLite and MySQL's auto-increment do).
   */
  syncExperimentIdGenerator(db: Kysely<AnyTables>): Promise<void>
  /** How `is_nan` and other booleans are written. */
  toBoolean(value: boolean): boolean | number
  /** Makes a multi-row insert skip rows whose primary key exists (never other errors). */
  ignoreDuplicates(query: AnyInsert, keyColumns: string[]): AnyInsert
  /** Makes a multi-row insert overwrite `updateColumns` of rows whose primary key exists. */
  upsert(query: AnyInsert, keyColumns: string[], updateColumns: string[]): AnyInsert
  /**
   * A string comparison with MLflow's case rules: `=`, `!=` and `LIKE` case-sensitive on every
   * dialect (MySQL's default collation is not), `ILIKE` case-insensitive.
   */
  compareText(
    column: Expression<unknown>,
    comparator: '=' | '!=' | 'LIKE' | 'ILIKE',
    value: string,
  ): RawBuilder<SqlBool>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyInsert = InsertQueryBuilder<any, any, any>

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTables = TrackingDatabase & Record<string, any>

/** An open connection: a Kysely instance over MLflow's tables plus its dialect. */
export interface SqlConnection {
  readonly dialect: SqlDialect
  readonly db: Kysely<AnyTables>
  close(): Promise<void>
}

/** Loads a driver package on first use, with a clear error when it is not installed. */
export async function importDriver<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw new TrackstoreError(
      'INTERNAL_ERROR',
      `Cannot load the database driver '${name}'. Install it with: npm install ${name}`,
      { cause: error },
    )
  }
}
