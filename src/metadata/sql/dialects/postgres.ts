import { Kysely, PostgresDialect } from 'kysely'
import { importDriver, type AnyTables, type SqlConnection, type SqlDialect } from './sql-dialect.js'

export const postgresDialect: SqlDialect = {
  name: 'postgresql',
  maxBindParameters: 65535,
  toBoolean: (value) => value,
}

const INT8_OID = 20

/** Opens a pooled PostgreSQL connection; BIGINT columns are read as numbers. */
export async function connectPostgres(url: string, poolSize = 10): Promise<SqlConnection> {
  const pg = await importDriver('pg', () => import('pg'))
  const { Pool, types } = pg.default
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : types.getTypeParser(oid, format ?? 'text')) as typeof types.getTypeParser,
    },
  })
  const db = new Kysely<AnyTables>({ dialect: new PostgresDialect({ pool }) })
  return { dialect: postgresDialect, db, close: () => db.destroy() }
}
