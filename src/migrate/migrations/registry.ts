import { mlflowHeadSchema } from './0001-mlflow-head-schema.js'
import { trackstoreState } from './0002-trackstore-state.js'
import { bigintExperimentIds } from './0003-bigint-experiment-ids.js'
import type { TrackstoreMigration } from './migration.js'

/** trackstore's migrations in the order they run. Add a new one at the end. */
export const MIGRATIONS: readonly TrackstoreMigration[] = Object.freeze([
  mlflowHeadSchema,
  trackstoreState,
])

/** The last migration: a database that has it and every one before is current. */
export const HEAD_MIGRATION: string = MIGRATIONS[MIGRATIONS.length - 1]!.name

/**
 * Migrations that run only when asked for by name (`migrateToLatest({ include })`), never as
 * part of bringing a database up to date. A database without them is current.
 */
export const OPTIONAL_MIGRATIONS: readonly TrackstoreMigration[] = Object.freeze([
  bigintExperimentIds,
])
