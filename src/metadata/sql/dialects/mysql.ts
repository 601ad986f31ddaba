import { escapeLikeBackslashes } from '../../search/like.js'
import { Kysely, MysqlDialect, sql } from 'kysely'
import { importDriver, type AnyTables, type SqlConnection, type SqlDialect } from './sql-dialect.js'

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  maxBindParameters: 65535,
  supportsRowLocks: true,
  toBoolean: (value) => (value ? 1 : 0),
  // The next auto-increment value already follows the largest id.
  syncExperimentIdGenerator: async () => {},
  ignoreDuplicates: (query, keyColumns) =>
    query.onDuplicateKeyUpdate({ [keyColumns[0]!]: sql.ref(keyColumns[0]!) } as never),
  upsert: (query, _keyColumns, updateColumns) =>
    query.onDuplicateKeyUpdate(
      Object.fromEntries(
        updateColumns.map((column) => [column, sql`VALUES(${sql.ref(column)})`]),
      ) as never,
    ),
  // The default collation (utf8mb4_general_ci) ignores case: BINARY makes =, != and LIKE exact.
  compareText: (column, comparator, value) =>
    comparator === 'ILIKE'
      ? sql<boolean>`lower(${column}) LIKE lower(${escapeLikeBackslashes(value)})`
      : sql<boolean>`${column} ${sql.raw(comparator)} BINARY ${
          comparator === 'LIKE' ? escapeLikeBackslashes(value) : value
        }`,
}

/**
 * Opens a pooled MySQL/MariaDB connection. Every session allows an explicit experiment id 0
 * (`NO_AUTO_VALUE_ON_ZERO`, as MLflow does for the Default experiment) and uses utf8mb4.
 */
export async function connectMysql(url: string, poolSize = 10): Promise<SqlConnection> {
  const mysql = await importDriver('mysql2', () => import('mysql2'))
  const pool = mysql.default.createPool({
    uri: url,
    connectionLimit: poolSize,
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4',
    multipleStatements: false,
  })
  pool.on('connection', (connection) => {
    connection.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')")
  })
  const db = new Kysely<AnyTables>({ dialect: new MysqlDialect({ pool }) })
  return { dialect: mysqlDialect, db, close: () => db.destroy() }
}
