import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { invalidParameter, notFound } from '../../core/errors.js'
import { parseTrackingUri, redactUri } from '../../core/uri.js'
import { connectSql } from '../../metadata/sql/connect-sql.js'
import type { SqlConnection } from '../../metadata/sql/dialects/sql-dialect.js'
import {
  BIGINT_EXPERIMENT_IDS,
  getSchemaStatus,
  migrateToLatest,
  schemaError,
  SCHEMA_STATE_DESCRIPTIONS,
  type MigrationReport,
  type SchemaStatus,
} from '../../migrate/index.js'
import { stderrLogger, table, type CliIo } from '../io.js'

/** `trackstore db …`: create, upgrade and inspect the schema of a SQL tracking database. */
export function registerDbCommands(program: Command, io: CliIo): void {
  const db = program
    .command('db')
    .description('create, upgrade and inspect the schema of a SQL tracking database')
  db.command('status')
    .description('show the schema state: alembic revision, applied and pending migrations')
    .argument('<uri>', 'tracking URI: sqlite:///…, postgresql://…, mysql://…')
    .option('--json', 'print the status as JSON')
    .action((uri: string, options: { json?: boolean }) => dbStatus(uri, options, io))
  db.command('upgrade')
    .description(
      "create MLflow's schema in an empty database, or apply trackstore's pending migrations",
    )
    .argument('<uri>', 'tracking URI: sqlite:///…, postgresql://…, mysql://…')
    .option('--json', 'print the result as JSON')
    .option(
      '--widen-experiment-ids',
      'also widen every experiment id column to BIGINT (PostgreSQL, MySQL), so the 18-digit ' +
        'ids of mlruns folders fit (trackstore migration 0003)',
    )
    .option('-v, --verbose', 'log each step to stderr')
    .action((uri: string, options: DbUpgradeOptions) => dbUpgrade(uri, options, io))
}

export async function dbStatus(uri: string, options: { json?: boolean }, io: CliIo): Promise<void> {
  const status = await withConnection(uri, false, getSchemaStatus)
  if (options.json) {
    io.out(JSON.stringify({ uri: redactUri(uri), ...status }, null, 2))
    return
  }
  io.out(formatStatus(uri, status))
}

export interface DbUpgradeOptions {
  json?: boolean
  verbose?: boolean
  widenExperimentIds?: boolean
}

export async function dbUpgrade(uri: string, options: DbUpgradeOptions, io: CliIo): Promise<void> {
  const logger = stderrLogger(io, options.verbose ?? false)
  const include = options.widenExperimentIds ? [BIGINT_EXPERIMENT_IDS] : []
  const report = await withConnection(uri, true, (conn) =>
    migrateToLatest(conn, { logger, uri, include }),
  )
  if (options.json) {
    io.out(JSON.stringify({ uri: redactUri(uri), ...report }, null, 2))
    return
  }
  io.out(formatUpgrade(report))
}

async function withConnection<T>(
  uri: string,
  create: boolean,
  work: (conn: SqlConnection) => Promise<T>,
): Promise<T> {
  const location = parseTrackingUri(uri)
  if (location.kind === 'file') {
    throw invalidParameter(
      `'trackstore db' works on SQL tracking URIs (sqlite:, postgresql:, mysql:); ` +
        `${JSON.stringify(uri)} names a file store, which has no schema`,
    )
  }
  if (!create && location.kind === 'sqlite' && location.path !== ':memory:') {
    if (!existsSync(location.path)) throw notFound(`No SQLite database at ${location.path}`)
  }
  const conn = await connectSql(location)
  try {
    return await work(conn)
  } finally {
    await conn.close()
  }
}

function formatStatus(uri: string, status: SchemaStatus): string {
  const yesNo = (value: boolean): string => (value ? 'yes' : 'no')
  const applied = status.applied.map(
    (m) => `${m.name}  ${new Date(m.appliedAt).toISOString()}${m.baseline ? '  (baseline)' : ''}`,
  )
  const rows: [string, string][] = [
    ['Database', redactUri(uri)],
    ['State', `${status.state}: ${SCHEMA_STATE_DESCRIPTIONS[status.state]}`],
    [
      'Alembic revision',
      `${status.alembicRevision ?? 'none'} (expected ${status.expectedAlembicRevision})`,
    ],
    ['Readable', yesNo(status.readable)],
    ['Writable', yesNo(status.writable)],
    ['Head migration', status.head],
    ['Applied', applied.length > 0 ? applied.join('\n' + ' '.repeat(18)) : 'none'],
    ['Pending', status.pending.length > 0 ? status.pending.join(', ') : 'none'],
  ]
  if (status.unknownApplied.length > 0) {
    rows.push(['Unknown applied', status.unknownApplied.join(', ')])
  }
  let text = table(rows)
  if (!status.writable && status.state !== 'mlflow-current') {
    text += `\n\n${schemaError(status, redactUri(uri)).message}`
  }
  return text
}

function formatUpgrade(report: MigrationReport): string {
  const revision = report.status.alembicRevision ?? 'none'
  const lines: string[] = []
  if (report.executed.length === 0 && report.baselined.length === 0) {
    lines.push(`Already current: alembic revision ${revision}, migration ${report.status.head}.`)
  }
  for (const name of report.baselined) {
    lines.push(`Recorded ${name} as applied: MLflow created this schema at ${revision}.`)
  }
  for (const name of report.executed) lines.push(`Applied ${name}.`)
  if (report.executed.length > 0 && ['empty', 'incomplete'].includes(report.before)) {
    lines.push(`Created MLflow's schema at alembic revision ${revision}.`)
  }
  return lines.join('\n')
}
