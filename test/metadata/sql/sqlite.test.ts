import { describe, expect, it } from 'vitest'
import { openMetadataStore } from '../../../src/index.js'
import { createTestSqlite } from '../../support/databases.js'
import { describeMetadataStoreConformance } from '../conformance/index.js'
import { ARTIFACT_ROOT, sqlStoreFactory } from './sql-store-factory.js'

describeMetadataStoreConformance('sqlite', sqlStoreFactory(createTestSqlite))

describe('sqlite in memory', () => {
  it('opens sqlite:///:memory: as a working, empty store (item 90)', async () => {
    const store = await openMetadataStore('sqlite:///:memory:', {
      defaultArtifactRoot: ARTIFACT_ROOT,
    })
    try {
      const page = await store.searchExperiments()
      expect(page.items.map((e) => [e.experimentId, e.name])).toEqual([['0', 'Default']])
      const experimentId = await store.createExperiment('in-memory')
      const run = await store.createRun({ experimentId, runName: 'r' })
      await store.logMetric(run.info.runId, { key: 'm', value: 0.5, timestamp: 1, step: 2 })
      await store.logParam(run.info.runId, { key: 'p', value: 'v' })
      const read = await store.getRun(run.info.runId)
      expect(read.data.metrics).toMatchObject([{ key: 'm', value: 0.5, timestamp: 1, step: 2 }])
      expect(read.data.params).toEqual([{ key: 'p', value: 'v' }])
      const found = await store.searchRuns({
        experimentIds: [experimentId],
        filter: 'metrics.m > 0',
      })
      expect(found.items.map((r) => r.info.runId)).toEqual([run.info.runId])
    } finally {
      await store.close()
    }
  })
})
