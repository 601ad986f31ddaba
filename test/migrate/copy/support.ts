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
