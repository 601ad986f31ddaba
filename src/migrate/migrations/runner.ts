import { MigrationError, Umzug } from 'umzug'
import {
  SchemaVersionError,
  TrackstoreError,
  internalError,
  invalidParameter,
} from '../../core/errors.js'
import { silentLogger, type Logger } from '../../core/logger.js'
import { redactUri } from '../../core/uri.js'
import type { SqlConnection } from '../../metadata/sql/dialects/sql-dialect.js'
import { withMigrationLock } from './lock.js'
import type { MigrationContext } from './migration.js'
import { MIGRATIONS, OPTIONAL_MIGRATIONS } from './registry.js'
import { inspectSchema, MIGRATABLE_STATES, type SchemaState, type SchemaStatus } from './status.js'
import { MigrationTableStorage } from './storage.js'

export interface MigrateOptions {
  logger?: Logger
  /** The tracking URI, named (redacted) in the upgrade command of error messages. */
  uri?: string
  /** Optional migrations to apply too (see OPTIONAL_MIGRATIONS), by name. */
  include?: readonly string[]
}

export interface MigrationReport {
  /** The state found once the lock was held. */
  before: SchemaState
  /** Migrations that ran, in order. */
  executed: string[]
  /** Migrations recorded without running (a database MLflow created at the head). */
  baselined: string[]
  /** The status after the run. */
  status: SchemaStatus
}

/** Reads where a database stands; changes nothing. */
export function getSchemaStatus(conn: SqlConnection): Promise<SchemaStatus> {
  return inspectSchema(conn.db, conn.dialect.name)
}

/**
 * Brings a database to trackstore's latest migration: creates MLflow's head schema in an empty
 * (or `incomplete`) database, records 0001 as a baseline in one MLflow created at the head, and
 * applies pending trackstore migrations. Runs under the database's migration lock and decides
 * from the state read after taking it, so concurrent callers apply each migration once. Running
 * it again changes nothing.
 *
 * @throws SchemaVersionError (INVALID_STATE) when the database is at another alembic revision,
 *   was migrated by a newer trackstore, or holds MLflow tables trackstore cannot place.
 */
export async function migrateToLatest(
  conn: SqlConnection,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const logger = options.logger ?? silentLogger
  const optional = (options.include ?? []).map((name) => {
    const migration = OPTIONAL_MIGRATIONS.find((candidate) => candidate.name === name)
    if (!migration) {
      throw invalidParameter(
        `Unknown optional migration '${name}'; known: ` +
          OPTIONAL_MIGRATIONS.map((candidate) => candidate.name).join(', '),
      )
    }
    return migration
  })
  const selected = [...MIGRATIONS, ...optional].sort((a, b) => a.name.localeCompare(b.name))
  return withMigrationLock(conn, async (db, transactional) => {
    const context: MigrationContext = { db, dialect: conn.dialect.name, transactional, logger }
    const found = await inspectSchema(db, context.dialect)
    if (!MIGRATABLE_STATES.has(found.state)) {
      throw schemaError(found, options.uri === undefined ? undefined : redactUri(options.uri))
    }
    const appliedNames = new Set(found.applied.map((migration) => migration.name))
    if (found.state === 'current' && optional.every((m) => appliedNames.has(m.name))) {
      return { before: found.state, executed: [], baselined: [], status: found }
    }

    const storage = new MigrationTableStorage()
    await storage.ensureTable(context)
    const baselined: string[] = []
    if (found.state === 'mlflow-current') {
      for (const migration of MIGRATIONS) {
        if (migration.baselineRevision !== found.alembicRevision) continue
        logger.info(`Recording ${migration.name} as applied: MLflow created this schema`)
        await storage.logBaseline(context, migration.name)
        baselined.push(migration.name)
      }
    }

    const umzug = new Umzug<MigrationContext>({
      migrations: selected.map((migration) => ({
        name: migration.name,
        up: async ({ context: ctx }) => {
          logger.info(`Applying ${migration.name}: ${migration.description}`)
          const started = Date.now()
          await migration.up(ctx)
          logger.info(`Applied ${migration.name}`, { durationMs: Date.now() - started })
        },
      })),
      context,
      storage,
      logger: undefined,
    })
    let executed: string[]
    try {
      executed = (await umzug.up()).map((migration) => migration.name)
    } catch (error) {
      throw migrationFailure(error, transactional)
    }
    return {
      before: found.state,
      executed,
      baselined,
      status: await inspectSchema(db, context.dialect),
    }
  })
}

export interface PrepareOptions {
  logger?: Logger
  /**
   * May the database be changed? When true, a database in a migratable state (empty,
   * incomplete, created by MLflow at the head, trackstore migrations pending) is migrated, as
   * MLflow creates its schema on first open. When false, it is only inspected.
   */
  create: boolean
  /** The tracking URI, named (redacted) in the upgrade command of error messages. */
  uri?: string
}

export interface PreparedSchema {
  state: SchemaState
  readable: boolean
  writable: boolean
  /** The alembic revision found (after migrating, when it migrated). */
  revision: string | null
  expectedRevision: string
  executed: string[]
  baselined: string[]
  /** Why writes are refused (the error to throw on a write), or null when writable. */
  readOnlyReason: SchemaVersionError | null
  status: SchemaStatus
}

/**
 * What the composition root calls when it opens a SQL store. It never upgrades an older MLflow
 * revision: a database the store can read but not write comes back with `writable: false` and
 * the `readOnlyReason` to throw on a write.
 *
 * @throws SchemaVersionError (INVALID_STATE) when the store cannot even read the database: no
 *   schema and `create: false`, an unrecognised schema, or a revision whose core tables differ.
 */
export async function prepareSchema(
  conn: SqlConnection,
  options: PrepareOptions,
): Promise<PreparedSchema> {
  let status = await getSchemaStatus(conn)
  let executed: string[] = []
  let baselined: string[] = []
  if (options.create && status.state !== 'current' && MIGRATABLE_STATES.has(status.state)) {
    const report = await migrateToLatest(conn, { logger: options.logger, uri: options.uri })
    ;({ executed, baselined, status } = report)
  }
  const uri = options.uri === undefined ? undefined : redactUri(options.uri)
  if (!status.readable) throw schemaError(status, uri)
  return {
    state: status.state,
    readable: status.readable,
    writable: status.writable,
    revision: status.alembicRevision,
    expectedRevision: status.expectedAlembicRevision,
    executed,
    baselined,
    readOnlyReason: status.writable ? null : schemaError(status, uri),
    status,
  }
}

type StatusLike = SchemaStatus | PreparedSchema

const statusOf = (value: StatusLike): SchemaStatus => ('status' in value ? value.status : value)

/**
 * Throws unless the tracking store may write to the database.
 * @param uri named in the message's upgrade command (give it redacted); `<uri>` otherwise.
 * @throws SchemaVersionError (INVALID_STATE) naming the revision found, the one expected and
 *   the command that upgrades.
 */
export function assertWritable(value: StatusLike, uri = '<uri>'): void {
  const status = statusOf(value)
  if (!status.writable) throw schemaError(status, uri)
}

/** Throws unless the tracking store can read the database (see READABLE_ALEMBIC_REVISIONS). */
export function assertReadable(value: StatusLike, uri = '<uri>'): void {
  const status = statusOf(value)
  if (!status.readable) throw schemaError(status, uri)
}

/** The error for a database trackstore will not write, with what to do about it. */
export function schemaError(status: SchemaStatus, uri = '<uri>'): SchemaVersionError {
  const found = status.alembicRevision
  const expected = status.expectedAlembicRevision
  const upgrade = `trackstore db upgrade ${uri}`
  const what =
    `\`${upgrade}\` creates MLflow's schema in an empty database and applies trackstore's own ` +
    `migrations to a database at ${expected}; it cannot yet upgrade older MLflow revisions.`
  let message: string
  switch (status.state) {
    case 'empty':
      message = `The database has no MLflow schema yet. Create it with \`${upgrade}\`.`
      break
    case 'incomplete':
      message =
        `Creating MLflow's schema in this database did not finish. ` +
        `Finish it with \`${upgrade}\`.`
      break
    case 'pending':
    case 'mlflow-current':
      message =
        `The database is at alembic revision ${expected}, but trackstore migrations are ` +
        `pending: ${status.pending.join(', ')}. Apply them with \`${upgrade}\`.`
      break
    case 'current':
      message = `The database is current (alembic revision ${expected}).`
      break
    case 'other-revision':
      message =
        status.revisionRelation === 'older'
          ? `The database is at MLflow alembic revision ${found}, but trackstore writes ` +
            `${expected} (MLflow 3.11), so writes are refused` +
            (status.readable ? ' (reads work: its core tracking tables match). ' : '. ') +
            `${what} Upgrade it with MLflow 3.11 first (\`mlflow db upgrade ${uri}\`), ` +
            `then run \`${upgrade}\`.`
          : `The database is at alembic revision ${found}, which is not in MLflow 3.11's ` +
            `chain (a newer MLflow wrote it?); trackstore writes ${expected}, so it does not ` +
            `write this database. ${what}`
      break
    case 'newer-trackstore':
      message =
        `The database was migrated by a newer trackstore (unknown migrations: ` +
        `${status.unknownApplied.join(', ')}); upgrade trackstore to write to it.`
      break
    case 'unrecognised':
      message =
        `The database holds MLflow tables but ` +
        (found === null ? 'no single alembic revision' : `alembic revision ${found}`) +
        ` and no trackstore record, so trackstore does not touch it (expected alembic ` +
        `revision ${expected}). ${what}`
      break
  }
  return new SchemaVersionError(found, expected, message)
}

function migrationFailure(error: unknown, transactional: boolean): TrackstoreError {
  const original = error instanceof MigrationError ? error.cause : error
  if (original instanceof TrackstoreError) return original
  const name = error instanceof MigrationError ? error.migration.name : 'a migration'
  const detail = original instanceof Error ? original.message : String(original)
  const after = transactional
    ? 'Nothing was changed.'
    : 'MySQL keeps the DDL that ran; running the migrations again resumes from there.'
  return internalError(`Migration ${name} failed: ${detail}. ${after}`, original)
}
