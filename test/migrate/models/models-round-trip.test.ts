/**
 * MLflow's models fixture (logged models with every metric row, run model inputs and outputs,
 * the registry) round-trips file → SQLite → file, SQLite → PostgreSQL, file → MySQL and through
 * an export file, each hop verified equal within the documented file/SQL differences.
 */
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { exportStore, importFile } from '../../../src/migrate/jsonl/index.js'
import { serverAvailable } from '../../support/databases.js'
import {
  copyAll,
  copyModelsFixture,
  emptySql,
  expectFixtureCounts,
  FILE_SQL_KINDS,
  openBoth,
  rm,
  tempDir,
  verifyBoth,
  type Opened,
} from './support.js'

const dir = await tempDir('models-fixture')
const fixture = await copyModelsFixture(dir)
const opened: Opened[] = []
const track = (store: Opened): Opened => (opened.push(store), store)

afterAll(async () => {
  for (const store of opened.reverse()) await store.close()
  await rm(dir, { recursive: true, force: true })
})

describe('models fixture, SQLite and files', () => {
  test('file → SQLite → file verifies equal, within the documented differences', async () => {
    const original = track(await openBoth(fixture.mlruns))
    const middle = track(await emptySql('sqlite'))
    const there = await copyAll(original, middle)
    expect(there.loggedModels).toMatchObject({ copied: 5, collided: 0, skipped: 0 })
    expect(there.registeredModels.copied).toBe(2)
    expect(there.collisions).toEqual([])

    const first = await verifyBoth(original, middle)
    expect(first.differences).toEqual([])
    expectFixtureCounts(first)
    // lr-model's loss has three rows on both sides, though the file store's API shows one.
    expect(first.loggedModelMetricRows.a).toBe(first.loggedModelMetricRows.b)
    expect(first.loggedModelMetricRows.a).toBeGreaterThan(5)
    expect(first.tolerated.loggedModelNaN).toBe(1)
    expect(first.tolerated.modelVersionModelId).toBe(4)

    const back = track(await openBoth(path.join(dir, 'back-mlruns')))
    await copyAll(middle, back)
    const round = await verifyBoth(original, back, [middle])
    expect(round.differences).toEqual([])
    expectFixtureCounts(round)
    for (const kind of Object.keys(round.tolerated)) expect(FILE_SQL_KINDS).toContain(kind)
    // Without the SQL hop the file stores differ by what SQL lost: verify is not blind. (Run
    // metric rows lose their dataset, the NaN of a model metric reads 0, versions their model.)
    const strict = await verifyBoth(original, back)
    expect(strict.differences.map((d) => d.what).sort()).toEqual([
      'metric accuracy rows',
      'metric exact_match rows',
      'metric f1 rows',
      'metric loss rows',
      'metric train_accuracy rows',
      'model_id',
      'model_id',
      'model_id',
      'model_id',
    ])
  })

  test('export v2 and import into SQLite verify equal to the mlruns folder', async () => {
    const original = track(await openBoth(fixture.mlruns))
    const file = path.join(dir, 'models.jsonl.gz')
    const exported = await exportStore(original.store.transfer, file, {
      sourceLabel: original.uri,
      registry: original.registry.transfer,
    })
    expect(exported.loggedModels.copied).toBe(5)
    const target = track(await emptySql('sqlite'))
    const imported = await importFile(file, target.store.transfer, {
      registry: target.registry.transfer,
    })
    expect(imported.loggedModels.copied).toBe(5)
    expect(imported.registeredModels.copied).toBe(2)
    const report = await verifyBoth(original, target)
    expect(report.differences).toEqual([])
    expectFixtureCounts(report)
  })
})

describe.skipIf(!(await serverAvailable('postgresql')))('models fixture, PostgreSQL', () => {
  test('SQLite → PostgreSQL verifies equal', async () => {
    const source = track(await openBoth(fixture.sqlite))
    const target = track(await emptySql('postgresql'))
    await copyAll(source, target)
    const report = await verifyBoth(source, target)
    expect(report.differences).toEqual([])
    expectFixtureCounts(report)
    expect(report.tolerated).toEqual({})
  })
})

describe.skipIf(!(await serverAvailable('mysql')))('models fixture, MySQL', () => {
  test('file → MySQL (18-digit ids, widened) verifies equal', async () => {
    const source = track(await openBoth(fixture.mlruns))
    const target = track(await emptySql('mysql'))
    await copyAll(source, target)
    const report = await verifyBoth(source, target)
    expect(report.differences).toEqual([])
    expectFixtureCounts(report)
    for (const kind of Object.keys(report.tolerated)) expect(FILE_SQL_KINDS).toContain(kind)
  })
})
