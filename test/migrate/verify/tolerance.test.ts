/**
 * verify forgives exactly MLflow's documented file/SQL differences, by capability: a metric
 * row's dataset name and digest (kept on 5-field metric lines by the file store only), exact
 * duplicate rows, ±inf and -0.0; and reports anything else.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { copy, emptyStore, verify, type TestStore } from '../copy/support.js'

async function storeWithDatasetRows(): Promise<{ store: TestStore; runId: string; id: string }> {
  const store = await emptyStore('file')
  const transfer = store.store.transfer
  const id = '123456789012345678'
  await transfer.putExperiment({
    experimentId: id,
    name: 'with-datasets',
    artifactLocation: '/a',
    lifecycleStage: 'active',
    creationTime: 5,
    lastUpdateTime: 6,
    tags: [],
  })
  const runId = 'f'.repeat(32)
  await transfer.putRun({
    info: {
      runId,
      runName: 'r',
      experimentId: id,
      userId: 'u',
      status: 'FINISHED',
      startTime: 1,
      endTime: 2,
      artifactUri: '/a/r',
      lifecycleStage: 'active',
      deletedTime: null,
    },
    params: [],
    tags: [],
    datasetInputs: [],
    metrics: (async function* () {
      yield [
        {
          key: 'acc',
          value: 0.5,
          timestamp: 10,
          step: 0,
          datasetName: 'iris',
          datasetDigest: 'abc',
        },
        { key: 'acc', value: -Infinity, timestamp: 11, step: 1 },
        { key: 'acc', value: -0, timestamp: 12, step: 2 },
        { key: 'acc', value: -0, timestamp: 12, step: 2 },
      ]
    })(),
  })
  return { store, runId, id }
}

describe('verify tolerances', () => {
  const stores: TestStore[] = []
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
  })

  test('file → file keeps 5-field metric lines, duplicates and signs exactly', async () => {
    const { store, runId, id } = await storeWithDatasetRows()
    const target = await emptyStore('file')
    stores.push(store, target)
    await copy(store, target)
    const text = await readFile(path.join(target.uri, id, runId, 'metrics', 'acc'), 'utf8')
    expect(text).toBe('10 0.5 0 iris abc\n11 -inf 1\n12 -0.0 2\n12 -0.0 2\n')
    const report = await verify(store, target)
    expect(report).toMatchObject({ equal: true, tolerated: {} })
  })

  test('file → SQLite forgives only the documented kinds', async () => {
    const { store } = await storeWithDatasetRows()
    const target = await emptyStore('sqlite')
    stores.push(store, target)
    await copy(store, target)
    const report = await verify(store, target)
    expect(report.differences).toEqual([])
    // Counted where a rule changed a row: the file side's -inf, two -0.0 and one duplicate.
    expect(report.tolerated).toEqual({
      metricDatasets: 1,
      infClamp: 1,
      negativeZero: 2,
      duplicateRows: 1,
    })
  })

  test('without the SQL store in the path, the same differences are reported', async () => {
    const { store } = await storeWithDatasetRows()
    const middle = await emptyStore('sqlite')
    const back = await emptyStore('file')
    stores.push(store, middle, back)
    await copy(store, middle)
    await copy(middle, back)
    const strict = await verify(store, back)
    expect(strict.equal).toBe(false)
    expect(strict.differences.map((d) => d.what)).toEqual(['latest acc', 'metric acc rows'])
    const lenient = await verify(store, back, { viaStores: [middle] })
    expect(lenient.differences).toEqual([])
  })
})
