import type { Kysely } from 'kysely'
import type { Logger } from '../../core/logger.js'
import type { AnyTables, SqlDialectName } from '../../metadata/sql/dialects/sql-dialect.js'

/** What every migration receives. `db` is bound to the one connection that holds the lock. */
export interface MigrationContext {
  readonly db: Kysely<AnyTables>
  readonly dialect: SqlDialectName
  /** True when the whole run is one transaction (SQLite, PostgreSQL); false on MySQL. */
  readonly transactional: boolean
  readonly logger: Logger
}

/** One numbered trackstore migration. Names sort in the order they run. */
export interface TrackstoreMigration {
  /** `NNNN-kebab-name`, recorded in `trackstore_migrations`. */
  readonly name: string
  /** One line for `trackstore db status`. */
  readonly description: string
  /**
   * Set on a migration that creates MLflow's schema: a database MLflow itself created at this
   * alembic revision already has what the migration makes, so it is recorded without running.
   */
  readonly baselineRevision?: string
  up(context: MigrationContext): Promise<void>
}
