/**
 * The registry's transfer facet over MLflow's file registry (the `models/` folder of an
 * `mlruns` store): registered models in name order with every version folder (deleted ones in
 * `Deleted_Internal` too), and exact writes. A registered model is built whole in a hidden
 * folder at the store root (`.trackstore-registered-model-<hex name>`, which no reader takes for
 * an experiment) and renamed into `models/<name>`, so it is complete or absent.
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { exists, listFolders, listKeyFiles, readText } from '../../metadata/file/fs-io.js'
import { inside } from '../../metadata/file/layout.js'
import { corrupt } from '../../metadata/file/records.js'
import type { KeyValue } from '../../metadata/metadata-store.js'
import type { PutOutcome, TransferReadOptions } from '../../metadata/transfer.js'
import { sortByKey } from '../../metadata/validation.js'
import { STAGE_DELETED_INTERNAL } from '../registry-rules.js'
import type {
  RegistryTransfer,
  TransferModelVersion,
  TransferRegisteredModel,
} from '../registry-transfer.js'
import {
  formatModelVersionMeta,
  formatRegisteredModelMeta,
  parseModelVersionMeta,
  parseRegisteredModelMeta,
} from './registry-records.js'

const META_FILE = 'meta.yaml'
const TAGS_FOLDER = 'tags'
const ALIASES_FOLDER = 'aliases'
const VERSION_PREFIX = 'version-'
const TEMPORARY_PREFIX = '.trackstore-registered-model-'

const byCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

function readKeyValues(dir: string): KeyValue[] {
  return sortByKey(
    listKeyFiles(dir).map((key) => ({ key, value: readText(inside(dir, key)) ?? '' })),
  )
}

async function writeKeyValues(dir: string, entries: readonly KeyValue[]): Promise<void> {
  for (const { key, value } of entries) {
    const file = inside(dir, ...key.split('/'))
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, value, 'utf8')
  }
}

export class FileRegistryTransfer implements RegistryTransfer {
  readonly persistsModelVersionModelId = true

  /** `root` is the `mlruns` folder; `modelsDir` its `models/` folder. */
  constructor(
    private readonly root: string,
    private readonly modelsDir: string,
  ) {}

  async *registeredModels(
    options: TransferReadOptions = {},
  ): AsyncIterable<TransferRegisteredModel> {
    const names = listFolders(this.modelsDir).sort(byCodePoints)
    for (const name of names) {
      const dir = inside(this.modelsDir, name)
      if (!exists(path.join(dir, META_FILE))) continue
      let model: TransferRegisteredModel
      try {
        model = this.#read(dir)
      } catch (error) {
        if (!options.onUnreadable) throw error
        options.onUnreadable({
          kind: 'registeredModel',
          id: name,
          location: dir,
          reason: messageOf(error),
        })
        continue
      }
      yield model
    }
  }

  #read(dir: string): TransferRegisteredModel {
    const file = path.join(dir, META_FILE)
    const record = parseRegisteredModelMeta(readText(file) ?? '', file)
    const versions: TransferModelVersion[] = []
    for (const folder of listFolders(dir)) {
      if (!folder.startsWith(VERSION_PREFIX)) continue
      const versionFile = path.join(dir, folder, META_FILE)
      const text = readText(versionFile)
      if (text === null) continue
      const { record: version, deleted } = parseModelVersionMeta(text, versionFile)
      const fields: Partial<typeof version> = { ...version }
      delete fields.deploymentJobState
      versions.push({
        ...(fields as Omit<typeof version, 'deploymentJobState'>),
        version: String(Number(version.version)),
        tags: readKeyValues(path.join(dir, folder, TAGS_FOLDER)),
        deleted,
      })
    }
    versions.sort((a, b) => Number(a.version) - Number(b.version))
    if (record.name !== path.basename(dir)) {
      throw corrupt(file, `it names model '${record.name}' but lies in '${path.basename(dir)}'`)
    }
    return {
      name: record.name,
      creationTimestamp: record.creationTimestamp,
      lastUpdatedTimestamp: record.lastUpdatedTimestamp,
      description: record.description,
      tags: readKeyValues(path.join(dir, TAGS_FOLDER)),
      aliases: readKeyValues(path.join(dir, ALIASES_FOLDER))
        .map(({ key, value }) => ({ alias: key, version: value.trim() }))
        .sort((a, b) => byCodePoints(a.alias, b.alias)),
      versions,
    }
  }

  async putRegisteredModel(model: TransferRegisteredModel): Promise<PutOutcome> {
    const target = inside(this.modelsDir, model.name)
    if (exists(path.join(target, META_FILE))) return 'exists'
    const temporary = inside(
      this.root,
      `${TEMPORARY_PREFIX}${Buffer.from(model.name).toString('hex').slice(0, 64)}-` +
        randomBytes(4).toString('hex'),
    )
    try {
      await this.#build(temporary, model)
      await fs.mkdir(this.modelsDir, { recursive: true })
      // A folder without meta.yaml is a leftover of an interrupted MLflow write.
      await fs.rm(target, { recursive: true, force: true })
      await fs.rename(temporary, target)
    } catch (error) {
      await fs.rm(temporary, { recursive: true, force: true })
      throw error
    }
    return 'created'
  }

  async #build(dir: string, model: TransferRegisteredModel): Promise<void> {
    await fs.mkdir(dir, { recursive: true })
    await writeKeyValues(path.join(dir, TAGS_FOLDER), model.tags)
    await writeKeyValues(
      path.join(dir, ALIASES_FOLDER),
      model.aliases.map(({ alias, version }) => ({ key: alias, value: version })),
    )
    for (const version of model.versions) {
      const versionDir = path.join(dir, `${VERSION_PREFIX}${Number(version.version)}`)
      await fs.mkdir(versionDir, { recursive: true })
      await writeKeyValues(path.join(versionDir, TAGS_FOLDER), version.tags)
      const stage = version.deleted ? STAGE_DELETED_INTERNAL : version.currentStage
      await fs.writeFile(
        path.join(versionDir, META_FILE),
        formatModelVersionMeta({ ...version, deploymentJobState: null }, stage),
        'utf8',
      )
    }
    const aliases = Object.fromEntries(model.aliases.map((a) => [a.alias, a.version]))
    const record = {
      name: model.name,
      creationTimestamp: model.creationTimestamp,
      lastUpdatedTimestamp: model.lastUpdatedTimestamp,
      description: model.description,
      deploymentJobId: null,
      deploymentJobState: null,
    }
    await fs.writeFile(path.join(dir, META_FILE), formatRegisteredModelMeta(record, aliases))
  }

  async isEmpty(): Promise<boolean> {
    return !listFolders(this.modelsDir).some((name) =>
      exists(path.join(this.modelsDir, name, META_FILE)),
    )
  }
}
