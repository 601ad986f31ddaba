import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { describe, expect, test } from 'vitest'
import { SchemaVersionError } from '../../src/core/errors.js'
import {
  assertReadable,
  assertWritable,
  getSchemaStatus,
  MIGRATIONS,
  MIGRATION_TABLE,
  STATE_TABLE,
  migrateToLatest,
  MLFLOW_ALEMBIC_REVISIONS,
  MLFLOW_HEAD_REVISION,
  MLFLOW_TABLES,
  prepareSchema,
  READABLE_ALEMBIC_REVISIONS,
} from '../../src/migrate/index.js'
import { listTables } from '../../src/migrate/migrations/inspect.js'
import { readSchemaStatements } from '../../src/migrate/migrations/schema-file.js'
import type { SqlConnection } from '../../src/metadata/sql/dialects/sql-dialect.js'
import { serverAvailable } from '../support/databases.js'
import { connect, copyFixture, DIALECTS, newDatabase, targetOf } from './helpers.js'

/** 0001 creates MLflow's schema; later migrations are trackstore's own. */
const ALL = MIGRATIONS.map((migration) => migration.name)
const [SCHEMA, ...LATER] = ALL

const available = {
  sqlite: true,
  postgresql: await serverAvailable('postgresql'),
  mysql: await serverAvailable('mysql'),
}

async function alembic(conn: SqlConnection): Promise<string[]> {
  const rows = await conn.db.selectFrom('alembic_version').select('version_num').execute()
  return rows.map((row) => String(row.version_num))
}

async function appliedRows(conn: SqlConnection): Promise<unknown[]> {
  return conn.db.selectFrom(MIGRATION_TABLE).selectAll().orderBy('name').execute()
}

for (const dialect of DIALECTS) {
  describe.skipIf(!available[dialect])(`${dialect}: migrations`, () => {
    test('create the schema, stamp the head, and change nothing when run again', async () => {
      const database = await newDatabase(dialect)
      const conn = await connect(database.uri)
      try {
        expect((await getSchemaStatus(conn)).state).toBe('empty')
        const first = await migrateToLatest(conn)
        expect(first).toMatchObject({ before: 'empty', executed: ALL, baselined: [] })
        expect(first.status).toMatchObject({
          state: 'current',
          pending: [],
          alembicRevision: MLFLOW_HEAD_REVISION,
          readable: true,
          writable: true,
        })
        expect(await alembic(conn)).toEqual([MLFLOW_HEAD_REVISION])
        const workspaces = await conn.db.selectFrom('workspaces').selectAll().execute()
        expect(workspaces).toEqual([
          {
            name: 'default',
            description: 'Default workspace for legacy resources',
            default_artifact_root: null,
          },
        ])
        const tables = await listTables(conn.db, dialect)
        expect(tables.sort()).toEqual(
          [...MLFLOW_TABLES, 'alembic_version', MIGRATION_TABLE, STATE_TABLE].sort(),
        )

        const before = await appliedRows(conn)
        const second = await migrateToLatest(conn)
        expect(second).toMatchObject({ before: 'current', executed: [], baselined: [] })
        expect(await appliedRows(conn)).toEqual(before)
        expect(await alembic(conn)).toEqual([MLFLOW_HEAD_REVISION])
      } finally {
        await conn.close()
        await database.drop()
      }
    })

    test('two connections migrating one fresh database at once take turns', async () => {
      const database = await newDatabase(dialect)
      const [a, b] = await Promise.all([connect(database.uri), connect(database.uri)])
      try {
        const reports = await Promise.all([migrateToLatest(a), migrateToLatest(b)])
        const executed = reports.map((report) => report.executed)
        expect(executed).toContainEqual(ALL)
        expect(executed).toContainEqual([])
        expect(reports.map((report) => report.status.state)).toEqual(['current', 'current'])
        expect(await alembic(a)).toEqual([MLFLOW_HEAD_REVISION])
        expect(await appliedRows(b)).toHaveLength(ALL.length)
      } finally {
        await Promise.all([a.close(), b.close()])
        await database.drop()
      }
    })

    test('an older readable revision is read-only; an unknown one is refused', async () => {
      const database = await newDatabase(dialect)
      const conn = await connect(database.uri)
      try {
        await migrateToLatest(conn)
        await conn.db.updateTable('alembic_version').set({ version_num: 'ae8bbe7743c9' }).execute()
        const older = await prepareSchema(conn, { create: true, uri: database.uri })
        expect(older).toMatchObject({
          state: 'other-revision',
          readable: true,
          writable: false,
          revision: 'ae8bbe7743c9',
          executed: [],
        })
        expect(older.readOnlyReason).toBeInstanceOf(SchemaVersionError)
        expect(older.readOnlyReason?.message).toContain('trackstore db upgrade')
        expect(() => assertWritable(older)).toThrow(SchemaVersionError)
        expect(() => assertReadable(older)).not.toThrow()
        await expect(migrateToLatest(conn)).rejects.toThrow(/ae8bbe7743c9/)
        expect(await alembic(conn)).toEqual(['ae8bbe7743c9'])

        await conn.db.updateTable('alembic_version').set({ version_num: 'ffffffffffff' }).execute()
        const status = await getSchemaStatus(conn)
        expect(status).toMatchObject({ revisionRelation: 'unknown', readable: false })
        await expect(prepareSchema(conn, { create: true })).rejects.toThrow(/not in MLflow 3.11/)
      } finally {
        await conn.close()
        await database.drop()
      }
    })

    test('create: false only inspects; an empty database is then an error', async () => {
      const database = await newDatabase(dialect)
      const conn = await connect(database.uri)
      try {
        const error = await prepareSchema(conn, { create: false }).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(SchemaVersionError)
        expect(error).toMatchObject({ code: 'INVALID_STATE', found: null })
        expect(await listTables(conn.db, dialect)).toEqual([])
      } finally {
        await conn.close()
        await database.drop()
      }
    })
  })
}

describe.skipIf(!available.mysql)('mysql: an interrupted 0001 resumes', () => {
  test('a database left half-created is finished by the next run', async () => {
    const database = await newDatabase('mysql')
    const conn = await connect(database.uri)
    try {
      // What a run that died after its first ten tables leaves behind.
      await migrateToLatest(conn)
      const statements = await readSchemaStatements('mysql')
      const tables = (await listTables(conn.db, 'mysql')).filter(
        (t) => t !== MIGRATION_TABLE && t !== STATE_TABLE,
      )
      await sql`set foreign_key_checks = 0`.execute(conn.db)
      for (const table of tables) await sql.raw(`drop table \`${table}\``).execute(conn.db)
      await conn.db.deleteFrom(MIGRATION_TABLE).execute()
      for (const statement of statements.slice(0, 10)) await sql.raw(statement).execute(conn.db)
      await sql`set foreign_key_checks = 1`.execute(conn.db)

      expect((await getSchemaStatus(conn)).state).toBe('incomplete')
      const report = await migrateToLatest(conn)
      expect(report).toMatchObject({ before: 'incomplete', executed: ALL })
      expect(report.status.state).toBe('current')
      // MLflow's tables, alembic_version, trackstore_migrations and trackstore_state.
      expect((await listTables(conn.db, 'mysql')).length).toBe(MLFLOW_TABLES.length + 3)
    } finally {
      await conn.close()
      await database.drop()
    }
  })
})

describe('databases MLflow wrote', () => {
  test('the MLflow 3.11 fixture is recognised as current and baselined, not rebuilt', async () => {
    const fixture = await copyFixture('fixtures/mlflow.db')
    const conn = await connect(fixture.uri)
    try {
      const status = await getSchemaStatus(conn)
      expect(status).toMatchObject({
        state: 'mlflow-current',
        alembicRevision: MLFLOW_HEAD_REVISION,
        pending: ALL,
        readable: true,
        // trackstore's own migrations are pending until the database is opened or upgraded.
        writable: false,
      })
      const prepared = await prepareSchema(conn, { create: true })
      expect(prepared).toMatchObject({
        state: 'current',
        writable: true,
        executed: LATER,
        baselined: [SCHEMA],
        readOnlyReason: null,
      })
      expect(prepared.status.applied).toMatchObject([
        { name: SCHEMA, baseline: true },
        ...LATER.map((name) => ({ name, baseline: false })),
      ])
      // MLflow's own CREATE text is still there: 0001 did not run.
      const { rows } = await sql<{
        sql: string
      }>`select sql from sqlite_master where name = 'runs'`.execute(conn.db)
      expect(rows[0]?.sql).toMatch(/^CREATE TABLE "runs" \(\n\trun_uuid/)
      const experiments = await conn.db.selectFrom('experiments').select('name').execute()
      expect(experiments).toHaveLength(4)
      expect(await alembic(conn)).toEqual([MLFLOW_HEAD_REVISION])
    } finally {
      await conn.close()
      await fixture.remove()
    }
  })

  test('an MLflow 1.x database (7ac759974ad8) is another revision, not written', async () => {
    const fixture = await copyFixture('upstream-tests/db_version_7ac759974ad8_with_metrics.db')
    const conn = await connect(fixture.uri)
    try {
      const tablesBefore = (await listTables(conn.db, 'sqlite')).sort()
      const status = await getSchemaStatus(conn)
      expect(status).toMatchObject({
        state: 'other-revision',
        alembicRevision: '7ac759974ad8',
        revisionRelation: 'older',
        readable: false,
        writable: false,
      })
      const error = await prepareSchema(conn, { create: true, uri: fixture.uri }).catch(
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(SchemaVersionError)
      expect(error).toMatchObject({ found: '7ac759974ad8', expected: MLFLOW_HEAD_REVISION })
      const message = (error as Error).message
      expect(message).toContain(`trackstore db upgrade sqlite:///${fixture.path}`)
      expect(message).toContain('cannot yet upgrade older MLflow revisions')
      await expect(migrateToLatest(conn)).rejects.toBeInstanceOf(SchemaVersionError)
      expect((await listTables(conn.db, 'sqlite')).sort()).toEqual(tablesBefore)
      expect(await alembic(conn)).toEqual(['7ac759974ad8'])
      const metrics = await conn.db
        .selectFrom('metrics')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
      expect(Number(metrics?.n)).toBe(404)
    } finally {
      await conn.close()
      await fixture.remove()
    }
  })
})

describe('sqlite: another process holding the write lock', () => {
  test('the migration waits for it, then runs', async () => {
    const database = await newDatabase('sqlite')
    const file = targetOf(database.uri)
    // A second process takes SQLite's write lock for 700 ms, as a concurrent migrator would.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = require('better-sqlite3')(process.argv[1]);
         db.pragma('journal_mode = WAL');
         db.exec('begin immediate');
         console.log('locked');
         setTimeout(() => { db.exec('commit'); db.close(); }, 700);`,
        file,
      ],
      {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()))
    const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve))
    const conn = await connect(database.uri)
    try {
      const started = Date.now()
      const report = await migrateToLatest(conn)
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
      expect(report.executed).toEqual(ALL)
      expect(await exited).toBe(0)
    } finally {
      await conn.close()
      await database.drop()
    }
  })
})

describe('revisions as data', () => {
  test('the chain ends at the head; the readable ones start at the workspace migration', () => {
    expect(MLFLOW_ALEMBIC_REVISIONS).toHaveLength(55)
    expect(MLFLOW_ALEMBIC_REVISIONS.at(-1)).toBe(MLFLOW_HEAD_REVISION)
    expect(READABLE_ALEMBIC_REVISIONS).toEqual([
      '1b5f0d9ad7c1',
      'e1f2a3b4c5d6',
      '76601a5f987d',
      'c3d6457b6d8a',
      'a5b4c3d2e1f0',
      'ae8bbe7743c9',
      '7d34483879f0',
    ])
  })

  test('each schema file splits into 48 tables, the trigger and the workspace row', async () => {
    for (const dialect of DIALECTS) {
      const statements = await readSchemaStatements(dialect)
      const count = (pattern: RegExp): number => statements.filter((s) => pattern.test(s)).length
      expect(count(/^CREATE TABLE /)).toBe(48)
      expect(count(/^CREATE TRIGGER prevent_secrets_aad_mutation\b/)).toBe(1)
      expect(count(/^INSERT (IGNORE )?INTO `?workspaces`?/)).toBe(1)
      expect(count(/^CREATE (UNIQUE )?INDEX /)).toBe(dialect === 'mysql' ? 0 : 61)
    }
  })
})
