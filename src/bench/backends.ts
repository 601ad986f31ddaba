/**
 * Where each backend's storage comes from during a benchmark: a temporary folder for SQLite, the
 * file store, the raw baseline and local artifacts; a fresh, uniquely named database on the
 * PostgreSQL and MySQL servers (dropped afterwards); a unique prefix in an S3 or GCS bucket when
 * an endpoint is configured. Nothing here measures anything.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { openMetadataStore } from '../index.js'
import type { BackendFamily } from './types.js'

/** Where the benchmark finds its servers; see {@link benchSettingsFromEnv}. */
export interface BenchSettings {
  /** An administrative URL; each session creates and drops its own database on that server. */
  readonly postgresUrl: string
  readonly mysqlUrl: string
  /** `s3://bucket[/prefix]` of an existing bucket, when MLFLOW_S3_ENDPOINT_URL is set. */
  readonly s3Uri: string | null
  /** `gs://bucket[/prefix]`, when STORAGE_EMULATOR_HOST is set. */
  readonly gcsUri: string | null
}

export const DEFAULT_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test'
export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/test'
export const DEFAULT_BUCKET_URI = 'trackstore-bench'

/**
 * TRACKSTORE_BENCH_POSTGRES_URL and TRACKSTORE_BENCH_MYSQL_URL override the local servers.
 * Object stores are benchmarked only when MLflow's own variables point at an endpoint:
 * MLFLOW_S3_ENDPOINT_URL (bucket from TRACKSTORE_BENCH_S3_URI, default s3://trackstore-bench,
 * which must exist) and STORAGE_EMULATOR_HOST (TRACKSTORE_BENCH_GCS_URI, default
 * gs://trackstore-bench).
 */
export function benchSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  return {
    postgresUrl: env.TRACKSTORE_BENCH_POSTGRES_URL || DEFAULT_POSTGRES_URL,
    mysqlUrl: env.TRACKSTORE_BENCH_MYSQL_URL || DEFAULT_MYSQL_URL,
    s3Uri: env.MLFLOW_S3_ENDPOINT_URL
      ? env.TRACKSTORE_BENCH_S3_URI || `s3://${DEFAULT_BUCKET_URI}`
      : null,
    gcsUri: env.STORAGE_EMULATOR_HOST
      ? env.TRACKSTORE_BENCH_GCS_URI || `gs://${DEFAULT_BUCKET_URI}`
      : null,
  }
}

/** Storage made for one session, and how to remove it. */
export interface ProvisionedStorage {
  readonly uri: string
  dispose(): Promise<void>
}

export interface BackendProvider {
  readonly name: string
  readonly family: BackendFamily
  /** The raw better-sqlite3 baseline rather than a trackstore store. */
  readonly baseline: boolean
  /** `null` when the backend can be benchmarked here, else why not. */
  check(): Promise<string | null>
  provision(scratchDir: string): Promise<ProvisionedStorage>
  /** `[label, version]` of the server behind the backend, where there is one. */
  serverVersion?(): Promise<[string, string]>
}

function uniqueName(): string {
  return `ts_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

const folderOnly = (uri: string): ProvisionedStorage => ({ uri, dispose: async () => {} })

async function withPostgres<T>(url: string, work: (client: PgClient) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

interface PgClient {
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>
}

async function withMysql<T>(url: string, work: (client: MysqlClient) => Promise<T>): Promise<T> {
  const mysql = await import('mysql2/promise')
  const connection = await mysql.createConnection({ uri: url, connectTimeout: 5000 })
  try {
    return await work(connection as unknown as MysqlClient)
  } finally {
    await connection.end()
  }
}

interface MysqlClient {
  query(text: string): Promise<[unknown, unknown]>
}

async function temporaryFolder(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'trackstore-bench-check-'))
}

/** Every backend the benchmark knows; `--backends` picks among these names. */
export function backendProviders(settings: BenchSettings): BackendProvider[] {
  return [
    {
      name: 'baseline',
      family: 'metadata',
      baseline: true,
      check: async () => null,
      provision: async (scratchDir) => folderOnly(scratchDir),
    },
    {
      name: 'sqlite',
      family: 'metadata',
      baseline: false,
      check: async () => null,
      provision: async (scratchDir) => folderOnly(`sqlite:///${path.join(scratchDir, 'bench.db')}`),
    },
    {
      name: 'file',
      family: 'metadata',
      baseline: false,
      async check() {
        const folder = await temporaryFolder()
        try {
          const store = await openMetadataStore(path.join(folder, 'mlruns'))
          await store.close()
          return null
        } catch (error) {
          return `the file store could not be opened: ${message(error)}`
        } finally {
          await fs.rm(folder, { recursive: true, force: true })
        }
      },
      provision: async (scratchDir) => folderOnly(path.join(scratchDir, 'mlruns')),
    },
    {
      name: 'postgresql',
      family: 'metadata',
      baseline: false,
      async check() {
        try {
          await withPostgres(settings.postgresUrl, (client) => client.query('SELECT 1'))
          return null
        } catch (error) {
          return `PostgreSQL is unreachable (${message(error)})`
        }
      },
      async provision() {
        const name = uniqueName()
        await withPostgres(settings.postgresUrl, (client) =>
          client.query(`CREATE DATABASE ${name}`),
        )
        return {
          uri: withDatabase(settings.postgresUrl, name),
          dispose: async () => {
            await withPostgres(settings.postgresUrl, (client) =>
              client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
            )
          },
        }
      },
      async serverVersion() {
        const rows = await withPostgres(settings.postgresUrl, async (client) => {
          return (await client.query('SHOW server_version')).rows
        })
        return ['postgres server', String(rows[0]?.server_version ?? 'unknown')]
      },
    },
    {
      name: 'mysql',
      family: 'metadata',
      baseline: false,
      async check() {
        try {
          await withMysql(settings.mysqlUrl, (client) => client.query('SELECT 1'))
          return null
        } catch (error) {
          return `MySQL is unreachable (${message(error)})`
        }
      },
      async provision() {
        const name = uniqueName()
        await withMysql(settings.mysqlUrl, (client) => client.query(`CREATE DATABASE ${name}`))
        return {
          uri: withDatabase(settings.mysqlUrl, name),
          dispose: async () => {
            await withMysql(settings.mysqlUrl, (client) =>
              client.query(`DROP DATABASE IF EXISTS ${name}`),
            )
          },
        }
      },
      async serverVersion() {
        const [rows] = await withMysql(settings.mysqlUrl, (client) =>
          client.query('SELECT VERSION() AS version'),
        )
        const version = String((rows as { version?: string }[])[0]?.version ?? 'unknown')
        return [/mariadb/i.test(version) ? 'mariadb server' : 'mysql server', version]
      },
    },
    {
      name: 'local',
      family: 'artifacts',
      baseline: false,
      check: async () => null,
      provision: async (scratchDir) => folderOnly(path.join(scratchDir, 'artifact-root')),
    },
    objectStoreProvider('s3', settings.s3Uri, 'MLFLOW_S3_ENDPOINT_URL'),
    objectStoreProvider('gcs', settings.gcsUri, 'STORAGE_EMULATOR_HOST'),
  ]
}

function objectStoreProvider(
  name: string,
  rootUri: string | null,
  variable: string,
): BackendProvider {
  return {
    name,
    family: 'artifacts',
    baseline: false,
    check: async () => (rootUri === null ? `${variable} is not set` : null),
    provision: async () => folderOnly(`${rootUri!.replace(/\/+$/, '')}/${uniqueName()}`),
  }
}
