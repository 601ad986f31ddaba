/**
 * Schema migrations for SQL stores: MLflow's head schema created by migration 0001 from the
 * top-level `schema/` files, trackstore's own later migrations, the status of a database, and
 * the alembic revisions the tracking store can read.
 */
export {
  assertReadable,
  assertWritable,
  getSchemaStatus,
  migrateToLatest,
  prepareSchema,
  schemaError,
  type MigrateOptions,
  type MigrationReport,
  type PreparedSchema,
  type PrepareOptions,
} from './migrations/runner.js'
export {
  MIGRATABLE_STATES,
  SCHEMA_STATE_DESCRIPTIONS,
  type SchemaState,
  type SchemaStatus,
} from './migrations/status.js'
export { MIGRATION_TABLE, MLFLOW_TABLES, type AppliedMigration } from './migrations/inspect.js'
export { HEAD_MIGRATION, MIGRATIONS, OPTIONAL_MIGRATIONS } from './migrations/registry.js'
export { BIGINT_EXPERIMENT_IDS, WIDENED_TABLES } from './migrations/0003-bigint-experiment-ids.js'
export { STATE_TABLE } from './migrations/0002-trackstore-state.js'
export type { MigrationContext, TrackstoreMigration } from './migrations/migration.js'
export {
  FIRST_READABLE_REVISION,
  isReadableRevision,
  MLFLOW_ALEMBIC_REVISIONS,
  MLFLOW_HEAD_REVISION,
  READABLE_ALEMBIC_REVISIONS,
  revisionRelation,
  type RevisionRelation,
} from './migrations/revisions.js'
export { SCHEMA_DIR, schemaFilePath, splitStatements } from './migrations/schema-file.js'
