/**
 * The transfer facet of a MetadataStore: exact reads and exact writes for the migration toolkit
 * (`src/migrate/`). Unlike the MLflow-semantics methods of the contract, a transfer write keeps
 * what it is given — ids, names, times, statuses, lifecycle stages, deleted times, every metric
 * row — so that a store copied A → B → A compares equal to the original.
 *
 * Writes are atomic per entity: a run is written whole or not at all, so a copy killed at any
 * moment and started again finds each run either complete or absent.
 */
import type {
  DatasetInput,
  Experiment,
  Param,
  Run,
  RunInfo,
  RunTag,
  StoredMetric,
} from './metadata-store.js'

/** A run to write exactly, with its metric rows streamed in batches. */
export interface RunImport {
  info: RunInfo
  params: Param[]
  tags: RunTag[]
  datasetInputs: DatasetInput[]
  /** Every metric row, duplicates included, in the source's order. */
  metrics: AsyncIterable<StoredMetric[]>
}

/** What a transfer write did. */
export type PutOutcome = 'created' | 'exists'

/** Where a store records that it is the destination of a copy, so a rerun can resume it. */
export interface TransferMarker {
  /** The source store, as given on the command line (passwords redacted). */
  source: string
  startedAt: number
  idStrategy: 'preserve' | 'remap'
  /** Set when every experiment and run was copied. */
  completedAt?: number | null
}

export interface StoreTransfer {
  /** Every experiment, active and deleted, ordered by id. */
  experiments(): AsyncIterable<Experiment>

  /**
   * Every run of an experiment, active and deleted, ordered by run id, with params, tags,
   * dataset inputs and latest metrics.
   */
  runs(experimentId: string): AsyncIterable<Run>

  /** Every metric row of a run (all keys; duplicates as the store keeps them), in batches. */
  metricRows(runId: string): AsyncIterable<StoredMetric[]>

  /**
   * What the store holds that transfers do not carry yet (logged models, registered models,
   * traces, assessments …), as counts by kind; kinds with a count of 0 are left out.
   */
  unsupportedContent(): Promise<Record<string, number>>

  /** Whether the store holds anything besides an untouched Default experiment. */
  isEmpty(): Promise<boolean>

  /**
   * Writes an experiment exactly as given (id, name, artifact location, stage, times, tags).
   * 'exists' when an experiment with this id and name is already there (its tags are merged).
   * @throws RESOURCE_ALREADY_EXISTS when the id or the name is taken by another experiment.
   */
  putExperiment(experiment: Experiment): Promise<PutOutcome>

  /**
   * Writes a run exactly as given, in one atomic step, and computes its latest metric values.
   * 'exists' when a run with this id is already there (nothing is written).
   * @throws RESOURCE_DOES_NOT_EXIST when its experiment is missing.
   */
  putRun(run: RunImport): Promise<PutOutcome>

  /** The ids of the runs already present in an experiment. */
  runIds(experimentId: string): Promise<Set<string>>

  readMarker(): Promise<TransferMarker | null>
  writeMarker(marker: TransferMarker): Promise<void>
}
