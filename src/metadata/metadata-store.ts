/**
 * The MetadataStore contract: experiments, runs, metrics, params, tags, datasets and search with
 * MLflow's semantics. Every backend (file store, SQLite, PostgreSQL, MySQL) implements it; the
 * conformance suite in `test/metadata/conformance/` holds them all to it.
 *
 * Conventions:
 * - Every id is a string (file-store experiment ids have 18 digits).
 * - Times are integers in milliseconds since the epoch.
 * - Methods throw `TrackstoreError` with MLflow's error code; each method says which codes.
 */
import type { Logger } from '../core/logger.js'
import type { StoreTransfer } from './transfer.js'

export type LifecycleStage = 'active' | 'deleted'

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** `ACTIVE_ONLY` is the default everywhere, as in MLflow. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'

export interface KeyValue {
  key: string
  value: string
}
export type ExperimentTag = KeyValue
export type RunTag = KeyValue
export type Param = KeyValue
export type InputTag = KeyValue

export interface Experiment {
  experimentId: string
  name: string
  artifactLocation: string
  lifecycleStage: LifecycleStage
  /** `null` for experiments written before MLflow recorded it. */
  creationTime: number | null
  lastUpdateTime: number | null
  /** Sorted by key. */
  tags: ExperimentTag[]
}

export interface Metric {
  key: string
  /** NaN and ±Infinity are valid; SQL stores return ±Infinity as ±Number.MAX_VALUE. */
  value: number
  timestamp: number
  /** Defaults to 0. */
  step?: number
  datasetName?: string | null
  datasetDigest?: string | null
  /**
   * MLflow 3 logged-model id. A metric logged with one is also recorded for that logged model
   * (with the run id and the dataset name and digest), as MLflow does.
   */
  modelId?: string | null
}

/** A metric as read back: `step` is always set. */
export interface StoredMetric extends Metric {
  step: number
}

export interface RunInfo {
  runId: string
  runName: string
  experimentId: string
  userId: string
  status: RunStatus
  startTime: number | null
  endTime: number | null
  artifactUri: string
  lifecycleStage: LifecycleStage
  /** When the run was deleted; `null` for active runs (and runs deleted by old MLflow versions). */
  deletedTime: number | null
}

export interface RunData {
  /** The latest value of each metric (max of step, timestamp, value), sorted by key. */
  metrics: StoredMetric[]
  /** Sorted by key. */
  params: Param[]
  /** Sorted by key. */
  tags: RunTag[]
}

export interface Dataset {
  name: string
  digest: string
  sourceType: string
  source: string
  schema?: string | null
  profile?: string | null
}

export interface DatasetInput {
  dataset: Dataset
  /** Input tags such as `mlflow.data.context`, sorted by key. */
  tags: InputTag[]
}

/** A logged model a run consumed (`log_inputs(models=…)`). */
export interface ModelInput {
  modelId: string
}

/** A logged model a run produced (`log_outputs`), at a step of the run. */
export interface ModelOutput {
  modelId: string
  /** Defaults to 0. */
  step?: number
}

export interface RunInputs {
  datasetInputs: DatasetInput[]
  /** Sorted by model id. */
  modelInputs: ModelInput[]
}

export interface RunOutputs {
  /** Sorted by model id; `step` is always set. */
  modelOutputs: Required<ModelOutput>[]
}

export interface Run {
  info: RunInfo
  data: RunData
  inputs: RunInputs
  outputs: RunOutputs
}

// ---------------------------------------------------------------------------------------------
// MLflow 3 logged models

/** MLflow's `LoggedModelStatus` (stored as 0..3 in meta.yaml and SQL). */
export const LOGGED_MODEL_STATUSES = ['UNSPECIFIED', 'PENDING', 'READY', 'FAILED'] as const
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number]

/** The integer each status is stored as (its index: UNSPECIFIED 0 … FAILED 3). */
export const loggedModelStatusCode = (status: LoggedModelStatus): number =>
  LOGGED_MODEL_STATUSES.indexOf(status)

/** A metric value recorded for a logged model: which run logged it, on which dataset. */
export interface LoggedModelMetric extends StoredMetric {
  modelId: string
  runId: string
  datasetName: string | null
  datasetDigest: string | null
}

export interface LoggedModel {
  /** `m-` followed by 32 hex digits. */
  modelId: string
  experimentId: string
  name: string
  /** `<experiment artifact location>/models/<model id>/artifacts`. */
  artifactLocation: string
  creationTimestamp: number
  lastUpdatedTimestamp: number
  status: LoggedModelStatus
  statusMessage: string | null
  modelType: string | null
  sourceRunId: string | null
  lifecycleStage: LifecycleStage
  /** Sorted by key. */
  tags: KeyValue[]
  /** Sorted by key. */
  params: KeyValue[]
  /**
   * Sorted by key, then step, timestamp and run id. Every logged point where
   * `capabilities.loggedModelMetricHistory` is true, else the latest value of each key.
   */
  metrics: LoggedModelMetric[]
}

export interface CreateLoggedModelOptions {
  experimentId: string
  /** Defaults to a random name such as `bold-bee-123`. */
  name?: string
  sourceRunId?: string | null
  modelType?: string | null
  tags?: KeyValue[]
  params?: KeyValue[]
}

/** Restricts a logged-model search to metrics logged on a dataset. */
export interface DatasetFilter {
  datasetName: string
  datasetDigest?: string
}

/** One `order_by` entry of `search_logged_models`. */
export interface LoggedModelOrderBy {
  /** An attribute (`name`, `creation_timestamp`, …) or `metrics.<key>`. */
  fieldName: string
  /** Default true. */
  ascending?: boolean
  /** For `metrics.<key>`: only values logged on this dataset count. */
  datasetName?: string
  datasetDigest?: string
}

export interface SearchLoggedModelsOptions {
  experimentIds: string[]
  /**
   * MLflow's grammar: `name`, `model_id`, `model_type`, `status`, `source_run_id`,
   * `creation_timestamp`, `last_updated_timestamp`, `metrics.<k>`, `params.<k>`, `tags.<k>`,
   * joined with AND.
   */
  filter?: string
  /** A model matches when it has a metric on one of these datasets. */
  datasets?: DatasetFilter[]
  /** Default 100. */
  maxResults?: number
  orderBy?: LoggedModelOrderBy[]
  /** Only valid with the experiment ids, filter and order of the search that returned it. */
  pageToken?: string | null
}

/** One page of results; `nextPageToken` is `null` on the last page. */
export interface Page<T> {
  items: T[]
  nextPageToken: string | null
}

export interface CreateExperimentOptions {
  /** Defaults to `<default artifact root>/<experiment id>`. */
  artifactLocation?: string
  tags?: ExperimentTag[]
}

export interface SearchExperimentsOptions {
  viewType?: ViewType
  /** 1..50000; default 1000. */
  maxResults?: number
  /** MLflow's filter grammar, e.g. `name LIKE 'exp-%' AND tags.team = 'a'`. */
  filter?: string
  /** e.g. `['name ASC', 'creation_time DESC']`. */
  orderBy?: string[]
  pageToken?: string | null
}

export interface CreateRunOptions {
  experimentId: string
  userId?: string
  /** Defaults to now. */
  startTime?: number
  tags?: RunTag[]
  /** Defaults to the `mlflow.runName` tag, else a random name such as `bold-bee-123`. */
  runName?: string
}

export interface UpdateRunInfoOptions {
  status?: RunStatus
  endTime?: number | null
  /** A new run name; also rewrites the `mlflow.runName` tag. */
  runName?: string
}

export interface LogBatchOptions {
  metrics?: Metric[]
  params?: Param[]
  tags?: RunTag[]
}

export interface MetricHistoryOptions {
  /** Default: all values. 0 returns an empty page. */
  maxResults?: number
  pageToken?: string | null
}

export interface SearchRunsOptions {
  experimentIds: string[]
  filter?: string
  viewType?: ViewType
  /** 1..50000; default 1000. */
  maxResults?: number
  /** e.g. `['metrics.loss ASC', 'attributes.start_time DESC']`. */
  orderBy?: string[]
  pageToken?: string | null
}

/**
 * What differs between backends, as MLflow's own stores differ. Read by the conformance suite
 * and by `verify`; never replaced by checks on the backend's name.
 */
export interface StoreCapabilities {
  /** A label for people and reports: `file`, `sqlite`, `postgresql`, `mysql`. */
  readonly kind: string
  /** SQL stores allow deleting experiment 0; the file store refuses. */
  readonly canDeleteDefaultExperiment: boolean
  /** `sequential` (1, 2, 3 …) in SQL; `random18` (18-digit random integers) in the file store. */
  readonly experimentIdFormat: 'sequential' | 'random18'
  /** The file store keeps identical metric rows; SQL primary keys collapse them. */
  readonly keepsDuplicateMetricRows: boolean
  /** SQL stores keep ±Infinity as ±1.7976931348623157e308 and -0.0 as 0.0. */
  readonly clampsInfinity: boolean
  /**
   * SQL stores truncate (or, with truncation off, refuse) run tag values over 8000 characters;
   * the file store's `set_tag` checks no length, as MLflow's.
   */
  readonly checksRunTagValueLength: boolean
  /** SQL stores refuse experiment tag values over 5000 characters. */
  readonly checksExperimentTagValueLength: boolean
  /**
   * SQL stores return every value logged for a logged model (`LoggedModel.metrics`); the file
   * store returns the latest value of each key, as MLflow's stores do. Both keep every point.
   */
  readonly loggedModelMetricHistory: boolean
  /**
   * `logged_model_metrics` has no is_nan column: SQL stores read a NaN logged-model metric back
   * as 0 (as MLflow's SQL store does). The file store keeps NaN. Run metrics keep NaN in both.
   */
  readonly keepsLoggedModelMetricNaN: boolean
}

export interface MetadataStore {
  readonly capabilities: StoreCapabilities
  /**
   * Exact reads and per-run atomic writes for the migration toolkit (`src/migrate/`): ids,
   * times and every metric row kept as given. See `transfer.ts`.
   */
  readonly transfer: StoreTransfer

  /**
   * Creates an experiment and returns its id.
   * @throws INVALID_PARAMETER_VALUE for an empty or over-long name or a bad tag;
   *   RESOURCE_ALREADY_EXISTS when the name is taken (by an active or a deleted experiment).
   */
  createExperiment(name: string, options?: CreateExperimentOptions): Promise<string>

  /** @throws RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE for an id of the wrong form. */
  getExperiment(experimentId: string): Promise<Experiment>

  /** Finds active and deleted experiments; `null` when none has the name. */
  getExperimentByName(name: string): Promise<Experiment | null>

  /** @throws INVALID_PARAMETER_VALUE for a bad filter, order_by, max_results or page token. */
  searchExperiments(options?: SearchExperimentsOptions): Promise<Page<Experiment>>

  /**
   * @throws INVALID_PARAMETER_VALUE for a bad name or a deleted experiment;
   *   RESOURCE_ALREADY_EXISTS when the name is taken; RESOURCE_DOES_NOT_EXIST.
   */
  renameExperiment(experimentId: string, newName: string): Promise<void>

  /**
   * Marks an active experiment and all its runs deleted.
   * @throws RESOURCE_DOES_NOT_EXIST when no active experiment has the id (as MLflow, deleting
   *   twice is refused); INVALID_PARAMETER_VALUE for the Default experiment where
   *   `capabilities.canDeleteDefaultExperiment` is false.
   */
  deleteExperiment(experimentId: string): Promise<void>

  /**
   * Marks a deleted experiment and all its runs active.
   * @throws RESOURCE_DOES_NOT_EXIST when no deleted experiment has the id.
   */
  restoreExperiment(experimentId: string): Promise<void>

  /** Upserts a tag. @throws INVALID_PARAMETER_VALUE (bad key/value, deleted experiment). */
  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void>

  /** @throws RESOURCE_DOES_NOT_EXIST when the tag or experiment is missing. */
  deleteExperimentTag(experimentId: string, key: string): Promise<void>

  /**
   * Creates a run in an active experiment and returns it.
   * @throws INVALID_PARAMETER_VALUE (deleted experiment, conflicting run name and tag, bad tag);
   *   RESOURCE_DOES_NOT_EXIST when the experiment is missing.
   */
  createRun(options: CreateRunOptions): Promise<Run>

  /** Reads a run (deleted runs too). @throws RESOURCE_DOES_NOT_EXIST. */
  getRun(runId: string): Promise<Run>

  /**
   * Sets status, end time and/or name; returns the updated info.
   * @throws RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE for a deleted run.
   */
  updateRunInfo(runId: string, update: UpdateRunInfoOptions): Promise<RunInfo>

  /** Idempotent. @throws RESOURCE_DOES_NOT_EXIST. */
  deleteRun(runId: string): Promise<void>

  /** Idempotent. @throws RESOURCE_DOES_NOT_EXIST. */
  restoreRun(runId: string): Promise<void>

  /** Appends one metric value. @throws INVALID_PARAMETER_VALUE; RESOURCE_DOES_NOT_EXIST. */
  logMetric(runId: string, metric: Metric): Promise<void>

  /**
   * Logs a param; the same value again is a no-op.
   * @throws INVALID_PARAMETER_VALUE when the key exists with another value, or for a bad key
   *   or an over-long value with truncation off.
   */
  logParam(runId: string, param: Param): Promise<void>

  /** Upserts a run tag (`mlflow.runName` also renames the run). @throws INVALID_PARAMETER_VALUE. */
  setTag(runId: string, tag: RunTag): Promise<void>

  /**
   * @throws RESOURCE_DOES_NOT_EXIST when the tag is missing; INVALID_PARAMETER_VALUE for a
   *   deleted run.
   */
  deleteTag(runId: string, key: string): Promise<void>

  /**
   * Logs up to 1000 metrics, 100 params and 100 tags (1000 in all) atomically: when any param
   * conflicts or any value is invalid, nothing is written.
   */
  logBatch(runId: string, batch: LogBatchOptions): Promise<void>

  /** Every logged value of one metric; an unknown key gives an empty page. */
  getMetricHistory(
    runId: string,
    key: string,
    options?: MetricHistoryOptions,
  ): Promise<Page<StoredMetric>>

  /** @throws INVALID_PARAMETER_VALUE for a bad filter, order_by, max_results or page token. */
  searchRuns(options: SearchRunsOptions): Promise<Page<Run>>

  /**
   * Records dataset and model inputs of a run. A dataset already logged to the run with the
   * same (name, digest) is left as it is, tags included; a model input is recorded once.
   * @throws RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE for a deleted run or bad input.
   */
  logInputs(runId: string, datasets?: DatasetInput[], models?: ModelInput[]): Promise<void>

  /**
   * Records logged models a run produced; logging a model again replaces its step.
   * @throws RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE for a deleted run or a bad id.
   */
  logOutputs(runId: string, models: ModelOutput[]): Promise<void>

  // ------------------------------------------------------------------ logged models

  /**
   * Creates a PENDING logged model in an active experiment.
   * @throws INVALID_PARAMETER_VALUE (bad name, key or deleted experiment);
   *   RESOURCE_DOES_NOT_EXIST when the experiment is missing.
   */
  createLoggedModel(options: CreateLoggedModelOptions): Promise<LoggedModel>

  /** @throws RESOURCE_DOES_NOT_EXIST, also for a deleted model. */
  getLoggedModel(modelId: string): Promise<LoggedModel>

  /**
   * Active logged models of the experiments. Default order: `creation_timestamp DESC`, then
   * `model_id ASC`.
   * @throws INVALID_PARAMETER_VALUE for a bad filter, order_by, max_results or page token.
   */
  searchLoggedModels(options: SearchLoggedModelsOptions): Promise<Page<LoggedModel>>

  /** Sets the status (READY, FAILED …). @throws RESOURCE_DOES_NOT_EXIST. */
  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel>

  /** Marks the model deleted (hidden from get and search). @throws RESOURCE_DOES_NOT_EXIST. */
  deleteLoggedModel(modelId: string): Promise<void>

  /** Upserts tags. @throws RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE for a bad key. */
  setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void>

  /** @throws RESOURCE_DOES_NOT_EXIST when the model or the tag is missing. */
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>

  /**
   * Logs params; the same value again is a no-op.
   * @throws INVALID_PARAMETER_VALUE when a key exists with another value;
   *   RESOURCE_DOES_NOT_EXIST.
   */
  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void>

  /** Releases connections and handles. The store is unusable afterwards. */
  close(): Promise<void>
}

/** Options every backend takes (the composition root fills in the defaults). */
export interface MetadataStoreOptions {
  /**
   * Where new experiments put their artifacts (`<root>/<experiment id>`). A relative local path
   * is made absolute. Defaults: `./mlruns` for SQL stores, the store folder for the file store.
   */
  defaultArtifactRoot?: string
  /** Silent by default. */
  logger?: Logger
  /**
   * Truncate param values over 6000 and tag values over 8000 characters instead of refusing
   * them. Default: the MLFLOW_TRUNCATE_LONG_VALUES environment variable, else true.
   */
  truncateLongValues?: boolean
}
