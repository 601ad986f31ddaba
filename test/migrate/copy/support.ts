/**
 * Stores for the migration tests: the MLflow-written fixtures copied to temporary folders
 * (never into the repo), fresh stores of each backend, and small wrappers over copy and verify.
 */
import { cp, chmod, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MetadataStore } from '../../../src/metadata/metadata-store.js'
import { copyStore, type CopyOptions, type CopySummary } from '../../../src/migrate/copy/index.js'
import {
  lossinessOf,
  verifyStores,
  type VerifyOptions,
  type VerifyReport,
} from '../../../src/migrate/verify/index.js'
import { openMetadataStore, widenExperimentIds } from '../../../src/open-metadata-store.js'
import { createTestDatabase, createTestSqlite, serverAvailable } from '../../support/databases.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const FIXTURES = path.resolve(repoRoot, '..', 'shared', 'mlflow-reference', 'fixtures')

export type Backend = 'file' | 'sqlite' | 'postgresql' | 'mysql'
export const BACKENDS: readonly Backend[] = ['file', 'sqlite', 'postgresql', 'mysql']

export const available: Record<Backend, boolean> = {
  file: true,
  sqlite: true,
  postgresql: await serverAvailable('postgresql'),
  mysql: await serverAvailable('mysql'),
}

export interface TestStore {
  uri: string
  store: MetadataStore
  /** Closes the store and removes what it made. */
  drop(): Promise<void>
}

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `trackstore-${prefix}-`))
}

/** A writable copy of a fixture (`mlruns` or `mlflow.db`) in a fresh temporary folder. */
export async function copyOfFixture(name: 'mlruns' | 'mlflow.db'): Promise<{
  path: string
  uri: string
  remove(): Promise<void>
}> {
  const dir = await tempDir('fixture')
  const target = path.join(dir, name)
  await cp(path.join(FIXTURES, name), target, { recursive: true })
  await chmodTree(target)
  return {
    path: target,
    uri: name === 'mlflow.db' ? `sqlite:///${target}` : target,
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

async function chmodTree(target: string): Promise<void> {
  const { readdir, stat } = await import('node:fs/promises')
  const info = await stat(target)
  await chmod(target, info.isDirectory() ? 0o755 : 0o644)
  if (!info.isDirectory()) return
  for (const name of await readdir(target)) await chmodTree(path.join(target, name))
}

/** A fresh, empty store of a backend (the file store in a temporary folder). */
export async function emptyStore(backend: Backend): Promise<TestStore> {
  let uri: string
  let dropBacking: () => Promise<void>
  if (backend === 'file') {
    const dir = await tempDir('mlruns')
    uri = path.join(dir, 'mlruns')
    dropBacking = () => rm(dir, { recursive: true, force: true })
  } else {
    const database =
      backend === 'sqlite' ? await createTestSqlite() : await createTestDatabase(backend)
    uri = database.uri
    dropBacking = () => database.drop()
  }
  const store = await openMetadataStore(uri)
  return {
    uri,
    store,
    drop: async () => {
      await store.close()
      await dropBacking()
    },
  }
}

/** Opens the store at `uri` again (a fresh handle, as another process would). */
export async function reopen(uri: string): Promise<MetadataStore> {
  return openMetadataStore(uri)
}

export async function copy(
  from: TestStore,
  to: TestStore,
  options: Partial<CopyOptions> = {},
): Promise<CopySummary> {
  return copyStore(from.store.transfer, to.store.transfer, {
    sourceLabel: from.uri,
    widenExperimentIds: async () => {
      await widenExperimentIds(to.uri)
    },
    ...options,
  })
}

export async function verify(
  a: TestStore,
  b: TestStore,
  options: VerifyOptions & { viaStores?: TestStore[] } = {},
): Promise<VerifyReport> {
  const side = (store: TestStore) => ({
    label: store.uri,
    capabilities: store.store.capabilities,
    transfer: store.store.transfer,
  })
  const via = (options.viaStores ?? []).map((store) =>
    lossinessOf(store.store.capabilities, store.store.transfer),
  )
  return verifyStores(side(a), side(b), { ...options, via: [...(options.via ?? []), ...via] })
}

/** A store holding the fixture content: the fixture itself for file and SQLite, else a copy. */
export async function seededStore(backend: Backend): Promise<TestStore> {
  if (backend === 'file' || backend === 'sqlite') {
    const fixture = await copyOfFixture(backend === 'file' ? 'mlruns' : 'mlflow.db')
    const store = await openMetadataStore(fixture.uri)
    return {
      uri: fixture.uri,
      store,
      drop: async () => {
        await store.close()
        await fixture.remove()
      },
    }
  }
  // Server backends start from the file fixture: its 18-digit ids need the widened schema.
  const source = await seededStore('file')
  const target = await emptyStore(backend)
  try {
    await copy(source, target)
  } finally {
    await source.drop()
  }
  return target
}

export interface GeneratedStoreSpec {
  experiments: number
  runsPerExperiment: number
  metrics: number
  steps: number
  /** Writes `hello.txt` and `sub/data.bin` into every run's artifact folder. */
  artifacts?: boolean
}

/**
 * An `mlruns` folder of generated content, written through the file store's transfer facet:
 * params, tags, a dataset input, a deleted run, one exact duplicate metric row per run.
 */
export async function generateFileStore(root: string, spec: GeneratedStoreSpec): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises')
  const { pathToFileURL } = await import('node:url')
  const store = await openMetadataStore(root)
  const transfer = store.transfer
  try {
    for (let e = 0; e < spec.experiments; e += 1) {
      const experimentId = await transfer.newExperimentId()
      const location = pathToFileURL(path.join(root, experimentId)).href
      await transfer.putExperiment({
        experimentId,
        name: `generated-${e}`,
        artifactLocation: location,
        lifecycleStage: 'active',
        creationTime: 1_700_000_000_000 + e,
        lastUpdateTime: 1_700_000_000_000 + e,
        tags: [{ key: 'team', value: `t${e}` }],
      })
      for (let r = 0; r < spec.runsPerExperiment; r += 1) {
        const runId = `${e.toString(16).padStart(4, '0')}${r.toString(16).padStart(4, '0')}`
          .padEnd(32, 'a')
          .slice(0, 32)
        const artifactUri = `${location}/${runId}/artifacts`
        await transfer.putRun({
          info: {
            runId,
            runName: `run-${e}-${r}`,
            experimentId,
            userId: 'gen',
            status: r % 3 === 0 ? 'RUNNING' : 'FINISHED',
            startTime: 1_700_000_000_000 + r * 1000,
            endTime: r % 3 === 0 ? null : 1_700_000_000_500 + r * 1000,
            artifactUri,
            lifecycleStage: r === 1 ? 'deleted' : 'active',
            deletedTime: r === 1 ? 1_700_000_009_000 : null,
          },
          params: Array.from({ length: 5 }, (_, i) => ({ key: `p${i}`, value: `${i * r}` })),
          tags: [
            { key: 'mlflow.runName', value: `run-${e}-${r}` },
            { key: 'mlflow.user', value: 'gen' },
          ],
          datasetInputs: [
            {
              dataset: { name: 'ds', digest: 'd1', sourceType: 'local', source: '{}' },
              tags: [{ key: 'mlflow.data.context', value: 'training' }],
            },
          ],
          metrics: (async function* () {
            for (let m = 0; m < spec.metrics; m += 1) {
              const rows = Array.from({ length: spec.steps }, (_, step) => ({
                key: `m${m}`,
                value: Math.sin(step + m + r) * 10,
                timestamp: 1_700_000_000_000 + step,
                step,
              }))
              rows.push({ ...rows[0]! })
              yield rows
            }
          })(),
        })
        if (spec.artifacts) {
          const dir = path.join(root, experimentId, runId, 'artifacts')
          await mkdir(path.join(dir, 'sub'), { recursive: true })
          await writeFile(path.join(dir, 'hello.txt'), `hello from ${runId}\n`)
          await writeFile(path.join(dir, 'sub', 'data.bin'), Buffer.alloc(2048, r))
        }
      }
    }
  } finally {
    await store.close()
  }
}

/** Opens an existing store as a TestStore; `drop` closes it and removes `cleanup` if given. */
export async function openTestStore(uri: string, cleanup?: string): Promise<TestStore> {
  const store = await openMetadataStore(uri)
  return {
    uri,
    store,
    drop: async () => {
      await store.close()
      if (cleanup) await rm(cleanup, { recursive: true, force: true })
    },
  }
}
