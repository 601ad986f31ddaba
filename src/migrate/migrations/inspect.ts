import { sql, type Kysely } from 'kysely'
import type { AnyTables, SqlDialectName } from '../../metadata/sql/dialects/sql-dialect.js'

/** trackstore's own record of applied migrations; never `alembic_version`. */
export const MIGRATION_TABLE = 'trackstore_migrations'

/** The tables MLflow creates at the head besides `alembic_version` (47 of the 48). */
export const MLFLOW_TABLES: readonly string[] = Object.freeze(
  `experiments experiment_tags runs metrics latest_metrics params tags datasets inputs input_tags
  registered_models registered_model_tags model_versions model_version_tags registered_model_aliases
  trace_info trace_tags trace_request_metadata trace_metrics assessments spans span_metrics
  logged_models logged_model_metrics logged_model_params logged_model_tags entity_associations
  webhooks webhook_events scorers scorer_versions online_scoring_configs evaluation_datasets
  evaluation_dataset_tags evaluation_dataset_records jobs secrets endpoints model_definitions
  endpoint_model_mappings endpoint_bindings endpoint_tags budget_policies guardrails
  guardrail_configs workspaces issues`.split(/\s+/),
)

/** The names of the tables in the connection's current schema (or database, on MySQL). */
export async function listTables(
  db: Kysely<AnyTables>,
  dialect: SqlDialectName,
): Promise<string[]> {
  const query =
    dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'table'`
      : dialect === 'postgresql'
        ? sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema()`
        : sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = database()`
  const { rows } = await query.execute(db)
  return rows.map((row) => row.name)
}

/** Whether a table or trigger of that name exists (used to resume a MySQL migration). */
export async function objectExists(
  db: Kysely<AnyTables>,
  dialect: SqlDialectName,
  kind: 'table' | 'trigger',
  name: string,
): Promise<boolean> {
  if (kind === 'table') return (await listTables(db, dialect)).includes(name)
  const query =
    dialect === 'sqlite'
      ? sql`select 1 from sqlite_master where type = 'trigger' and name = ${name}`
      : dialect === 'postgresql'
        ? sql`select 1 from pg_trigger where tgname = ${name} and not tgisinternal`
        : sql`select 1 from information_schema.triggers
            where trigger_schema = database() and trigger_name = ${name}`
  const { rows } = await query.execute(db)
  return rows.length > 0
}

/** What a database holds, read without changing it. */
export interface SchemaFacts {
  /** MLflow's tables (other than alembic_version) that exist. */
  mlflowTables: string[]
  hasAlembicTable: boolean
  /** Every version_num row of alembic_version (MLflow keeps exactly one). */
  alembicRevisions: string[]
  hasMigrationTable: boolean
  applied: AppliedMigration[]
}

export interface AppliedMigration {
  name: string
  /** Milliseconds since the epoch. */
  appliedAt: number
  /** Recorded without running, because MLflow had already created what it makes. */
  baseline: boolean
}

export async function readSchemaFacts(
  db: Kysely<AnyTables>,
  dialect: SqlDialectName,
): Promise<SchemaFacts> {
  const tables = new Set(await listTables(db, dialect))
  const hasAlembicTable = tables.has('alembic_version')
  const hasMigrationTable = tables.has(MIGRATION_TABLE)
  const alembicRevisions = hasAlembicTable
    ? (await db.selectFrom('alembic_version').select('version_num').execute()).map((row) =>
        String(row.version_num),
      )
    : []
  const applied = hasMigrationTable
    ? (
        await db
          .selectFrom(MIGRATION_TABLE)
          .select(['name', 'applied_at', 'baseline'])
          .orderBy('name')
          .execute()
      ).map((row) => ({
        name: String(row.name),
        appliedAt: Number(row.applied_at),
        baseline: Number(row.baseline) === 1,
      }))
    : []
  return {
    mlflowTables: MLFLOW_TABLES.filter((name) => tables.has(name)),
    hasAlembicTable,
    alembicRevisions,
    hasMigrationTable,
    applied,
  }
}
