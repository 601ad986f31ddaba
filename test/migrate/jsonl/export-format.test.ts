/**
 * The export format: every record of an export of the fixture validates against
 * schema/export-v1.schema.json, values JSON cannot hold survive, and a truncated or foreign
 * file is refused with its name.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { exportStore, importFile, JsonlReader } from '../../../src/migrate/jsonl/index.js'
import { decodeRow, encodeRow } from '../../../src/migrate/jsonl/format.js'
import { emptyStore, seededStore, verify, type TestStore } from '../copy/support.js'
import { validate, type JsonSchema } from './mini-schema.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

describe('export format v1', () => {
  let dir: string
  let source: TestStore
  let schema: JsonSchema
  const stores: TestStore[] = []

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-jsonl-'))
    source = await seededStore('file')
    stores.push(source)
    schema = JSON.parse(
      await readFile(path.join(repoRoot, 'schema', 'export-v2.schema.json'), 'utf8'),
    )
  })
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
    await rm(dir, { recursive: true, force: true })
  })

  test('every record of an export validates against the JSON Schema', async () => {
    const file = path.join(dir, 'fixture.jsonl.gz')
    const summary = await exportStore(source.store.transfer, file, { sourceLabel: source.uri })
    expect(summary.metricRows).toBe(720)
    const lines = gunzipSync(await readFile(file))
      .toString('utf8')
      .trimEnd()
      .split('\n')
    const types = new Set<string>()
    for (const [index, line] of lines.entries()) {
      const record = JSON.parse(line)
      types.add(record.type)
      expect(validate(schema, record, schema), `line ${index + 1}`).toEqual([])
    }
    expect([...types].sort()).toEqual(['end', 'experiment', 'header', 'metrics', 'run'])
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'trackstore-export', version: 2 })
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      type: 'end',
      experiments: 4,
      runs: 20,
      metricRows: 720,
      loggedModels: 0,
      registeredModels: 0,
    })
    const bad = { type: 'metrics', runId: 'x', rows: [['k', 'nan', 1, 0]] }
    expect(validate(schema, bad, schema)).not.toEqual([])
  })

  test('NaN, ±Infinity, -0 and dataset fields survive a row round trip', () => {
    for (const value of [NaN, Infinity, -Infinity, -0, 0, 1e-300, Number.MAX_VALUE]) {
      const row = decodeRow(
        JSON.parse(JSON.stringify(encodeRow({ key: 'k', value, timestamp: 1, step: 2 }))),
        'test',
      )
      expect(Object.is(row.value, value)).toBe(true)
    }
    const withDataset = {
      key: 'k',
      value: 1,
      timestamp: 1,
      step: 2,
      datasetName: 'iris',
      datasetDigest: 'abc',
    }
    expect(decodeRow(encodeRow(withDataset), 'test')).toEqual(withDataset)
  })

  test('plain .jsonl round trip into a file store verifies equal, duplicates and all', async () => {
    const file = path.join(dir, 'plain.jsonl')
    await exportStore(source.store.transfer, file, { sourceLabel: source.uri })
    const target = await emptyStore('file')
    stores.push(target)
    const summary = await importFile(file, target.store.transfer, {})
    expect(summary.runs.copied).toBe(20)
    const report = await verify(source, target)
    expect(report.differences).toEqual([])
    expect(report.tolerated).toEqual({})
  })

  test('a truncated export and a foreign file are refused, naming the file', async () => {
    const file = path.join(dir, 'cut.jsonl')
    await exportStore(source.store.transfer, file, { sourceLabel: source.uri })
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.split('\n').slice(0, 30).join('\n') + '\n')
    const target = await emptyStore('sqlite')
    stores.push(target)
    await expect(importFile(file, target.store.transfer, {})).rejects.toThrow(
      /cut\.jsonl ends at line 30 without its end record/,
    )
    const foreign = path.join(dir, 'foreign.jsonl')
    await writeFile(foreign, '{"hello": 1}\n')
    await expect(JsonlReader.open(foreign)).rejects.toThrow(
      /foreign\.jsonl is not a trackstore export/,
    )
  })
})
