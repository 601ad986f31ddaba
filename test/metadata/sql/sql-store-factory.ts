/** Builds the conformance `StoreFactory` of a SQL backend: one new database per store. */
import os from 'node:os'
import path from 'node:path'
import { openMetadataStore } from '../../../src/index.js'
import type { TestDatabase } from '../../support/databases.js'
import type { StoreFactory } from '../conformance/index.js'

/** Never created by a SQL store; experiments only record locations under it. */
export const ARTIFACT_ROOT = path.join(os.tmpdir(), 'trackstore-conformance-artifacts')

export function sqlStoreFactory(createDatabase: () => Promise<TestDatabase>): StoreFactory {
  return async (options) => {
    const database = await createDatabase()
    try {
      const store = await openMetadataStore(database.uri, {
        defaultArtifactRoot: ARTIFACT_ROOT,
        truncateLongValues: options?.truncateLongValues ?? true,
      })
      return {
        store,
        defaultArtifactRoot: ARTIFACT_ROOT,
        cleanup: async () => {
          try {
            await store.close()
          } finally {
            await database.drop()
          }
        },
      }
    } catch (error) {
      await database.drop()
      throw error
    }
  }
}
