/**
 * Migration 0003 (BIGINT experiment ids): optional, so a database without it is current and
 * equals MLflow's schema (schema-compare.test.ts); with it, the schema differs from MLflow's in
 * exactly the experiment id columns (and PostgreSQL's id sequence), foreign keys and indexes
 * included, and it is recorded in trackstore_migrations.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  BIGINT_EXPERIMENT_IDS,
  getSchemaStatus,
  migrateToLatest,
  WIDENED_TABLES,
} from '../../../src/migrate/index.js'
import { serverAvailable, type TestDatabase } from '../../support/databases.js'
import { connect, newDatabase, targetOf } from '../helpers.js'
import {
  describeSchema,
  loadReference,
  schemaDifferences,
  type Dialect,
} from '../schema-introspection.js'

const available: Record<'postgresql' | 'mysql', boolean> = {
  postgresql: await serverAvailable('postgresql'),
  mysql: await serverAvailable('mysql'),
}

for (const dialect of ['postgresql', 'mysql'] as const satisfies readonly Dialect[]) {
  describe.skipIf(!available[dialect])(`${dialect}: widened experiment ids`, () => {
    let ours: TestDatabase
    let reference: TestDatabase

    beforeAll(async () => {
      ;[ours, reference] = await Promise.all([newDatabase(dialect), newDatabase(dialect)])
      const conn = await connect(ours.uri)
      try {
        await migrateToLatest(conn)
        const before = await getSchemaStatus(conn)
        expect(before.state).toBe('current')
        const report = await migrateToLatest(conn, { include: [BIGINT_EXPERIMENT_IDS] })
        expect(report.executed).toEqual([BIGINT_EXPERIMENT_IDS])
        const again = await migrateToLatest(conn, { include: [BIGINT_EXPERIMENT_IDS] })
        expect(again.executed).toEqual([])
      } finally {
        await conn.close()
      }
      await loadReference(dialect, targetOf(reference.uri))
    })

    afterAll(async () => {
      await Promise.all([ours?.drop(), reference?.drop()])
    })

    test('is recorded, and the database stays current and writable', async () => {
      const conn = await connect(ours.uri)
      try {
        const status = await getSchemaStatus(conn)
        expect(status.applied.map((m) => m.name)).toContain(BIGINT_EXPERIMENT_IDS)
        expect(status).toMatchObject({ state: 'current', writable: true, pending: [] })
      } finally {
        await conn.close()
      }
    })

    test('differs from MLflow only in the experiment id columns', async () => {
      const [mine, theirs] = await Promise.all([
        describeSchema(dialect, targetOf(ours.uri)),
        describeSchema(dialect, targetOf(reference.uri)),
      ])
      const differences = schemaDifferences(mine, theirs)
      const ours_ = differences.filter((line) => line.startsWith('only in trackstore'))
      const theirs_ = differences.filter((line) => line.startsWith('only in MLflow'))
      const sequence = dialect === 'postgresql' ? 1 : 0
      expect(ours_).toHaveLength(WIDENED_TABLES.length + sequence)
      expect(theirs_).toHaveLength(WIDENED_TABLES.length + sequence)
      for (const line of ours_) {
        expect(line).toMatch(/experiment_id/)
        expect(line.toLowerCase()).toContain('bigint')
      }
      for (const table of WIDENED_TABLES) {
        expect(ours_.some((line) => line.includes(` ${table} `))).toBe(true)
      }
    })
  })
}
