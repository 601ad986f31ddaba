/**
 * The ModelRegistryStore contract: MLflow's model registry (registered models, model versions,
 * their tags, aliases and stages). It is a contract of its own, opened by
 * `openModelRegistryStore(uri)`, because MLflow keeps a registry URI apart from the tracking URI
 * (it defaults to the same store, but may name another database). Backends: the SQL tables of
 * the tracking schema (workspace `default`) and the root `models/` folder of an `mlruns` store.
 *
 * Conventions as in the MetadataStore: times in milliseconds, `TrackstoreError` with MLflow's
 * error codes. Versions are returned as strings (`"3"`), as MLflow's REST API returns them, and
 * accepted as strings or numbers.
 */
import type { KeyValue, Page } from '../metadata/metadata-store.js'
import type { RegistryTransfer } from './registry-transfer.js'

/** MLflow's stages, canonical spelling. Input is matched case-insensitively. */
export const MODEL_VERSION_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const
export type ModelVersionStage = (typeof MODEL_VERSION_STAGES)[number]

export interface RegisteredModelAlias {
  alias: string
  /** The version the alias points to, as a string (the REST API's type). */
  version: string
}

export interface ModelVersion {
  name: string
  version: string
  creationTimestamp: number | null
  lastUpdatedTimestamp: number | null
  userId: string | null
  currentStage: ModelVersionStage
  description: string | null
  source: string | null
  runId: string | null
  runLink: string | null
  /** `READY` for every version MLflow's stores create. */
  status: string | null
  statusMessage: string | null
  /** Where the artifacts are read from; the source, or what a `models:/` source resolves to. */
  storageLocation: string | null
  /**
   * The logged model the version was made from. Always null where
   * `capabilities.persistsModelVersionModelId` is false (MLflow's SQL schema has no column).
   */
  modelId: string | null
  /** Sorted by key. */
  tags: KeyValue[]
  /** Aliases pointing to this version, sorted. */
  aliases: string[]
}

export interface RegisteredModel {
  name: string
  creationTimestamp: number | null
  lastUpdatedTimestamp: number | null
  description: string | null
  /** Sorted by key. */
  tags: KeyValue[]
  /** Sorted by alias. */
  aliases: RegisteredModelAlias[]
  /** The latest version in each stage that has one, in stage order (None … Archived). */
  latestVersions: ModelVersion[]
}

export interface CreateRegisteredModelOptions {
  tags?: KeyValue[]
  description?: string | null
}

export interface CreateModelVersionOptions {
  /** The registered model. */
  name: string
  /** Where the model artifacts are, e.g. a logged model's artifact location or `models:/…`. */
  source: string
  runId?: string | null
  /** The logged model the version is made from (MLflow 3). */
  modelId?: string | null
  tags?: KeyValue[]
  runLink?: string | null
  description?: string | null
}

export interface RegistrySearchOptions {
  /**
   * Registered models: `name` and `tags.<key>` with `= != LIKE ILIKE`. Model versions: `name`,
   * `run_id` (also `IN (…)`), `source_path`, `version_number` and `tags.<key>`.
   */
  filter?: string
  /** Registered models: default 100, at most 1000. Model versions: 10000 and 200000. */
  maxResults?: number
  /** e.g. `['name ASC']`, `['version_number DESC']`. */
  orderBy?: string[]
  pageToken?: string | null
}

/** Where registry backends differ, as MLflow's own stores do. */
export interface RegistryCapabilities {
  /** `file`, `sqlite`, `postgresql` or `mysql`. */
  readonly kind: string
  /** The file registry keeps a version's `model_id`; MLflow's SQL schema has no column for it. */
  readonly persistsModelVersionModelId: boolean
}

export interface ModelRegistryStore {
  readonly capabilities: RegistryCapabilities
  /** Exact reads and writes for the migration toolkit (`registry-transfer.ts`). */
  readonly transfer: RegistryTransfer

  /**
   * @throws INVALID_PARAMETER_VALUE for an empty name or a bad tag;
   *   RESOURCE_ALREADY_EXISTS when the name is taken.
   */
  createRegisteredModel(
    name: string,
    options?: CreateRegisteredModelOptions,
  ): Promise<RegisteredModel>

  /** @throws RESOURCE_DOES_NOT_EXIST. */
  getRegisteredModel(name: string): Promise<RegisteredModel>

  /**
   * Renames a model with its versions, tags and aliases.
   * @throws RESOURCE_DOES_NOT_EXIST; RESOURCE_ALREADY_EXISTS when the new name is taken.
   */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>

  /** Sets the description. @throws RESOURCE_DOES_NOT_EXIST. */
  updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel>

  /** Deletes the model, its versions, tags and aliases. @throws RESOURCE_DOES_NOT_EXIST. */
  deleteRegisteredModel(name: string): Promise<void>

  /** Default order `name ASC`. @throws INVALID_PARAMETER_VALUE. */
  searchRegisteredModels(options?: RegistrySearchOptions): Promise<Page<RegisteredModel>>

  /**
   * The latest version of each stage (all stages when `stages` is empty or absent).
   * @throws RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE for an unknown stage.
   */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>

  /** Upserts a tag. @throws RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE. */
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void>

  /** Removes a tag (a missing tag is not an error, as in MLflow). */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>

  /**
   * Creates the next version (1, 2, …; numbers of deleted versions are not reused) in stage
   * None with status READY. @throws RESOURCE_DOES_NOT_EXIST for an unknown model.
   */
  createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion>

  /** @throws RESOURCE_DOES_NOT_EXIST (deleted versions too); INVALID_PARAMETER_VALUE. */
  getModelVersion(name: string, version: string | number): Promise<ModelVersion>

  /** Sets the description. @throws RESOURCE_DOES_NOT_EXIST. */
  updateModelVersion(
    name: string,
    version: string | number,
    description: string | null,
  ): Promise<ModelVersion>

  /**
   * Moves a version to a stage; with `archiveExistingVersions` (only for Staging and
   * Production) the other versions in that stage become Archived.
   * @throws INVALID_PARAMETER_VALUE for an unknown stage or archiving into None/Archived.
   */
  transitionModelVersionStage(
    name: string,
    version: string | number,
    stage: string,
    archiveExistingVersions?: boolean,
  ): Promise<ModelVersion>

  /** Deletes a version and the aliases pointing to it. @throws RESOURCE_DOES_NOT_EXIST. */
  deleteModelVersion(name: string, version: string | number): Promise<void>

  /**
   * Default order `last_updated_timestamp DESC`, then `name ASC`, `version_number DESC`.
   * @throws INVALID_PARAMETER_VALUE.
   */
  searchModelVersions(options?: RegistrySearchOptions): Promise<Page<ModelVersion>>

  /** The storage location, else the source. @throws RESOURCE_DOES_NOT_EXIST. */
  getModelVersionDownloadUri(name: string, version: string | number): Promise<string>

  setModelVersionTag(name: string, version: string | number, tag: KeyValue): Promise<void>

  /** Removes a tag (a missing tag is not an error). @throws RESOURCE_DOES_NOT_EXIST. */
  deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void>

  /**
   * Points an alias at a version (moving it when it exists).
   * @throws INVALID_PARAMETER_VALUE for a bad alias; RESOURCE_DOES_NOT_EXIST.
   */
  setRegisteredModelAlias(name: string, alias: string, version: string | number): Promise<void>

  /** Removes an alias (a missing alias is not an error). @throws RESOURCE_DOES_NOT_EXIST. */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>

  /** @throws INVALID_PARAMETER_VALUE "Registered model alias … not found." */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>

  close(): Promise<void>
}
