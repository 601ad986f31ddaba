/**
 * MLflow's file registry: the root `models/` folder of an `mlruns` store, one folder per
 * registered model (`meta.yaml`, `tags/<key>`, `aliases/<alias>` holding the version, and
 * `version-<n>/meta.yaml` with `version-<n>/tags/<key>`), written as MLflow writes it. Deleted
 * models are removed; deleted versions keep their folder in the internal stage
 * `Deleted_Internal`. Unlike MLflow, a rename keeps the model's tags and aliases and works when
 * versions have tags (both are MLflow bugs, see docs/models.md).
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { alreadyExists, invalidParameter, invalidState } from '../../core/errors.js'
import type { KeyValue, Page } from '../../metadata/metadata-store.js'
import {
  exists,
  isFolder,
  listFolders,
  listKeyFiles,
  readText,
  writeFileAtomic,
} from '../../metadata/file/fs-io.js'
import { inside } from '../../metadata/file/layout.js'
import {
  MODEL_VERSION_MAX_RESULTS,
  REGISTERED_MODEL_MAX_RESULTS,
  compareRegistryEntities,
  decodePageToken,
  encodePageToken,
  matchesModelVersion,
  matchesRegisteredModel,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  validateRegistryMaxResults,
} from '../../metadata/search/index.js'
import { sortByKey, validateKey } from '../../metadata/validation.js'
import {
  aliasNotFound,
  canonicalStage,
  checkArchiveExisting,
  latestVersions,
  modelVersionNotFound,
  parseModelsUri,
  registeredModelNotFound,
  validateAlias,
  validateModelName,
  validateRegistryTag,
  validateVersion,
} from '../registry-rules.js'
import type {
  CreateModelVersionOptions,
  CreateRegisteredModelOptions,
  ModelRegistryStore,
  ModelVersion,
  RegisteredModel,
  RegistryCapabilities,
  RegistrySearchOptions,
} from '../registry-store.js'
import {
  formatModelVersionMeta,
  formatRegisteredModelMeta,
  parseModelVersionMeta,
  parseRegisteredModelMeta,
  type ModelVersionRecord,
  type RegisteredModelRecord,
} from './registry-records.js'

import { FileRegistryTransfer } from './file-registry-transfer.js'

const META_FILE = 'meta.yaml'
const TAGS_FOLDER = 'tags'
const ALIASES_FOLDER = 'aliases'
const VERSION_PREFIX = 'version-'

export const FILE_REGISTRY_CAPABILITIES: RegistryCapabilities = Object.freeze({
  kind: 'file',
  persistsModelVersionModelId: true,
})

/** MLflow's file registry refuses path separators and `%` in names; `.`/`..` name no folder. */
function validateFileModelName(name: unknown, parameter = 'name'): string {
  const valid = validateModelName(name, parameter)
  if (valid.includes('/') || valid.includes('\\')) {
    throw invalidParameter(
      `Invalid name: '${valid}'. Registered model name cannot contain path separator`,
    )
  }
  if (valid.includes('%')) {
    throw invalidParameter(
      `Invalid name: '${valid}'. Registered model name cannot contain '%' character`,
    )
  }
  if (valid === '.' || valid === '..' || valid.includes('\0')) {
    throw invalidParameter(`Invalid name: '${valid}'. It cannot name a folder`)
  }
  return valid
}

/** Now, or one millisecond after `previous` when the clock has not moved past it. */
function laterThan(previous: number | null): number {
  const now = Date.now()
  return previous !== null && now <= previous ? previous + 1 : now
}

export class FileModelRegistryStore implements ModelRegistryStore {
  readonly capabilities = FILE_REGISTRY_CAPABILITIES
  readonly modelsDir: string
  readonly transfer: FileRegistryTransfer

  /** `root` is the `mlruns` folder; the registry lives in its `models/` sub-folder. */
  constructor(readonly root: string) {
    this.modelsDir = path.join(root, 'models')
    this.transfer = new FileRegistryTransfer(root, this.modelsDir)
  }

  async initialize(): Promise<void> {
    await fs.mkdir(this.modelsDir, { recursive: true })
  }

  async close(): Promise<void> {}

  // ------------------------------------------------------------------------ paths and reads

  #modelDir(name: string): string {
    return inside(this.modelsDir, validateFileModelName(name))
  }

  #readKeyValues(dir: string): KeyValue[] {
    return sortByKey(
      listKeyFiles(dir).map((key) => ({ key, value: readText(inside(dir, key)) ?? '' })),
    )
  }

  #requireModelDir(name: string): string {
    const dir = this.#modelDir(name)
    if (!exists(path.join(dir, META_FILE))) throw registeredModelNotFound(name)
    return dir
  }

  #readModelRecord(dir: string): RegisteredModelRecord {
    const file = path.join(dir, META_FILE)
    const text = readText(file)
    if (text === null || text.trim() === '') throw invalidState(`${file} is missing or empty`)
    return parseRegisteredModelMeta(text, file)
  }

  #aliases(dir: string): { alias: string; version: string }[] {
    return this.#readKeyValues(path.join(dir, ALIASES_FOLDER)).map(({ key, value }) => ({
      alias: key,
      version: value.trim(),
    }))
  }

  /** Every version folder of a model, deleted ones flagged. */
  #versionRecords(dir: string): { record: ModelVersionRecord; deleted: boolean; dir: string }[] {
    return listFolders(dir)
      .filter((name) => name.startsWith(VERSION_PREFIX))
      .flatMap((name) => {
        const versionDir = path.join(dir, name)
        const file = path.join(versionDir, META_FILE)
        const text = readText(file)
        if (text === null) return []
        return [{ ...parseModelVersionMeta(text, file), dir: versionDir }]
      })
  }

  #toVersion(
    record: ModelVersionRecord,
    dir: string,
    aliases: { alias: string; version: string }[],
  ) {
    const version: ModelVersion = {
      name: record.name,
      creationTimestamp: record.creationTimestamp,
      lastUpdatedTimestamp: record.lastUpdatedTimestamp,
      userId: record.userId,
      currentStage: record.currentStage,
      description: record.description,
      source: record.source,
      runId: record.runId,
      runLink: record.runLink,
      status: record.status,
      statusMessage: record.statusMessage,
      storageLocation: record.storageLocation,
      modelId: record.modelId,
      version: String(Number(record.version)),
      tags: this.#readKeyValues(path.join(dir, TAGS_FOLDER)),
      aliases: aliases
        .filter((alias) => alias.version === String(Number(record.version)))
        .map((alias) => alias.alias)
        .sort(),
    }
    return version
  }

  #activeVersions(dir: string): ModelVersion[] {
    const aliases = this.#aliases(dir)
    return this.#versionRecords(dir)
      .filter((entry) => !entry.deleted)
      .map((entry) => this.#toVersion(entry.record, entry.dir, aliases))
  }

  #readModel(dir: string): RegisteredModel {
    const record = this.#readModelRecord(dir)
    return {
      name: record.name,
      creationTimestamp: record.creationTimestamp,
      lastUpdatedTimestamp: record.lastUpdatedTimestamp,
      description: record.description,
      tags: this.#readKeyValues(path.join(dir, TAGS_FOLDER)),
      aliases: this.#aliases(dir).sort((a, b) =>
        a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0,
      ),
      latestVersions: latestVersions(this.#activeVersions(dir)),
    }
  }

  #versionEntry(name: string, version: string | number) {
    const number = validateVersion(version)
    const dir = this.#requireModelDir(name)
    const versionDir = inside(dir, `${VERSION_PREFIX}${number}`)
    const file = path.join(versionDir, META_FILE)
    const text = readText(file)
    if (text === null) throw modelVersionNotFound(name, number)
    const parsed = parseModelVersionMeta(text, file)
    if (parsed.deleted) throw modelVersionNotFound(name, number)
    return { modelDir: dir, dir: versionDir, number, record: parsed.record }
  }

  // ------------------------------------------------------------------------ writes

  /** Rewrites a model's meta.yaml with the current aliases, as MLflow does on every change. */
  async #writeModelMeta(dir: string, record: RegisteredModelRecord): Promise<void> {
    const aliases = Object.fromEntries(this.#aliases(dir).map((a) => [a.alias, a.version]))
    await writeFileAtomic(path.join(dir, META_FILE), formatRegisteredModelMeta(record, aliases))
  }

  async #touch(dir: string, now?: number): Promise<void> {
    const record = this.#readModelRecord(dir)
    await this.#writeModelMeta(dir, {
      ...record,
      lastUpdatedTimestamp: now ?? laterThan(record.lastUpdatedTimestamp),
    })
  }

  async #writeKeyFile(dir: string, folder: string, key: string, value: string): Promise<void> {
    await writeFileAtomic(inside(dir, folder, ...validateKey(key).split('/')), value, dir)
  }

  // ------------------------------------------------------------------------ registered models

  async createRegisteredModel(
    name: string,
    options: CreateRegisteredModelOptions = {},
  ): Promise<RegisteredModel> {
    const dir = this.#modelDir(name)
    const tags = (options.tags ?? []).map(validateRegistryTag)
    if (isFolder(dir)) throw alreadyExists(`Registered Model (name=${name}) already exists.`)
    await fs.mkdir(dir, { recursive: true })
    const now = Date.now()
    for (const tag of tags) await this.#writeKeyFile(dir, TAGS_FOLDER, tag.key, tag.value)
    await this.#writeModelMeta(dir, {
      name,
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      description: options.description ?? null,
      deploymentJobId: null,
      deploymentJobState: null,
    })
    return this.getRegisteredModel(name)
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.#readModel(this.#requireModelDir(name))
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const dir = this.#requireModelDir(name)
    const target = this.#modelDir(validateFileModelName(newName, 'new_name'))
    if (isFolder(target)) throw alreadyExists(`Registered Model (name=${newName}) already exists.`)
    const record = this.#readModelRecord(dir)
    const now = laterThan(record.lastUpdatedTimestamp)
    // Built in a scratch folder and renamed into place: never two half models.
    const scratch = path.join(this.modelsDir, `.trackstore-rename-${process.pid}-${now}`)
    await fs.rm(scratch, { recursive: true, force: true })
    await fs.cp(dir, scratch, { recursive: true })
    for (const entry of this.#versionRecords(scratch)) {
      const next = { ...entry.record, name: newName, lastUpdatedTimestamp: now }
      await writeFileAtomic(
        path.join(entry.dir, META_FILE),
        formatModelVersionMeta(next, entry.deleted ? 'Deleted_Internal' : next.currentStage),
      )
    }
    await this.#writeModelMeta(scratch, { ...record, name: newName, lastUpdatedTimestamp: now })
    await fs.rename(scratch, target)
    await fs.rm(dir, { recursive: true, force: true })
    return this.getRegisteredModel(newName)
  }

  async updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel> {
    const dir = this.#requireModelDir(name)
    const record = this.#readModelRecord(dir)
    await this.#writeModelMeta(dir, {
      ...record,
      description,
      lastUpdatedTimestamp: laterThan(record.lastUpdatedTimestamp),
    })
    return this.getRegisteredModel(name)
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await fs.rm(this.#requireModelDir(name), { recursive: true, force: true })
  }

  async searchRegisteredModels(
    options: RegistrySearchOptions = {},
  ): Promise<Page<RegisteredModel>> {
    const maxResults = validateRegistryMaxResults(options.maxResults, REGISTERED_MODEL_MAX_RESULTS)
    const clauses = parseRegisteredModelFilter(options.filter)
    const order = parseRegisteredModelOrderBy(options.orderBy)
    const offset = decodePageToken(options.pageToken)
    const models = listFolders(this.modelsDir)
      .filter((name) => !name.startsWith('.') && exists(path.join(this.modelsDir, name, META_FILE)))
      .map((name) => this.#readModel(path.join(this.modelsDir, name)))
      .filter((model) => matchesRegisteredModel(clauses, model))
      .sort(compareRegistryEntities(order))
    const end = offset + maxResults
    return {
      items: models.slice(offset, end),
      nextPageToken: end < models.length ? encodePageToken(end) : null,
    }
  }

  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    return latestVersions(this.#activeVersions(this.#requireModelDir(name)), stages)
  }

  async setRegisteredModelTag(name: string, tag: KeyValue): Promise<void> {
    const valid = validateRegistryTag(tag)
    const dir = this.#requireModelDir(name)
    await this.#writeKeyFile(dir, TAGS_FOLDER, valid.key, valid.value)
    await this.#touch(dir)
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    const dir = this.#requireModelDir(name)
    const file = inside(dir, TAGS_FOLDER, ...validateKey(key).split('/'))
    if (!exists(file)) return
    await fs.rm(file)
    await this.#touch(dir)
  }

  // ------------------------------------------------------------------------ model versions

  async createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion> {
    const { name, source } = options
    validateModelName(source, 'source')
    const tags = (options.tags ?? []).map(validateRegistryTag)
    const referenced = parseModelsUri(source)
    const storageLocation = referenced
      ? await this.getModelVersionDownloadUri(referenced.name, referenced.version)
      : source
    const dir = this.#requireModelDir(name)
    const numbers = this.#versionRecords(dir).map((entry) => Number(entry.record.version))
    const version = String(Math.max(0, ...numbers) + 1)
    const now = Date.now()
    const versionDir = inside(dir, `${VERSION_PREFIX}${version}`)
    await fs.mkdir(versionDir, { recursive: true })
    for (const tag of tags) await this.#writeKeyFile(versionDir, TAGS_FOLDER, tag.key, tag.value)
    await writeFileAtomic(
      path.join(versionDir, META_FILE),
      formatModelVersionMeta({
        name,
        version,
        creationTimestamp: now,
        lastUpdatedTimestamp: now,
        userId: null,
        currentStage: 'None',
        description: options.description ?? null,
        source,
        runId: options.runId ?? null,
        runLink: options.runLink ?? null,
        status: 'READY',
        statusMessage: null,
        storageLocation,
        modelId: options.modelId ?? null,
        deploymentJobState: null,
      }),
    )
    await this.#touch(dir, now)
    return this.getModelVersion(name, version)
  }

  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    const entry = this.#versionEntry(name, version)
    return this.#toVersion(entry.record, entry.dir, this.#aliases(entry.modelDir))
  }

  async updateModelVersion(
    name: string,
    version: string | number,
    description: string | null,
  ): Promise<ModelVersion> {
    const entry = this.#versionEntry(name, version)
    await writeFileAtomic(
      path.join(entry.dir, META_FILE),
      formatModelVersionMeta({
        ...entry.record,
        description,
        lastUpdatedTimestamp: laterThan(entry.record.lastUpdatedTimestamp),
      }),
    )
    return this.getModelVersion(name, entry.number)
  }

  async transitionModelVersionStage(
    name: string,
    version: string | number,
    stage: string,
    archiveExistingVersions = false,
  ): Promise<ModelVersion> {
    const target = canonicalStage(stage)
    checkArchiveExisting(target, archiveExistingVersions)
    const entry = this.#versionEntry(name, version)
    const now = laterThan(entry.record.lastUpdatedTimestamp)
    if (archiveExistingVersions) {
      for (const other of this.#versionRecords(entry.modelDir)) {
        if (other.deleted || other.record.version === entry.record.version) continue
        if (other.record.currentStage !== target) continue
        await writeFileAtomic(
          path.join(other.dir, META_FILE),
          formatModelVersionMeta({
            ...other.record,
            currentStage: 'Archived',
            lastUpdatedTimestamp: now,
          }),
        )
      }
    }
    await writeFileAtomic(
      path.join(entry.dir, META_FILE),
      formatModelVersionMeta({ ...entry.record, currentStage: target, lastUpdatedTimestamp: now }),
    )
    await this.#touch(entry.modelDir, now)
    return this.getModelVersion(name, entry.number)
  }

  async deleteModelVersion(name: string, version: string | number): Promise<void> {
    const entry = this.#versionEntry(name, version)
    const now = laterThan(entry.record.lastUpdatedTimestamp)
    await writeFileAtomic(
      path.join(entry.dir, META_FILE),
      formatModelVersionMeta({ ...entry.record, lastUpdatedTimestamp: now }, 'Deleted_Internal'),
    )
    for (const alias of this.#aliases(entry.modelDir)) {
      if (alias.version === entry.number) {
        await fs.rm(inside(entry.modelDir, ALIASES_FOLDER, alias.alias), { force: true })
      }
    }
    await this.#touch(entry.modelDir, now)
  }

  async searchModelVersions(options: RegistrySearchOptions = {}): Promise<Page<ModelVersion>> {
    const maxResults = validateRegistryMaxResults(options.maxResults, MODEL_VERSION_MAX_RESULTS)
    const clauses = parseModelVersionFilter(options.filter)
    const order = parseModelVersionOrderBy(options.orderBy)
    const offset = decodePageToken(options.pageToken)
    const versions = listFolders(this.modelsDir)
      .filter((name) => !name.startsWith('.') && exists(path.join(this.modelsDir, name, META_FILE)))
      .flatMap((name) => this.#activeVersions(path.join(this.modelsDir, name)))
      .filter((version) => matchesModelVersion(clauses, version))
      .sort(compareRegistryEntities(order))
    const end = offset + maxResults
    return {
      items: versions.slice(offset, end),
      nextPageToken: end < versions.length ? encodePageToken(end) : null,
    }
  }

  async getModelVersionDownloadUri(name: string, version: string | number): Promise<string> {
    const found = await this.getModelVersion(name, version)
    return found.storageLocation || found.source || ''
  }

  async setModelVersionTag(name: string, version: string | number, tag: KeyValue): Promise<void> {
    const valid = validateRegistryTag(tag)
    const entry = this.#versionEntry(name, version)
    await this.#writeKeyFile(entry.dir, TAGS_FOLDER, valid.key, valid.value)
    await this.#touch(entry.modelDir)
  }

  async deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void> {
    const entry = this.#versionEntry(name, version)
    const file = inside(entry.dir, TAGS_FOLDER, ...validateKey(key).split('/'))
    if (!exists(file)) return
    await fs.rm(file)
    await this.#touch(entry.modelDir)
  }

  async setRegisteredModelAlias(
    name: string,
    alias: string,
    version: string | number,
  ): Promise<void> {
    validateAlias(alias)
    const entry = this.#versionEntry(name, version)
    await writeFileAtomic(
      inside(entry.modelDir, ALIASES_FOLDER, alias),
      entry.number,
      entry.modelDir,
    )
    await this.#touch(entry.modelDir)
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateAlias(alias)
    const dir = this.#requireModelDir(name)
    const file = inside(dir, ALIASES_FOLDER, alias)
    if (!exists(file)) return
    await fs.rm(file)
    await this.#touch(dir)
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateAlias(alias)
    const dir = this.#requireModelDir(name)
    const version = readText(inside(dir, ALIASES_FOLDER, alias))
    if (version === null) throw aliasNotFound(alias)
    return this.getModelVersion(name, version.trim())
  }
}
