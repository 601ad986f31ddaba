import type { Kysely } from 'kysely'
import type { AnyTables, SqlDialectName } from '../../metadata/sql/dialects/sql-dialect.js'
import { readSchemaFacts, type AppliedMigration, type SchemaFacts } from './inspect.js'
import { HEAD_MIGRATION, MIGRATIONS, OPTIONAL_MIGRATIONS } from './registry.js'
import {
  isReadableRevision,
  MLFLOW_HEAD_REVISION,
  revisionRelation,
  type RevisionRelation,
} from './revisions.js'

/**
 * Where a database stands, and so what trackstore may do with it. What
 * `prepareSchema({ create: true })` and `migrateToLatest` do in each state follows the dash.
 *
 * - `empty`: none of MLflow's tables, no alembic_version, no trackstore record. Creates the
 *   schema.
 * - `incomplete`: trackstore began creating the schema and stopped (MySQL). Finishes it.
 * - `mlflow-current`: MLflow created it at the head; trackstore never migrated it. Records 0001
 *   as a baseline without running it, then applies later migrations.
 * - `pending`: at the head, trackstore migrations left to apply. Applies them.
 * - `current`: at the head, every trackstore migration applied. Nothing.
 * - `other-revision`: alembic_version names another revision, older or unknown (newer MLflow).
 *   Nothing: not writable, readable when listed in READABLE_ALEMBIC_REVISIONS.
 * - `newer-trackstore`: trackstore_migrations names migrations this version does not know.
 *   Nothing: not writable.
 * - `unrecognised`: MLflow tables without a single alembic revision and without a trackstore
 *   record. Nothing: not touched.
 */
export type SchemaState =
  | 'empty'
  | 'incomplete'
  | 'mlflow-current'
  | 'pending'
  | 'current'
  | 'other-revision'
  | 'newer-trackstore'
  | 'unrecognised'

/** States that `migrateToLatest` moves to `current`. */
export const MIGRATABLE_STATES: ReadonlySet<SchemaState> = new Set([
  'empty',
  'incomplete',
  'mlflow-current',
  'pending',
  'current',
])

export const SCHEMA_STATE_DESCRIPTIONS: Readonly<Record<SchemaState, string>> = Object.freeze({
  empty: 'no MLflow schema yet',
  incomplete: 'creating the MLflow schema did not finish',
  'mlflow-current': 'created by MLflow at the head revision; not yet recorded by trackstore',
  pending: 'at the head revision; trackstore migrations pending',
  current: 'at the head revision; all trackstore migrations applied',
  'other-revision': 'at another MLflow alembic revision',
  'newer-trackstore': 'migrated by a newer trackstore',
  unrecognised: 'MLflow tables without a usable alembic revision',
})

export interface SchemaStatus {
  state: SchemaState
  /** trackstore's last migration. */
  head: string
  applied: AppliedMigration[]
  /** trackstore migrations not yet recorded, in the order they would run. */
  pending: string[]
  /** Recorded migrations this version of trackstore does not know. */
  unknownApplied: string[]
  /** `alembic_version.version_num`, or null when there is none (or more than one). */
  alembicRevision: string | null
  expectedAlembicRevision: string
  /** Where alembicRevision sits in MLflow's chain; null when there is no revision. */
  revisionRelation: RevisionRelation | null
  /** The tracking store can read the core tables (see READABLE_ALEMBIC_REVISIONS). */
  readable: boolean
  /** The tracking store may write: MLflow's head schema and nothing of trackstore's pending. */
  writable: boolean
}

export async function inspectSchema(
  db: Kysely<AnyTables>,
  dialect: SqlDialectName,
): Promise<SchemaStatus> {
  return classify(await readSchemaFacts(db, dialect))
}

export function classify(facts: SchemaFacts): SchemaStatus {
  const required = MIGRATIONS.map((migration) => migration.name)
  const known = [...required, ...OPTIONAL_MIGRATIONS.map((migration) => migration.name)]
  const appliedNames = new Set(facts.applied.map((migration) => migration.name))
  const pending = required.filter((name) => !appliedNames.has(name))
  const unknownApplied = facts.applied.map((m) => m.name).filter((name) => !known.includes(name))
  const revision = facts.alembicRevisions.length === 1 ? facts.alembicRevisions[0]! : null
  const first = MIGRATIONS[0]!

  let state: SchemaState
  if (unknownApplied.length > 0) state = 'newer-trackstore'
  else if (revision === MLFLOW_HEAD_REVISION) {
    if (!facts.hasMigrationTable) state = 'mlflow-current'
    else state = pending.length > 0 ? 'pending' : 'current'
  } else if (revision !== null) state = 'other-revision'
  else if (facts.hasMigrationTable && !appliedNames.has(first.name)) state = 'incomplete'
  else if (facts.mlflowTables.length === 0 && !facts.hasAlembicTable && !facts.hasMigrationTable) {
    state = 'empty'
  } else state = 'unrecognised'

  // A database MLflow created needs 0001 only as a record, so it is writable as it stands
  // unless a later trackstore migration is still to run.
  const writable =
    state === 'current' ||
    (state === 'mlflow-current' && pending.every((name) => name === first.name))
  const readable =
    isReadableRevision(revision) && !['incomplete', 'unrecognised', 'empty'].includes(state)
  return {
    state,
    head: HEAD_MIGRATION,
    applied: facts.applied,
    pending,
    unknownApplied,
    alembicRevision: revision,
    expectedAlembicRevision: MLFLOW_HEAD_REVISION,
    revisionRelation: revision === null ? null : revisionRelation(revision),
    readable,
    writable,
  }
}
