/**
 * The SQLite database MLflow 3.11 wrote reads back, through the contract, exactly as MLflow
 * itself read it (`readback-sqlite.no-artifacts.json`). The fixture is copied to a temporary
 * folder and never modified in place.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openMetadataStore, type MetadataStore } from '../../../src/index.js'
import {
  expectedReadback,
  formatPythonFloat,
  readBack,
  type ReadbackDocument,
} from '../../support/readback.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const fixtures = path.resolve(repoRoot, '..', 'shared', 'mlflow-reference', 'fixtures')

describe('formatPythonFloat', () => {
  it.each([
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [42, '42.0'],
    [-1.25, '-1.25'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [123456789.5, '123456789.5'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-1.7976931348623157e308, '-1.7976931348623157e+308'],
    [1e-300, '1e-300'],
    [0.30000000000000004, '0.30000000000000004'],
    [2.5e-7, '2.5e-07'],
    [1099511627776, '1099511627776.0'],
    [-0, '-0.0'],
    [0, '0.0'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('formats %s as %s', (value, text) => {
    expect(formatPythonFloat(value)).toBe(text)
  })
})

describe('MLflow-written SQLite fixture', () => {
  let dir = ''
  let store: MetadataStore
  let actual: ReadbackDocument
  let expected: ReadbackDocument

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'trackstore-fixture-'))
    const copy = path.join(dir, 'mlflow.db')
    await fs.copyFile(path.join(fixtures, 'mlflow.db'), copy)
    await fs.chmod(copy, 0o644)
    const json = await fs.readFile(path.join(fixtures, 'readback-sqlite.no-artifacts.json'), 'utf8')
    expected = expectedReadback(JSON.parse(json))
    store = await openMetadataStore(`sqlite:///${copy}`)
    actual = await readBack(store)
  })

  afterAll(async () => {
    await store?.close()
    if (dir !== '') await fs.rm(dir, { recursive: true, force: true })
  })

  it('has the same experiments', () => {
    const summary = (doc: ReadbackDocument) =>
      doc.experiments.map(({ runs, ...experiment }) => ({ ...experiment, runCount: runs.length }))
    expect(summary(actual)).toEqual(summary(expected))
  })

  it('reads every run field by field', () => {
    for (const [index, experiment] of expected.experiments.entries()) {
      const runs = actual.experiments[index]?.runs ?? []
      expect(
        runs.map((run) => run.run_name),
        experiment.name,
      ).toEqual(experiment.runs.map((run) => run.run_name))
      for (const [runIndex, run] of experiment.runs.entries()) {
        const got = runs[runIndex]
        const label = `${experiment.name}/${run.run_name}`
        const { metric_history: history, ...fields } = run
        const { metric_history: gotHistory, ...gotFields } = got ?? run
        expect(gotFields, label).toEqual(fields)
        expect(Object.keys(gotHistory), `${label} history keys`).toEqual(Object.keys(history))
        for (const key of Object.keys(history)) {
          expect(gotHistory[key], `${label} history of ${key}`).toEqual(history[key])
        }
      }
    }
  })

  it('equals MLflow read-back as a whole', () => {
    expect(actual).toEqual(expected)
  })
})
