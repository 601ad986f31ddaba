import type { ArtifactStore } from '../../artifacts/artifact-store.js'
import type { Logger } from '../../core/logger.js'
import type { StoreTransfer, UnreadableEntry } from '../../metadata/transfer.js'
import type { RegistryTransfer } from '../../registry/registry-transfer.js'

/**
 * What a copy reads: a store's transfer facet, or an export file. `runIds` is optional: a
 * source without it (an export file, read front to back) gets no run totals in its progress.
 */
export type TransferSource = Pick<
  StoreTransfer,
  'experiments' | 'runs' | 'metricRows' | 'loggedModels' | 'unsupportedContent'
> &
  Partial<Pick<StoreTransfer, 'runIds'>>

/** What a copy writes to: a store's transfer facet, or an export file. */
export type TransferDestination = Pick<
  StoreTransfer,
  | 'isEmpty'
  | 'maxExperimentId'
  | 'newExperimentId'
  | 'putExperiment'
  | 'putRun'
  | 'putLoggedModel'
  | 'runIds'
  | 'readMarker'
  | 'writeMarker'
> &
  Partial<Pick<StoreTransfer, 'experiments'>>

/** What a copy reads the registry from: a registry's transfer facet, or an export file. */
export type RegistrySource = Pick<RegistryTransfer, 'registeredModels'>
/** What a copy writes the registry to. */
export type RegistryDestination = Pick<RegistryTransfer, 'putRegisteredModel' | 'isEmpty'>

export type IdStrategy = 'preserve' | 'remap'
export type OnError = 'fail' | 'skip'

export interface CopyOptions {
  /** Names the source in the destination's marker (a rerun with the same label resumes). */
  sourceLabel: string
  /** Copy into a destination that already holds other data. Default false. */
  merge?: boolean
  /** `fail` (default) stops at the first unreadable source entry; `skip` lists it and goes on. */
  onError?: OnError
  /**
   * `preserve` (default) keeps experiment ids; `remap` gives each experiment a new id of the
   * destination (the Default experiment 0 stays 0).
   */
  idStrategy?: IdStrategy
  /**
   * The model registry to copy after the tracking data (every registered model with all its
   * versions, deleted ones included). Without it the registry is not copied.
   */
  registry?: { source: RegistrySource; destination: RegistryDestination }
  /**
   * Copy even when the source holds content transfers do not carry (traces, assessments …,
   * `unsupportedContent()`); without it such a copy refuses to start. Dry runs never refuse.
   */
  skipUnsupported?: boolean
  /** Reads everything and reports what would move; writes nothing. */
  dryRun?: boolean
  /**
   * Copies each run's artifacts from its `artifactUri` to
   * `<artifactsTo>/<experiment id>/<run id>/artifacts`, each logged model's to
   * `<artifactsTo>/<experiment id>/models/<model id>/artifacts`, and points experiments, runs,
   * logged models and the model versions whose source or storage location lies in a copied
   * logged model there.
   */
  artifactsTo?: string
  /** Opens artifact stores by URI (default: the artifact layer's `openArtifactStore`). */
  openArtifacts?: (uri: string) => ArtifactStore
  /**
   * Called once when a preserved experiment id is larger than the destination can hold; it
   * widens the destination's id columns (see `widenExperimentIds` in the composition root).
   * Without it such an id stops the copy with an explanation.
   */
  widenExperimentIds?: () => Promise<void>
  /** With `remap`: writes `{ "<source id>": "<destination id>" }` to this file at the end. */
  mappingFile?: string
  /** Metric rows are streamed to the destination in batches of about this size. */
  metricBatchSize?: number
  onProgress?: (progress: CopyProgress) => void
  logger?: Logger
}

export interface Counter {
  done: number
  /** null when the source cannot tell in advance. */
  total: number | null
}

export interface CopyProgress {
  experiments: Counter
  runs: Counter
  metricRows: number
  artifactBytes: number
  /** The run being copied. */
  current: { experimentId: string; runId: string } | null
}

/** A source entry that collides with what the destination holds; never overwritten. */
export interface Collision {
  kind: 'experiment' | 'run' | 'loggedModel' | 'registeredModel'
  id: string
  name?: string
  reason: string
}

export interface CopySummary {
  source: string
  dryRun: boolean
  /** True when an interrupted copy from the same source was continued. */
  resumed: boolean
  idStrategy: IdStrategy
  experiments: { copied: number; existing: number; collided: number }
  runs: { copied: number; existing: number; collided: number; skipped: number }
  metricRows: number
  /** Logged models (deleted ones included) and their metric rows. */
  loggedModels: { copied: number; existing: number; collided: number; skipped: number }
  /** Registered models; `modelVersions` counts the versions (deleted ones too) copied. */
  registeredModels: { copied: number; existing: number; collided: number }
  modelVersions: number
  artifacts: { files: number; bytes: number } | null
  collisions: Collision[]
  /** Unreadable source entries left out (`onError: 'skip'`). */
  skipped: UnreadableEntry[]
  /** What the source holds that the copy does not carry, by kind. */
  unsupported: Record<string, number>
  /** Source experiment id → destination id, for the experiments whose id changed. */
  experimentIdMap: Record<string, string>
  /** Whether the destination's experiment id columns had to be widened (or, dry, would). */
  widenedExperimentIds: boolean
  durationMs: number
}
