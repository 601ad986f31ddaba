/**
 * Byte-exact formats of logged models, run model inputs/outputs and the file registry: every
 * such file MLflow wrote in `fixtures-models/mlruns` is read and written again by trackstore's
 * writers, and must come out identical. Then files written through the stores are checked
 * against the fixture's shapes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  formatLoggedModelMeta,
  formatModelInputMeta,
  formatModelMetricLine,
  formatModelOutputMeta,
  modelInputFolderId,
  parseLoggedModelMeta,
  parseModelMetricLines,
  parseModelOutputMeta,
} from '../../../src/metadata/file/model-records.js'
import { parseInputMeta } from '../../../src/metadata/file/records.js'
import {
  formatModelVersionMeta,
  formatRegisteredModelMeta,
  parseModelVersionMeta,
  parseRegisteredModelMeta,
} from '../../../src/registry/file/registry-records.js'
import { openMetadataStore, openModelRegistryStore } from '../../../src/index.js'
import { MODELS_FIXTURE } from '../../registry/models-readback.js'

const mlruns = path.join(MODELS_FIXTURE, 'mlruns')

/** Every file below `dir`, as paths relative to it. */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    const relative = prefix === '' ? name : `${prefix}/${name}`
    return statSync(full).isDirectory() ? walk(full, relative) : [relative]
  })
}

const files = walk(mlruns).filter((file) => !file.includes('/artifacts/'))
const read = (file: string) => readFileSync(path.join(mlruns, file), 'utf8')
const matching = (pattern: RegExp) => files.filter((file) => pattern.test(file))

describe('logged model files written byte for byte as MLflow', () => {
  it.each(matching(/^\d+\/models\/[^/]+\/meta\.yaml$/))('%s', (file) => {
    const text = read(file)
    const folder = file.split('/')[2]!
    const record = parseLoggedModelMeta(text, folder, file)
    expect(formatLoggedModelMeta(record, text.includes('lifecycle_stage:'))).toBe(text)
  })

  it.each(matching(/^\d+\/models\/[^/]+\/metrics\//))('%s', (file) => {
    const text = read(file)
    const [, , modelId, , ...key] = file.split('/')
    const metrics = parseModelMetricLines(text, key.join('/'), modelId!, file)
    expect(metrics.map((metric) => formatModelMetricLine(metric, metric.runId)).join('')).toBe(text)
  })

  it.each(matching(/^\d+\/[0-9a-f]{32}\/outputs\/[^/]+\/meta\.yaml$/))('%s', (file) => {
    const text = read(file)
    const { modelId, step } = parseModelOutputMeta(text, file)
    expect(modelId).toBe(file.split('/')[3])
    expect(formatModelOutputMeta(modelId, step)).toBe(text)
  })

  const modelInputs = matching(/^\d+\/[0-9a-f]{32}\/inputs\/[^/]+\/meta\.yaml$/).filter(
    (file) => parseInputMeta(read(file), file).sourceType === 'MODEL',
  )
  it('covers the fixture model inputs', () => expect(modelInputs).toHaveLength(3))
  it.each(modelInputs)('%s', (file) => {
    const text = read(file)
    const [, runId, , folder] = file.split('/')
    const { sourceId } = parseInputMeta(text, file)
    expect(modelInputFolderId(sourceId, runId!)).toBe(folder)
    expect(formatModelInputMeta(sourceId)).toBe(text)
  })
})

describe('registry files written byte for byte as MLflow', () => {
  it.each(matching(/^models\/[^/]+\/meta\.yaml$/))('%s', (file) => {
    const text = read(file)
    const dir = path.join(mlruns, path.dirname(file), 'aliases')
    const aliases = Object.fromEntries(
      (statSync(dir, { throwIfNoEntry: false }) ? readdirSync(dir) : []).map((alias) => [
        alias,
        readFileSync(path.join(dir, alias), 'utf8'),
      ]),
    )
    expect(formatRegisteredModelMeta(parseRegisteredModelMeta(text, file), aliases)).toBe(text)
  })

  it.each(matching(/^models\/[^/]+\/version-\d+\/meta\.yaml$/))('%s', (file) => {
    const text = read(file)
    expect(formatModelVersionMeta(parseModelVersionMeta(text, file).record)).toBe(text)
  })
})

describe('files written through the stores have the fixture shapes', () => {
  const keysOf = (text: string) =>
    text
      .split('\n')
      .filter((line) => /^\S/.test(line))
      .map((line) => line.split(':')[0])

  it('logged model, metric line, output and input files', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'trackstore-models-format-'))
    try {
      const root = path.join(parent, 'mlruns')
      const store = await openMetadataStore(root)
      const experimentId = await store.createExperiment('e')
      const run = await store.createRun({ experimentId })
      const runId = run.info.runId
      const model = await store.createLoggedModel({ experimentId, name: 'm', sourceRunId: runId })
      const dir = path.join(root, experimentId, 'models', model.modelId)
      const fixtureModel = matching(/^\d+\/models\/[^/]+\/meta\.yaml$/).map(read)
      const created = await fs.readFile(path.join(dir, 'meta.yaml'), 'utf8')
      expect(keysOf(created)).toEqual(keysOf(fixtureModel.find((t) => t.includes('deleted'))!))
      await store.finalizeLoggedModel(model.modelId, 'READY')
      const finalized = await fs.readFile(path.join(dir, 'meta.yaml'), 'utf8')
      expect(keysOf(finalized)).toEqual(keysOf(fixtureModel.find((t) => t.includes('status: 2'))!))
      expect(finalized).toContain('status: 2\n')
      await store.logMetric(runId, {
        key: 'acc',
        value: 0.93,
        timestamp: 1700000003000,
        step: 2,
        modelId: model.modelId,
        datasetName: 'iris-train',
        datasetDigest: 'd1a2b3c4',
      })
      expect(await fs.readFile(path.join(dir, 'metrics', 'acc'), 'utf8')).toBe(
        `1700000003000 0.93 2 ${runId} iris-train d1a2b3c4\n`,
      )
      expect(
        await fs.readFile(path.join(root, experimentId, runId, 'metrics', 'acc'), 'utf8'),
      ).toBe('1700000003000 0.93 2 iris-train d1a2b3c4\n')
      await store.logOutputs(runId, [{ modelId: model.modelId, step: 3 }])
      expect(
        await fs.readFile(
          path.join(root, experimentId, runId, 'outputs', model.modelId, 'meta.yaml'),
          'utf8',
        ),
      ).toBe(formatModelOutputMeta(model.modelId, 3))
      await store.logInputs(runId, [], [{ modelId: model.modelId }])
      const inputDir = path.join(root, experimentId, runId, 'inputs')
      expect(await fs.readdir(inputDir)).toEqual([modelInputFolderId(model.modelId, runId)])
      await store.close()
    } finally {
      await fs.rm(parent, { recursive: true, force: true })
    }
  })

  it('registered model, version, tag and alias files', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'trackstore-registry-format-'))
    try {
      const registry = await openModelRegistryStore(path.join(parent, 'mlruns'))
      await registry.createRegisteredModel('iris', { description: 'd' })
      await registry.createModelVersion({ name: 'iris', source: 's', modelId: 'm-1', runId: 'r' })
      await registry.setRegisteredModelAlias('iris', 'champion', 1)
      const dir = path.join(parent, 'mlruns', 'models', 'iris')
      const meta = await fs.readFile(path.join(dir, 'meta.yaml'), 'utf8')
      expect(keysOf(meta)).toEqual(keysOf(read('models/iris-classifier/meta.yaml')))
      expect(meta).toContain("aliases:\n  champion: '1'\n")
      expect(await fs.readFile(path.join(dir, 'aliases', 'champion'), 'utf8')).toBe('1')
      const version = await fs.readFile(path.join(dir, 'version-1', 'meta.yaml'), 'utf8')
      expect(keysOf(version)).toEqual(keysOf(read('models/iris-classifier/version-1/meta.yaml')))
      expect(version).toContain('version: 1\n')
      expect(version).toContain('status: READY\n')
      await registry.close()
    } finally {
      await fs.rm(parent, { recursive: true, force: true })
    }
  })
})
