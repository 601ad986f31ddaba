/**
 * Real database servers for tests. Each test file asks for a fresh, uniquely named database and
 * drops it afterwards. URLs come from TRACKSTORE_TEST_POSTGRES_URL and TRACKSTORE_TEST_MYSQL_URL,
 * defaulting to the local servers. An unreachable server makes that backend's tests skip with a
 * loud message, except under CI=true, where `test/support/global-setup.ts` fails the run first.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'

export const POSTGRES_URL =
  process.env.TRACKSTORE_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
export const MYSQL_URL = process.env.TRACKSTORE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

export type ServerKind = 'postgresql' | 'mysql'

export interface TestDatabase {
  /** A tracking URI for the new database. */
  uri: string
  drop(): Promise<void>
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

function uniqueName(): string {
  return `ts_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
}

export async function probe(kind: ServerKind): Promise<string | null> {
  try {
    if (kind === 'postgresql') {
      const client = new pg.Client({
        connectionString: POSTGRES_URL,
        connectionTimeoutMillis: 3000,
      })
      await client.connect()
      await client.end()
    } else {
      const connection = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3000 })
      await connection.end()
    }
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

const availability = new Map<ServerKind, Promise<string | null>>()

/**
 * Whether a server is reachable. Logs a loud warning when it is not; under CI=true the global
 * setup has already failed the run, so a skip can never pass silently there.
 */
export async function serverAvailable(kind: ServerKind): Promise<boolean> {
  if (!availability.has(kind)) availability.set(kind, probe(kind))
  const problem = await availability.get(kind)!
  if (problem !== null) {
    const url = kind === 'postgresql' ? POSTGRES_URL : MYSQL_URL
    console.warn(`\n!!! ${kind} at ${url} is unreachable (${problem}): its tests are SKIPPED\n`)
    if (process.env.CI === 'true') throw new Error(`${kind} is required under CI=true`)
  }
  return problem === null
}

export async function createTestDatabase(kind: ServerKind): Promise<TestDatabase> {
  const name = uniqueName()
  if (kind === 'postgresql') {
    const admin = new pg.Client({ connectionString: POSTGRES_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    return {
      uri: withDatabase(POSTGRES_URL, name),
      drop: async () => {
        const client = new pg.Client({ connectionString: POSTGRES_URL })
        await client.connect()
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await client.end()
      },
    }
  }
  const admin = await mysql.createConnection({ uri: MYSQL_URL })
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
  await admin.end()
  return {
    uri: withDatabase(MYSQL_URL, name),
    drop: async () => {
      const connection = await mysql.createConnection({ uri: MYSQL_URL })
      await connection.query(`DROP DATABASE IF EXISTS ${name}`)
      await connection.end()
    },
  }
}

/** A fresh SQLite file in a temporary folder, removed by `drop`. */
export async function createTestSqlite(): Promise<TestDatabase> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'trackstore-sqlite-'))
  return {
    uri: `sqlite:///${path.join(dir, 'mlflow.db')}`,
    drop: () => fs.rm(dir, { recursive: true, force: true }),
  }
}
