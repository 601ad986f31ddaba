/**
 * A database trackstore migrated, introspected, equals one loaded from the dump of a database
 * MLflow itself created at the same head: zero differences on every dialect.
 */
import { readFile } from 'node:fs/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { migrateToLatest } from '../../src/migrate/index.js'
import { serverAvailable, type TestDatabase } from '../support/databases.js'
import { connect, newDatabase, targetOf } from './helpers.js'
import {
  describeSchema,
  loadReference,
  referenceDump,
  schemaDifferences,
  type Dialect,
} from './schema-introspection.js'

const available: Record<Dialect, boolean> = {
  sqlite: true,
  postgresql: await serverAvailable('postgresql'),
  mysql: await serverAvailable('mysql'),
}

for (const dialect of ['sqlite', 'postgresql', 'mysql'] as const) {
  describe.skipIf(!available[dialect])(`${dialect}: schema equals MLflow's`, () => {
    let ours: TestDatabase
    let reference: TestDatabase

    beforeAll(async () => {
      ;[ours, reference] = await Promise.all([newDatabase(dialect), newDatabase(dialect)])
      const conn = await connect(ours.uri)
      try {
        await migrateToLatest(conn)
      } finally {
        await conn.close()
      }
      await loadReference(dialect, targetOf(reference.uri))
    })

    afterAll(async () => {
      await Promise.all([ours?.drop(), reference?.drop()])
    })

    test('introspection shows zero differences', async () => {
      const [mine, theirs] = await Promise.all([
        describeSchema(dialect, targetOf(ours.uri)),
        describeSchema(dialect, targetOf(reference.uri)),
      ])
      expect(theirs.filter((line) => line.startsWith('table ')).length).toBeGreaterThan(47)
      const differences = schemaDifferences(mine, theirs)
      if (differences.length > 0) console.error(differences.join('\n'))
      expect(differences).toEqual([])
    })

    if (dialect === 'postgresql') {
      test('CHECK constraints read exactly as in the database MLflow created', async () => {
        // The dump prints MLflow's original CHECK text; a reload of the dump prints it with
        // the casts moved, so the introspection above normalises casts. This pins the text.
        const dump = await readFile(referenceDump('postgresql'), 'utf8')
        const expected = [...dump.matchAll(/^\s+CONSTRAINT (\w+) (CHECK .*?),?$/gm)].map(
          (match) => `${match[1]} ${match[2]}`,
        )
        const client = new pg.Client({ connectionString: targetOf(ours.uri) })
        await client.connect()
        try {
          const { rows } = await client.query(
            `select conname, pg_get_constraintdef(oid) as definition from pg_constraint
              where contype = 'c' and connamespace = 'public'::regnamespace`,
          )
          const actual = rows.map((row) => `${row.conname} ${row.definition}`)
          expect(actual.sort()).toEqual(expected.sort())
          expect(actual).toHaveLength(5)
        } finally {
          await client.end()
        }
      })
    }
  })
}
