/**
 * What the file store promises beyond the contract: the folder it creates, corrupt input handled
 * as MLflow handles it (skipped with a warning by search, an error naming the file on a direct
 * read), paths that never leave the root, and atomic rewrites.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TrackstoreError, type Logger, type MetadataStore } from '../../../src/index.js'
import { writeFileAtomic } from '../../../src/metadata/file/fs-io.js'
import { openFileStore } from '../../../src/metadata/file/index.js'

let parent = ''
let root = ''
let store: MetadataStore
let warnings: string[] = []
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
  error: () => {},
}

beforeEach(async () => {
  parent = await fs.mkdtemp(path.join(os.tmpdir(), 'trackstore-file-safety-'))
  root = path.join(parent, 'mlruns')
  warnings = []
  store = await openFileStore(root, { logger })
})

afterEach(async () => {
  await store.close()
  await fs.rm(parent, { recursive: true, force: true })
})

async function newRun(): Promise<{ experimentId: string; runId: string; dir: string }> {
  const experimentId = await store.createExperiment(`e-${Math.random()}`)
  const run = await store.createRun({ experimentId, userId: 'u' })
  return { experimentId, runId: run.info.runId, dir: path.join(root, experimentId, run.info.runId) }
}

async function rejection(action: Promise<unknown>): Promise<TrackstoreError> {
  const error = await action.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(TrackstoreError)
  return error as TrackstoreError
}

describe('the folder it creates', () => {
  it('creates the root with .trash and the Default experiment 0, as MLflow does', async () => {
    expect((await fs.readdir(root)).sort()).toEqual(['.trash', '0'])
    const meta = await fs.readFile(path.join(root, '0', 'meta.yaml'), 'utf8')
    expect(meta).toMatch(
      new RegExp(
        `^artifact_location: file://${root}/0\\ncreation_time: \\d+\\nexperiment_id: '0'\\n` +
          'last_update_time: \\d+\\nlifecycle_stage: active\\nname: Default\\n' +
          'trace_location: null\\nworkspace: default\\n$',
      ),
    )
  })

  it('lays a run out as MLflow does: folders, meta.yaml, files without newline', async () => {
    const { experimentId, runId, dir } = await newRun()
    expect(experimentId).toMatch(/^[1-9]\d{17}$/)
    await store.logParam(runId, { key: 'a/b', value: 'v' })
    await store.setTag(runId, { key: 't', value: 'x\ny' })
    await store.logMetric(runId, { key: 'loss', value: 42, timestamp: 5, step: 2 })
    await store.logMetric(runId, { key: 'loss', value: 1e-5, timestamp: 6 })
    expect((await fs.readdir(dir)).sort()).toEqual([
      'artifacts',
      'meta.yaml',
      'metrics',
      'params',
      'tags',
    ])
    expect(await fs.readFile(path.join(dir, 'params', 'a', 'b'), 'utf8')).toBe('v')
    expect(await fs.readFile(path.join(dir, 'tags', 't'), 'utf8')).toBe('x\ny')
    expect(await fs.readFile(path.join(dir, 'metrics', 'loss'), 'utf8')).toBe(
      '5 42.0 2\n6 1e-05 0\n',
    )
    const meta = await fs.readFile(path.join(dir, 'meta.yaml'), 'utf8')
    expect(meta).toContain(`run_id: ${runId}\n`)
    expect(meta).toContain(`run_uuid: ${runId}\n`)
    expect(meta).toContain('deleted_time: null\n')
    expect(meta).toContain('status: 1\n')
    expect(meta).toContain(`artifact_uri: file://${root}/${experimentId}/${runId}/artifacts\n`)
  })

  it('moves a deleted experiment to .trash and back', async () => {
    const { experimentId, runId } = await newRun()
    await store.deleteExperiment(experimentId)
    expect(await fs.readdir(path.join(root, '.trash'))).toEqual([experimentId])
    const meta = await fs.readFile(path.join(root, '.trash', experimentId, 'meta.yaml'), 'utf8')
    expect(meta).toContain('lifecycle_stage: deleted\n')
    expect(meta).toContain('tags: {}\n')
    expect((await store.getRun(runId)).info.lifecycleStage).toBe('deleted')
    await store.restoreExperiment(experimentId)
    expect(await fs.readdir(path.join(root, '.trash'))).toEqual([])
    const runMeta = await fs.readFile(path.join(root, experimentId, runId, 'meta.yaml'), 'utf8')
    expect(runMeta).not.toContain('deleted_time')
  })

  it('finds a run again after another process moved its experiment', async () => {
    const { experimentId, runId } = await newRun()
    await store.getRun(runId)
    await fs.rename(path.join(root, experimentId), path.join(root, '.trash', experimentId))
    expect((await store.getRun(runId)).info.runId).toBe(runId)
  })
})

describe('corrupt input', () => {
  it('skips a run without meta.yaml in search, with a warning naming it', async () => {
    const { experimentId, runId, dir } = await newRun()
    const other = await store.createRun({ experimentId })
    await fs.rm(path.join(dir, 'meta.yaml'))
    const page = await store.searchRuns({ experimentIds: [experimentId] })
    expect(page.items.map((run) => run.info.runId)).toEqual([other.info.runId])
    expect(warnings.join('\n')).toContain(path.join(dir, 'meta.yaml'))
    const error = await rejection(store.getRun(runId))
    expect(error.message).toContain(path.join(dir, 'meta.yaml'))
  })

  it('reports an empty meta.yaml after retrying, naming the file', async () => {
    const { runId, dir } = await newRun()
    await fs.writeFile(path.join(dir, 'meta.yaml'), '')
    const error = await rejection(store.getRun(runId))
    expect(error.message).toMatch(/empty meta\.yaml/)
    expect(error.message).toContain(dir)
  })

  it('skips a run recorded under another experiment, and fails reading it', async () => {
    const { experimentId, runId, dir } = await newRun()
    const file = path.join(dir, 'meta.yaml')
    const text = await fs.readFile(file, 'utf8')
    await fs.writeFile(file, text.replace(`experiment_id: '${experimentId}'`, "experiment_id: '5'"))
    expect((await store.searchRuns({ experimentIds: [experimentId] })).items).toEqual([])
    const error = await rejection(store.getRun(runId))
    expect(error.code).toBe('INVALID_STATE')
    expect(error.message).toMatch(/invalid state/)
    expect(error.message).toContain(file)
  })

  it('skips a run with a malformed metric line in search, and fails reading it', async () => {
    const { experimentId, runId, dir } = await newRun()
    await store.logMetric(runId, { key: 'm', value: 1, timestamp: 1 })
    await fs.appendFile(path.join(dir, 'metrics', 'm'), '1 2 3 4\n')
    const page = await store.searchRuns({ experimentIds: [experimentId] })
    expect(page.items).toEqual([])
    expect(warnings.join('\n')).toContain(path.join(dir, 'metrics', 'm'))
    const error = await rejection(store.getRun(runId))
    expect(error.code).toBe('INTERNAL_ERROR')
    expect(error.message).toMatch(/contained 4 fields/)
  })

  it('skips an experiment with broken YAML in search, and names it on a direct read', async () => {
    const id = await store.createExperiment('broken')
    const file = path.join(root, id, 'meta.yaml')
    await fs.writeFile(file, "name: 'unterminated\n")
    const page = await store.searchExperiments()
    expect(page.items.map((e) => e.experimentId)).toEqual(['0'])
    expect(warnings.join('\n')).toContain(file)
    const error = await rejection(store.getExperiment(id))
    expect(error.message).toContain(file)
  })

  it('never treats a meta.yaml planted inside artifacts as a run', async () => {
    const { experimentId, dir } = await newRun()
    const planted = path.join(dir, 'artifacts', 'fake')
    await fs.mkdir(planted, { recursive: true })
    await fs.copyFile(path.join(dir, 'meta.yaml'), path.join(planted, 'meta.yaml'))
    const page = await store.searchRuns({ experimentIds: [experimentId] })
    expect(page.items).toHaveLength(1)
    await rejection(store.getRun('fake'))
  })
})

describe('paths never leave the root', () => {
  it('refuses traversal in ids and keys', async () => {
    const { runId } = await newRun()
    for (const action of [
      store.getExperiment('../x'),
      store.getExperiment('/etc'),
      store.getRun('../../etc'),
      store.getRun('a\0b'),
      store.logParam(runId, { key: '../escape', value: 'v' }),
      store.setTag(runId, { key: '/abs', value: 'v' }),
      store.logMetric(runId, { key: 'a/../../b', value: 1, timestamp: 1 }),
      store.getMetricHistory(runId, '..'),
      store.createRun({ experimentId: '..' }),
    ]) {
      expect((await rejection(action)).code).toBe('INVALID_PARAMETER_VALUE')
    }
    expect(await fs.readdir(parent)).toEqual(['mlruns'])
  })

  it('refuses a dataset folder named outside the experiment by a planted input', async () => {
    const { runId, dir } = await newRun()
    const input = path.join(dir, 'inputs', 'x')
    await fs.mkdir(input, { recursive: true })
    await fs.writeFile(
      path.join(input, 'meta.yaml'),
      'destination_id: a\ndestination_type: RUN\nsource_id: ../../..\nsource_type: DATASET\n',
    )
    expect((await rejection(store.getRun(runId))).code).toBe('INVALID_PARAMETER_VALUE')
  })
})

describe('atomic writes', () => {
  it('leaves the old meta.yaml whole when a rewrite fails before the rename', async () => {
    const { runId, dir } = await newRun()
    const file = path.join(dir, 'meta.yaml')
    const before = await fs.readFile(file, 'utf8')
    // The temporary file cannot be created: the write fails and the old file stays whole.
    await expect(
      writeFileAtomic(file, 'half', path.join(parent, 'no-such-folder')),
    ).rejects.toThrow()
    expect(await fs.readFile(file, 'utf8')).toBe(before)
    expect((await store.getRun(runId)).info.status).toBe('RUNNING')
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('keeps the mode of the file it replaces and leaves no temporary file', async () => {
    const dir = path.join(parent, 'atomic')
    await fs.mkdir(dir)
    const file = path.join(dir, 'meta.yaml')
    await fs.writeFile(file, 'old: 1\n')
    await fs.chmod(file, 0o640)
    await writeFileAtomic(file, 'new: 2\n')
    expect(await fs.readFile(file, 'utf8')).toBe('new: 2\n')
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640)
    expect(await fs.readdir(dir)).toEqual(['meta.yaml'])
  })

  it('replaces a file whole when the temporary file cannot be renamed', async () => {
    const dir = path.join(parent, 'atomic2')
    await fs.mkdir(dir)
    const target = path.join(dir, 'meta.yaml')
    await fs.mkdir(target)
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow()
    expect(await fs.readdir(dir)).toEqual(['meta.yaml'])
  })

  it('appends concurrent metric values as whole lines', async () => {
    const { runId, dir } = await newRun()
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.logMetric(runId, { key: 'm', value: i, timestamp: i, step: i }),
      ),
    )
    const lines = (await fs.readFile(path.join(dir, 'metrics', 'm'), 'utf8')).split('\n')
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(50)
    for (const line of lines) expect(line).toMatch(/^\d+ \d+\.0 \d+$/)
  })
})
