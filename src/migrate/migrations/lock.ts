import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { TrackstoreError } from '../../core/errors.js'
import type { AnyTables, SqlConnection } from '../../metadata/sql/dialects/sql-dialect.js'

/** pg_advisory_lock key: the bytes of "trkmig" read as an integer. Locks are per database. */
const POSTGRES_LOCK_KEY = '128034777426279'
/** How long MySQL waits for another process's migration before giving up. */
const MYSQL_LOCK_SECONDS = 600

/**
 * Runs `work` while holding the migration lock of the database, on one pinned connection, so
 * two processes migrating at once take turns. `transactional` tells the work whether it runs
 * inside a transaction that rolls back on failure.
 *
 * - PostgreSQL: `pg_advisory_lock` on the pinned connection, then one transaction.
 * - MySQL: `GET_LOCK` on the pinned connection (named after the database); no transaction,
 *   because MySQL commits every DDL statement.
 * - SQLite: `BEGIN IMMEDIATE` takes the database's write lock for the whole run. better-sqlite3
 *   waits for a lock synchronously, which would stall two connections of one process on each
 *   other, so connections of one process to the same file first queue on an in-process mutex.
 */
export async function withMigrationLock<T>(
  conn: SqlConnection,
  work: (db: Kysely<AnyTables>, transactional: boolean) => Promise<T>,
): Promise<T> {
  switch (conn.dialect.name) {
    case 'postgresql':
      return conn.db.connection().execute(async (db) => {
        await sql`select pg_advisory_lock(${POSTGRES_LOCK_KEY}::bigint)`.execute(db)
        try {
          return await db.transaction().execute((trx) => work(trx, true))
        } finally {
          await sql`select pg_advisory_unlock(${POSTGRES_LOCK_KEY}::bigint)`.execute(db)
        }
      })
    case 'mysql':
      return conn.db.connection().execute(async (db) => {
        const name = await mysqlLockName(db)
        const { rows } = await sql<{
          acquired: number | null
        }>`select get_lock(${name}, ${MYSQL_LOCK_SECONDS}) as acquired`.execute(db)
        if (Number(rows[0]?.acquired) !== 1) {
          throw new TrackstoreError(
            'TEMPORARILY_UNAVAILABLE',
            `Another process has been migrating this database for over ${MYSQL_LOCK_SECONDS} s ` +
              `(lock '${name}'); try again when it has finished`,
          )
        }
        try {
          return await work(db, false)
        } finally {
          await sql`select release_lock(${name})`.execute(db)
        }
      })
    case 'sqlite':
      return withProcessMutex(await sqliteFileKey(conn), () =>
        conn.db.connection().execute(async (db) => {
          await sql`begin immediate`.execute(db)
          try {
            const result = await work(db, true)
            await sql`commit`.execute(db)
            return result
          } catch (error) {
            await sql`rollback`.execute(db)
            throw error
          }
        }),
      )
  }
}

async function mysqlLockName(db: Kysely<AnyTables>): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`select database() as name`.execute(db)
  // Lock names are server-wide and at most 64 characters: hash the database name into one.
  const digest = createHash('sha256')
    .update(rows[0]?.name ?? '')
    .digest('hex')
  return `trackstore-migrate-${digest.slice(0, 40)}`
}

async function sqliteFileKey(conn: SqlConnection): Promise<string | null> {
  const { rows } = await sql<{
    file: string
  }>`select file from pragma_database_list where name = 'main'`.execute(conn.db)
  const file = rows[0]?.file ?? ''
  // An in-memory database belongs to its connection alone.
  return file === '' ? null : file
}

const queues = new Map<string, Promise<unknown>>()

async function withProcessMutex<T>(key: string | null, work: () => Promise<T>): Promise<T> {
  if (key === null) return work()
  const previous = queues.get(key) ?? Promise.resolve()
  const run = previous.then(work, work)
  const settled = run.catch(() => undefined)
  queues.set(key, settled)
  try {
    return await run
  } finally {
    if (queues.get(key) === settled) queues.delete(key)
  }
}
