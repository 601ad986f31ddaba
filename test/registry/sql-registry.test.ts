/** The registry conformance suite on SQLite, PostgreSQL and MySQL (one new database each). */
import { describe } from 'vitest'
import { openModelRegistryStore } from '../../src/index.js'
import {
  createTestDatabase,
  createTestSqlite,
  serverAvailable,
  type TestDatabase,
} from '../support/databases.js'
import { describeRegistryConformance, type RegistryFactory } from './conformance.js'

function factory(createDatabase: () => Promise<TestDatabase>): RegistryFactory {
  return async () => {
    const database = await createDatabase()
    const store = await openModelRegistryStore(database.uri)
    return {
      store,
      cleanup: async () => {
        try {
          await store.close()
        } finally {
          await database.drop()
        }
      },
    }
  }
}

describeRegistryConformance('sqlite', factory(createTestSqlite))

describe.skipIf(!(await serverAvailable('postgresql')))('postgresql registry', () => {
  describeRegistryConformance(
    'postgresql',
    factory(() => createTestDatabase('postgresql')),
  )
})

describe.skipIf(!(await serverAvailable('mysql')))('mysql registry', () => {
  describeRegistryConformance(
    'mysql',
    factory(() => createTestDatabase('mysql')),
  )
})
