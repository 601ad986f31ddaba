/**
 * The MLflow 3 models fixture (`fixtures-models/`: logged models, run inputs and outputs, a
 * registry) for the migration tests: copies in temporary folders (never into the repo), stores
 * opened with their registries, and copy and verify over both.
 */
import { chmod, cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MetadataStore } from '../../../src/metadata/metadata-store.js'
import { copyStore, type CopyOptions, type CopySummary } from '../../../src/migrate/copy/index.js'
import {
  lossinessOf,
  verifyStores,
  type VerifyReport,
  type VerifySide,
} from '../../../src/migrate/verify/index.js'
import {
  openMetadataStore,
  openModelRegistryStore,
  widenExperimentIds,
} from '../../../src/open-metadata-store.js'
import type { ModelRegistryStore } from '../../../src/registry/registry-store.js'
import { createTestDatabase, createTestSqlite } from '../../support/databases.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const MODELS_FIXTURE = path.resolve(
  repoRoot,
  '..',
  'shared',
  'mlflow-reference',
  'fixtures-models',
)
/** Where MLflow wrote the fixture; every stored location starts with it. */
export const FIXTURE_ORIGIN = '/srv/mlflow-fixtures/models'

/** The tolerated kinds a file ⇄ SQL hop may show on this fixture, and nothing else. */
export const FILE_SQL_KINDS = [
  'duplicateRows',
  'infClamp',
  'loggedModelNaN',
  'metricDatasets',
  'modelVersionModelId',
  'negativeZero',
]

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `trackstore-${prefix}-`))
}

async function makeWritable(target: string): Promise<void> {
  const info = await stat(target)
  await chmod(target, info.isDirectory() ? 0o755 : 0o644)
  if (!info.isDirectory()) return
  for (const name of await readdir(target)) await makeWritable(path.join(target, name))
}

/** The fixture copied into `dir`: `mlruns/`, `mlflow.db` and `sqlite-artifacts/`. */
export async function copyModelsFixture(dir: string): Promise<{ mlruns: string; sqlite: string }> {
  for (const name of ['mlruns', 'mlflow.db', 'sqlite-artifacts']) {
    await cp(path.join(MODELS_FIXTURE, name), path.join(dir, name), { recursive: true })
    await makeWritable(path.join(dir, name))
  }
  return { mlruns: path.join(dir, 'mlruns'), sqlite: `sqlite:///${path.join(dir, 'mlflow.db')}` }
}

/** A tracking store with its registry. */
export interface Opened {
  uri: string
  store: MetadataStore
  registry: ModelRegistryStore
  close(): Promise<void>
}

export async function openBoth(uri: string, drop?: () => Promise<void>): Promise<Opened> {
  const store = await openMetadataStore(uri)
  const registry = await openModelRegistryStore(uri)
  return {
    uri,
    store,
    registry,
    close: async () => {
      await registry.close()
      await store.close()
      await drop?.()
    },
  }
}

/** A fresh, empty store of a SQL backend with its registry. */
export async function emptySql(backend: 'sqlite' | 'postgresql' | 'mysql'): Promise<Opened> {
  const database =
    backend === 'sqlite' ? await createTestSqlite() : await createTestDatabase(backend)
  return openBoth(database.uri, () => database.drop())
}

export async function copyAll(
  from: Opened,
  to: Opened,
  options: Partial<CopyOptions> = {},
): Promise<CopySummary> {
  return copyStore(from.store.transfer, to.store.transfer, {
    sourceLabel: from.uri,
    registry: { source: from.registry.transfer, destination: to.registry.transfer },
    widenExperimentIds: async () => {
      await widenExperimentIds(to.uri)
    },
    ...options,
  })
}

export function side(opened: Opened): VerifySide {
  return {
    label: opened.uri,
    capabilities: opened.store.capabilities,
    transfer: opened.store.transfer,
    registry: opened.registry.transfer,
  }
}

/** Verifies `a` against `b`; `via` are the stores the data passed through in between. */
export async function verifyBoth(
  a: Opened,
  b: Opened,
  via: Opened[] = [],
  compareLocations = true,
): Promise<VerifyReport> {
  return verifyStores(side(a), side(b), {
    compareLocations,
    via: via.map((o) => lossinessOf(o.store.capabilities, o.store.transfer, o.registry.transfer)),
  })
}

/** What every verification of the whole fixture counts. */
export function expectFixtureCounts(report: VerifyReport): void {
  if (report.experiments !== 3 || report.runs !== 6 || report.loggedModels !== 5) {
    throw new Error(`unexpected counts ${JSON.stringify(report)}`)
  }
  if (report.registry?.registeredModels !== 2 || report.registry.modelVersions !== 4) {
    throw new Error(`unexpected registry counts ${JSON.stringify(report.registry)}`)
  }
}

export { rm }
