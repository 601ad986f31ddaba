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
  LoggedModel,
  ModelInput,
  ModelOutput,
  Param,
  RunData,
  RunInfo,
  RunTag,
  StoredMetric,
} from './metadata-store.js'

/**
 * A run as transfers read it: a store's `Run` qualifies. Model inputs and outputs name logged
 * models (absent, as from an export of version 1, they are empty).
 */
export interface TransferRun {
  info: RunInfo
  data: RunData
  inputs: { datasetInputs: DatasetInput[]; modelInputs?: ModelInput[] }
  outputs?: { modelOutputs: Required<ModelOutput>[] }
}

/** A run to write exactly, with its metric rows streamed in batches. */
export interface RunImport {
  info: RunInfo
  params: Param[]
  tags: RunTag[]
  datasetInputs: DatasetInput[]
  /** The logged models the run consumed (written even when the model is not there yet). */
  modelInputs?: ModelInput[]
  /** The logged models the run produced, with their steps. */
  modelOutputs?: Required<ModelOutput>[]
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
  /**
   * With `remap`: source experiment id → destination id, recorded before each experiment is
   * written so that a rerun gives every experiment the id the interrupted run chose.
   */
  experimentIds?: Record<string, string>
}

/**
 * A logged model as transfers read and write it: the contract's `LoggedModel`, deleted ones
 * too, with `metrics` holding **every** metric row (model id, key, value, timestamp, step, run
 * id, dataset name and digest), not only the latest of each key. A model's rows are held in
 * memory together: logged models carry few of them.
 */
export type TransferLoggedModel = LoggedModel

/** A source entry that cannot be read (a corrupt meta.yaml, a missing file …). */
export interface UnreadableEntry {
  kind: 'experiment' | 'run' | 'loggedModel' | 'registeredModel'
  /** The experiment or run id (the folder name in a file store). */
  id: string
  /** The file or folder at fault. */
  location: string
  reason: string
}

export interface TransferReadOptions {
  /**
   * Called for each entry that cannot be read; the read goes on with the next one. Without it,
   * the first unreadable entry throws (a TrackstoreError naming the file and the reason).
   */
  onUnreadable?: (entry: UnreadableEntry) => void
}

export interface StoreTransfer {
  /**
   * Whether metric rows keep the dataset name and digest they were logged with (the file store
   * writes them on the metric line; MLflow's SQL metrics table has no column for them).
   */
  readonly keepsMetricDatasets: boolean

  /** Every experiment, active and deleted, ordered by id. */
  experiments(options?: TransferReadOptions): AsyncIterable<Experiment>

  /**
   * Every run of an experiment, active and deleted, ordered by run id, with params, tags,
   * dataset inputs and latest metrics.
   */
  runs(experimentId: string, options?: TransferReadOptions): AsyncIterable<TransferRun>

  /**
   * Every metric row of a run (all keys; duplicates as the store keeps them), in batches, rows
   * of one key together. A malformed row throws a TrackstoreError naming the file.
   */
  metricRows(runId: string, experimentId: string): AsyncIterable<StoredMetric[]>

  /**
   * Every logged model of the store, active and deleted, ordered by model id (code points),
   * each with every metric row. Read after the runs: a model's metric rows name runs.
   */
  loggedModels(options?: TransferReadOptions): AsyncIterable<TransferLoggedModel>

  /**
   * What the store holds that transfers do not carry yet (traces, assessments, evaluation
   * datasets …), as counts by kind; kinds with a count of 0 are left out. Logged models are
   * carried here; the registry by the registry's own transfer facet (`RegistryTransfer`).
   */
  unsupportedContent(): Promise<Record<string, number>>

  /** Whether the store holds anything besides an untouched Default experiment. */
  isEmpty(): Promise<boolean>

  /**
   * The largest experiment id the store can hold, or null when ids are not numbers it limits
   * (the file store). PostgreSQL and MySQL answer 2147483647 until their experiment id columns
   * are widened to BIGINT (trackstore migration 0003).
   */
  maxExperimentId(): Promise<bigint | null>

  /** An experiment id no experiment of the store uses, in the store's own id format. */
  newExperimentId(): Promise<string>

  /**
   * Writes an experiment exactly as given (id, name, artifact location, stage, times, tags).
   * 'exists' when an experiment with this id and name is already there: its tags are merged,
   * and an untouched Default experiment (no runs, no tags) takes the given location, stage
   * and times, so the Default of a fresh destination becomes the source's.
   * @throws RESOURCE_ALREADY_EXISTS when the id or the name is taken by another experiment.
   */
  putExperiment(experiment: Experiment): Promise<PutOutcome>

  /**
   * Writes a run exactly as given, in one atomic step, and computes its latest metric values.
   * 'exists' when the run is already in the same experiment (nothing is written). An error
   * thrown by `run.metrics` leaves nothing behind and is rethrown.
   * @throws RESOURCE_DOES_NOT_EXIST when its experiment is missing; RESOURCE_ALREADY_EXISTS
   *   when the run id is taken by a run of another experiment.
   */
  putRun(run: RunImport): Promise<PutOutcome>

  /**
   * Writes a logged model exactly as given (id, experiment, name, artifact location, status,
   * stage, times, params, tags, every metric row), in one atomic step. 'exists' when a model
   * with this id is already in the same experiment (nothing is written).
   * @throws RESOURCE_DOES_NOT_EXIST when its experiment is missing (or, on SQL, a metric row
   *   names a run that is missing); RESOURCE_ALREADY_EXISTS when the id is taken by a model of
   *   another experiment.
   */
  putLoggedModel(model: TransferLoggedModel): Promise<PutOutcome>

  /** The ids of the runs already present in an experiment. */
  runIds(experimentId: string): Promise<Set<string>>

  readMarker(): Promise<TransferMarker | null>
  writeMarker(marker: TransferMarker): Promise<void>
}
