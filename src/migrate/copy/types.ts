import type { ArtifactStore } from '../../artifacts/artifact-store.js'
import type { Logger } from '../../core/logger.js'
import type { StoreTransfer, UnreadableEntry } from '../../metadata/transfer.js'

/**
 * What a copy reads: a store's transfer facet, or an export file. `runIds` is optional: a
 * source without it (an export file, read front to back) gets no run totals in its progress.
 */
export type TransferSource = Pick<
  StoreTransfer,
  'experiments' | 'runs' | 'metricRows' | 'unsupportedContent'
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
  | 'runIds'
  | 'readMarker'
  | 'writeMarker'
> &
  Partial<Pick<StoreTransfer, 'experiments'>>

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
  /** Reads everything and reports what would move; writes nothing. */
  dryRun?: boolean
  /**
   * Copies each run's artifacts from its `artifactUri` to
   * `<artifactsTo>/<experiment id>/<run id>/artifacts` and points experiments and runs there.
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
  kind: 'experiment' | 'run'
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
