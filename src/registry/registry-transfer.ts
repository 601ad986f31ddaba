/**
 * The transfer facet of a ModelRegistryStore, as `StoreTransfer` is for tracking data: exact
 * reads in name order and exact writes, atomic per registered model, for the migration toolkit
 * (`src/migrate/`). Unlike the contract's methods, a transfer keeps what it is given: times,
 * version numbers, stages, statuses, deleted versions (MLflow keeps them in the internal stage
 * `Deleted_Internal` so that their numbers are never reused), tags and aliases.
 */
import type { KeyValue } from '../metadata/metadata-store.js'
import type { PutOutcome, TransferReadOptions } from '../metadata/transfer.js'
import type { ModelVersion, RegisteredModelAlias } from './registry-store.js'

/** A model version as transfers carry it: every field, and whether it was deleted. */
export interface TransferModelVersion extends Omit<ModelVersion, 'aliases'> {
  /** MLflow's `Deleted_Internal` stage (`currentStage` then reads `None`). */
  deleted: boolean
}

/** A registered model with its tags, aliases and every version, deleted ones included. */
export interface TransferRegisteredModel {
  name: string
  creationTimestamp: number | null
  lastUpdatedTimestamp: number | null
  description: string | null
  /** Sorted by key. */
  tags: KeyValue[]
  /** Sorted by alias. */
  aliases: RegisteredModelAlias[]
  /** Ordered by version number. */
  versions: TransferModelVersion[]
}

export interface RegistryTransfer {
  /** Whether a version's `modelId` is kept (the file registry); SQL has no column for it. */
  readonly persistsModelVersionModelId: boolean

  /** Every registered model (deleted ones are gone on both backends), ordered by name. */
  registeredModels(options?: TransferReadOptions): AsyncIterable<TransferRegisteredModel>

  /**
   * Writes a registered model with its tags, aliases and versions exactly as given, in one
   * atomic step. 'exists' when a model of that name is already there (nothing is written).
   */
  putRegisteredModel(model: TransferRegisteredModel): Promise<PutOutcome>

  /** Whether the registry holds no registered model. */
  isEmpty(): Promise<boolean>
}
