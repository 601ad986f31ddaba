/**
 * The CLI on MLflow's models fixture: verify notices a missing model version and a changed
 * logged-model param (the destination tampered with through SQL and through files), migrate
 * refuses a source holding traces unless --skip-unsupported, and --artifacts-to copies
 * logged-model artifacts and rewrites their locations and the versions' sources.
 */
import { existsSync } from 'node:fs'
import { readFile, rm as remove, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { cli } from '../cli/capture.js'
import {
  copyAll,
  copyModelsFixture,
  emptySql,
  FIXTURE_ORIGIN,
  openBoth,
  rm,
  tempDir,
  type Opened,
} from './support.js'

const dir = await tempDir('models-cli')
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  await rm(dir, { recursive: true, force: true })
})

async function opened(uri: string): Promise<Opened> {
  const store = await openBoth(uri)
  cleanups.push(() => store.close())
  return store
}

const sqlitePath = (uri: string): string => uri.replace(/^sqlite:\/\//, '')

interface JsonDifference {
  loggedModelId?: string
  registeredModel?: string
  version?: string
  what: string
  a: string
  b: string
}

/** The param of lr-model that the tests change, and its model id in a store. */
async function lrModel(store: Opened): Promise<{ modelId: string; key: string; value: string }> {
  for await (const model of store.store.transfer.loggedModels()) {
    if (model.name === 'lr-model') {
      const param = model.params[0]!
      return { modelId: model.modelId, key: param.key, value: param.value }
    }
  }
  throw new Error('lr-model is not in the store')
}

function expectCaught(stdout: string, modelId: string, key: string): void {
  const report = JSON.parse(stdout) as { equal: boolean; differences: JsonDifference[] }
  expect(report.equal).toBe(false)
  expect(report.differences).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        registeredModel: 'iris-classifier',
        version: '2',
        what: 'version',
        b: '(missing)',
      }),
      expect.objectContaining({ loggedModelId: modelId, what: `param ${key}`, b: 'changed' }),
    ]),
  )
  expect(report.differences).toHaveLength(2)
}

describe('verify on the models fixture', () => {
  test('notices a missing model version and a changed logged-model param in SQL', async () => {
    const fixture = await copyModelsFixture(path.join(dir, 'sql-tamper'))
    const source = await opened(fixture.mlruns)
    const target = await emptySql('sqlite')
    cleanups.push(() => target.close())
    await copyAll(source, target)
    const before = await cli('verify', fixture.mlruns, target.uri)
    expect(before.code).toBe(0)
    expect(before.stdout).toMatch(/Logged models\s+5/)
    expect(before.stdout).toMatch(/Model versions\s+4/)

    const { modelId, key } = await lrModel(source)
    const db = new Database(sqlitePath(target.uri))
    try {
      db.prepare('DELETE FROM model_version_tags WHERE name = ? AND version = 2').run(
        'iris-classifier',
      )
      db.prepare('DELETE FROM model_versions WHERE name = ? AND version = 2').run('iris-classifier')
      db.prepare(
        "UPDATE logged_model_params SET param_value = 'changed' WHERE model_id = ? AND " +
          'param_key = ?',
      ).run(modelId, key)
    } finally {
      db.close()
    }
    const after = await cli('verify', fixture.mlruns, target.uri, '--json')
    expect(after.code).not.toBe(0)
    expectCaught(after.stdout, modelId, key)
    const text = await cli('verify', fixture.mlruns, target.uri)
    expect(text.stdout).toContain('registered model iris-classifier version 2: version')
    expect(text.stdout).toContain(`logged model ${modelId}: param ${key}: a=`)
  })

  test('notices a missing model version and a changed logged-model param in files', async () => {
    const fixture = await copyModelsFixture(path.join(dir, 'file-tamper'))
    const source = await opened(fixture.mlruns)
    const copyRoot = path.join(dir, 'file-tamper', 'copy')
    const target = await opened(copyRoot)
    await copyAll(source, target)
    const { modelId, key } = await lrModel(source)
    let experimentId = ''
    for await (const model of target.store.transfer.loggedModels()) {
      if (model.modelId === modelId) experimentId = model.experimentId
    }
    await remove(path.join(copyRoot, 'models', 'iris-classifier', 'version-2'), {
      recursive: true,
    })
    const paramFile = path.join(copyRoot, experimentId, 'models', modelId, 'params', key)
    expect(existsSync(paramFile)).toBe(true)
    await writeFile(paramFile, 'changed')
    const result = await cli('verify', fixture.mlruns, copyRoot, '--json')
    expect(result.code).not.toBe(0)
    expectCaught(result.stdout, modelId, key)
  })
})

describe('migrate on the models fixture', () => {
  test('refuses a source holding traces unless --skip-unsupported, then lists them', async () => {
    const fixture = await copyModelsFixture(path.join(dir, 'traces'))
    const db = new Database(sqlitePath(fixture.sqlite))
    try {
      db.prepare(
        'INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, status) ' +
          "VALUES ('tr-0123456789abcdef', 1, 1700000000000, 'OK')",
      ).run()
    } finally {
      db.close()
    }
    const target = path.join(dir, 'traces', 'copy')
    const refused = await cli('migrate', fixture.sqlite, target, '--json')
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('traces 1')
    expect(refused.stderr).toContain('--skip-unsupported')

    const done = await cli('migrate', fixture.sqlite, target, '--skip-unsupported', '--json')
    expect(done.code).toBe(0)
    const summary = JSON.parse(done.stdout) as {
      unsupported: Record<string, number>
      loggedModels: { copied: number }
      registeredModels: { copied: number }
    }
    expect(summary.unsupported).toEqual({ traces: 1 })
    expect(summary.loggedModels.copied).toBe(5)
    expect(summary.registeredModels.copied).toBe(2)
    const text = await cli('migrate', fixture.sqlite, target, '--skip-unsupported')
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('traces 1')
  })

  test('--artifacts-to copies logged-model artifacts and rewrites locations', async () => {
    const root = path.join(dir, 'artifacts')
    const fixture = await copyModelsFixture(root)
    // Point the SQLite copy's locations at the copied sqlite-artifacts/ folder.
    const db = new Database(sqlitePath(fixture.sqlite))
    try {
      const columns: [string, string][] = [
        ['experiments', 'artifact_location'],
        ['runs', 'artifact_uri'],
        ['logged_models', 'artifact_location'],
        ['model_versions', 'source'],
        ['model_versions', 'storage_location'],
      ]
      for (const [table, column] of columns) {
        db.prepare(`UPDATE ${table} SET ${column} = replace(${column}, ?, ?)`).run(
          FIXTURE_ORIGIN,
          root,
        )
      }
    } finally {
      db.close()
    }
    const target = path.join(root, 'copy')
    const artifacts = path.join(root, 'moved')
    const result = await cli(
      'migrate',
      fixture.sqlite,
      target,
      '--artifacts-to',
      artifacts,
      '--verify',
      '--json',
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout) as {
      artifacts: { files: number }
      verify: { equal: boolean; loggedModels: number; artifacts: { files: number } }
    }
    expect(summary.verify.equal).toBe(true)
    expect(summary.verify.loggedModels).toBe(5)
    // MLmodel and model.pkl of each of the five models, compared by hash by verify.
    expect(summary.artifacts.files).toBe(10)
    expect(summary.verify.artifacts.files).toBe(10)

    const copied = await opened(target)
    const locations = new Map<string, string>()
    for await (const model of copied.store.transfer.loggedModels()) {
      const expected = path.join(artifacts, model.experimentId, 'models', model.modelId)
      expect(model.artifactLocation).toBe(`${expected}/artifacts`)
      const mlmodel = path.join(model.artifactLocation, 'MLmodel')
      expect(await readFile(mlmodel, 'utf8')).not.toBe('')
      locations.set(model.modelId, model.artifactLocation)
    }
    expect(locations.size).toBe(5)
    let versions = 0
    for await (const model of copied.registry.transfer.registeredModels()) {
      for (const version of model.versions) {
        versions += 1
        expect(version.source?.startsWith(`${artifacts}/`)).toBe(true)
        expect([...locations.values()]).toContain(version.source)
      }
    }
    expect(versions).toBe(4)
  })
})
