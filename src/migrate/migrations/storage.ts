import type { UmzugStorage } from 'umzug'
import { MIGRATION_TABLE } from './inspect.js'
import type { MigrationContext } from './migration.js'

/**
 * umzug's record of applied migrations, kept in `trackstore_migrations` in the database being
 * migrated (so the record commits or rolls back with the migration where DDL is transactional).
 * The table is created on demand; `alembic_version` stays MLflow's alone.
 */
export class MigrationTableStorage implements UmzugStorage<MigrationContext> {
  async ensureTable({ db }: MigrationContext): Promise<void> {
    await db.schema
      .createTable(MIGRATION_TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (column) => column.notNull().primaryKey())
      .addColumn('applied_at', 'bigint', (column) => column.notNull())
      .addColumn('baseline', 'integer', (column) => column.notNull().defaultTo(0))
      .execute()
  }

  async executed({ context }: { context: MigrationContext }): Promise<string[]> {
    const rows = await context.db
      .selectFrom(MIGRATION_TABLE)
      .select('name')
      .orderBy('name')
      .execute()
    return rows.map((row) => String(row.name))
  }

  async logMigration({
    name,
    context,
  }: {
    name: string
    context: MigrationContext
  }): Promise<void> {
    await this.#record(context, name, false)
  }

  /** Records a migration as applied without running it (see `baselineRevision`). */
  async logBaseline(context: MigrationContext, name: string): Promise<void> {
    await this.#record(context, name, true)
  }

  async unlogMigration({
    name,
    context,
  }: {
    name: string
    context: MigrationContext
  }): Promise<void> {
    await context.db.deleteFrom(MIGRATION_TABLE).where('name', '=', name).execute()
  }

  async #record(context: MigrationContext, name: string, baseline: boolean): Promise<void> {
    await context.db
      .insertInto(MIGRATION_TABLE)
      .values({ name, applied_at: Date.now(), baseline: baseline ? 1 : 0 })
      .execute()
  }
}
