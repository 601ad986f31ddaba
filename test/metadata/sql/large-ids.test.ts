/**
 * 18-digit experiment ids (MLflow file-store ids, kept by `trackstore migrate`) must stay exact
 * in SQL stores: two ids one apart are the same JavaScript number, and the same double in
 * MySQL's string-to-number comparisons, so every read and write must bind them exactly.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openMetadataStore, type MetadataStore } from '../../../src/index.js'
import {
  createTestDatabase,
  createTestSqlite,
  serverAvailable,
  type TestDatabase,
} from '../../support/databases.js'

const A = '413096871493188487'
const B = '413096871493188488'

const backends = {
  sqlite: true,
  postgresql: await serverAvailable('postgresql'),
  mysql: await serverAvailable('mysql'),
}

for (const [kind, available] of Object.entries(backends)) {
  describe.skipIf(!available)(`${kind}: 18-digit experiment ids`, () => {
    let database: TestDatabase
    let store: MetadataStore

    beforeAll(async () => {
      database =
        kind === 'sqlite'
          ? await createTestSqlite()
          : await createTestDatabase(kind as 'postgresql' | 'mysql')
      store = await openMetadataStore(database.uri, {
        defaultArtifactRoot: '/tmp/trackstore-large-ids',
        widenExperimentIds: true,
      })
      for (const [id, name] of [
        [A, 'first'],
        [B, 'second'],
      ] as const) {
        await store.transfer.putExperiment({
          experimentId: id,
          name,
          artifactLocation: `/tmp/trackstore-large-ids/${id}`,
          lifecycleStage: 'active',
          creationTime: 1_700_000_000_000,
          lastUpdateTime: 1_700_000_000_000,
          tags: [{ key: 'which', value: name }],
        })
      }
    })

    afterAll(async () => {
      await store?.close()
      await database?.drop()
    })

    test('get, search and create runs address exactly the right experiment', async () => {
      expect((await store.getExperiment(A)).name).toBe('first')
      expect((await store.getExperiment(B)).name).toBe('second')
      expect((await store.getExperiment(B)).tags).toEqual([{ key: 'which', value: 'second' }])
      const runA = await store.createRun({ experimentId: A, runName: 'in-first' })
      const runB = await store.createRun({ experimentId: B, runName: 'in-second' })
      expect(runA.info.experimentId).toBe(A)
      expect(runB.info.experimentId).toBe(B)
      const found = await store.searchRuns({ experimentIds: [B] })
      expect(found.items.map((run) => run.info.runName)).toEqual(['in-second'])
      const experiments = await store.searchExperiments({ filter: "name = 'second'" })
      expect(experiments.items.map((experiment) => experiment.experimentId)).toEqual([B])
    })
  })
}
