import type { Logger } from '../../core/logger.js'
import type { TrackingLocation } from '../../core/uri.js'
import { connectMysql } from './dialects/mysql.js'
import { connectPostgres } from './dialects/postgres.js'
import type { SqlConnection } from './dialects/sql-dialect.js'
import { connectSqlite } from './dialects/sqlite.js'

export type SqlLocation = Extract<TrackingLocation, { kind: 'sqlite' | 'postgresql' | 'mysql' }>

/** Opens a connection for a parsed SQL tracking URI. */
export function connectSql(location: SqlLocation, logger?: Logger): Promise<SqlConnection> {
  switch (location.kind) {
    case 'sqlite':
      return connectSqlite(location.path)
    case 'postgresql':
      return connectPostgres(location.url, { logger })
    case 'mysql':
      return connectMysql(location.url)
  }
}
