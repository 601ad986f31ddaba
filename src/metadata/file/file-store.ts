/**
 * MLflow's file store (`mlruns` folders) behind the MetadataStore contract. It reads folders
 * MLflow wrote and writes folders MLflow opens unchanged (FORMATS.md §2). Where MLflow's file
 * and SQL stores differ, it follows the file store and says so in `capabilities`.
 */
import { randomInt, randomUUID } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { appendToUriPath, resolveUriIfLocal } from '../../core/artifact-uri.js'
import { alreadyExists, invalidParameter, invalidState, notFound } from '../../core/errors.js'
import type { Logger } from '../../core/logger.js'
import type {
  CreateExperimentOptions,
  CreateLoggedModelOptions,
  CreateRunOptions,
  DatasetInput,
  KeyValue,
  LoggedModel,
  LoggedModelStatus,
  ModelInput,
  ModelOutput,
  SearchLoggedModelsOptions,
  Experiment,
  ExperimentTag,
  LogBatchOptions,
  MetadataStore,
  Metric,
  MetricHistoryOptions,
  Page,
  Param,
  Run,
  RunInfo,
  RunTag,
  SearchExperimentsOptions,
  SearchRunsOptions,
  StoreCapabilities,
  StoredMetric,
  UpdateRunInfoOptions,
} from '../metadata-store.js'
import type { StoreTransfer } from '../transfer.js'
import { generateRunName } from '../run-names.js'
import {
  decodePageToken,
  encodePageToken,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  validateMaxResults,
  withDefaultExperimentOrder,
  withDefaultRunOrder,
} from '../search/index.js'
import {
  validateArtifactLocation,
  validateBatch,
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateFileExperimentId,
  validateKey,
  validateMetric,
  validateModelInputs,
  validateModelOutputs,
  validateParam,
  validateRunId,
  validateRunTag,
} from '../validation.js'
import type { ValidationContext } from '../validation.js'
import { appendLines, ReadScheduler, writeFileAtomic, writeFileOnce } from './fs-io.js'
import {
  ARTIFACTS_FOLDER,
  DATASETS_FOLDER,
  DEFAULT_EXPERIMENT_ID,
  INPUTS_FOLDER,
  META_FILE,
  METRICS_FOLDER,
  PARAMS_FOLDER,
  TAGS_FOLDER,
  StoreLayout,
  inside,
} from './layout.js'
import type { ExperimentLocation, RunLocation } from './layout.js'
import { formatMetricLine } from './metric-lines.js'
import {
  datasetFolderId,
  formatDatasetMeta,
  formatExperimentMeta,
  formatInputMeta,
  formatRunMeta,
  inputFolderId,
} from './records.js'
import type { ExperimentRecord } from './records.js'
import { searchExperimentsIn, searchRunsIn } from './file-search.js'
import { FileTransfer } from './file-transfer.js'
import { RUN_NAME_TAG, StoreReader } from './store-reader.js'
import { FileLoggedModels } from './file-logged-models.js'

export const FILE_STORE_CAPABILITIES: StoreCapabilities = Object.freeze({
  kind: 'file',
  canDeleteDefaultExperiment: false,
  experimentIdFormat: 'random18',
  keepsDuplicateMetricRows: true,
  clampsInfinity: false,
  checksRunTagValueLength: false,
  checksExperimentTagValueLength: false,
  loggedModelMetricHistory: false,
  keepsLoggedModelMetricNaN: true,
})

export interface FileStoreSettings {
  /** The artifact root new experiments live under (already absolute or a URI). */
  artifactRoot: string
  logger: Logger
  truncateLongValues: boolean
  /** Synchronous file reads between two yields to the event loop. */
  readSlice: number
}

/** A new 18-digit experiment id without a leading zero, as MLflow's file store makes them. */
function newExperimentId(): string {
  let id = String(randomInt(1, 10))
  for (let i = 0; i < 17; i += 1) id += String(randomInt(0, 10))
  return id
}

export class FileMetadataStore implements MetadataStore {
  readonly capabilities = FILE_STORE_CAPABILITIES
  /** Exact reads and writes for the migration toolkit. */
  readonly transfer: StoreTransfer
  private readonly layout: StoreLayout
  private readonly reader: StoreReader
  private readonly validation: ValidationContext
  private readonly models: FileLoggedModels
  /**
   * Which experiment a run was last seen in: only a hint for `getRun`, checked on disk every
   * time, so another process moving the run can never make it answer wrongly.
   */
  private readonly runHints = new Map<string, string>()
  private closed = false

  constructor(
    readonly root: string,
    private readonly settings: FileStoreSettings,
  ) {
    this.layout = new StoreLayout(root)
    this.reader = new StoreReader(
      this.layout,
      new ReadScheduler(settings.readSlice),
      settings.logger,
    )
    this.transfer = new FileTransfer(this.layout, this.reader, () => this.check())
    this.validation = {
      truncateLongValues: settings.truncateLongValues,
      logger: settings.logger,
    }
    this.models = new FileLoggedModels(this.layout, this.reader)
  }

  /** Creates the root, `.trash` and the Default experiment when the folder does not exist. */
  async initialize(): Promise<void> {
    let fresh = false
    try {
      await fs.access(this.root)
    } catch {
      fresh = true
    }
    if (fresh) {
      await fs.mkdir(this.layout.trashDir, { recursive: true })
      await this.writeNewExperiment(DEFAULT_EXPERIMENT_ID, 'Default', undefined, [])
      return
    }
    try {
      await fs.mkdir(this.layout.trashDir, { recursive: true })
    } catch (error) {
      // A read-only folder is still readable; writes will report their own errors.
      this.settings.logger.debug('Could not create the .trash folder', { error: String(error) })
    }
  }

  private check(): void {
    if (this.closed) throw invalidState('The file store is closed')
  }

  // -------------------------------------------------------------------------------------------
  // Experiments

  private async allExperimentRecords(): Promise<ExperimentRecord[]> {
    const locations = await this.reader.listExperimentLocations()
    return (await this.reader.readExperimentRecords(locations)).map((entry) => entry.record)
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    for (const record of await this.allExperimentRecords()) {
      if (record.name !== name || record.experimentId === exceptId) continue
      if (record.lifecycleStage === 'deleted') {
        throw alreadyExists(
          `Experiment '${name}' already exists in deleted state. You can restore the ` +
            'experiment, or permanently delete the experiment from the .trash folder ' +
            'under the store folder before creating a new one with the same name.',
        )
      }
      throw alreadyExists(`Experiment '${name}' already exists.`)
    }
  }

  private async writeNewExperiment(
    experimentId: string,
    name: string,
    artifactLocation: string | undefined,
    tags: ExperimentTag[],
  ): Promise<void> {
    const location = this.layout.experiment(experimentId, false)
    await fs.mkdir(location.dir, { recursive: true })
    const now = Date.now()
    for (const tag of tags) await this.writeExperimentTag(location, tag)
    const record: ExperimentRecord = {
      experimentId,
      name,
      artifactLocation:
        artifactLocation === undefined
          ? appendToUriPath(this.settings.artifactRoot, experimentId)
          : resolveUriIfLocal(artifactLocation),
      lifecycleStage: 'active',
      creationTime: now,
      lastUpdateTime: now,
    }
    // meta.yaml last: until it exists, readers skip the folder.
    await writeFileAtomic(path.join(location.dir, META_FILE), formatExperimentMeta(record))
  }

  private async writeExperimentTag(
    location: ExperimentLocation,
    tag: ExperimentTag,
  ): Promise<void> {
    await writeFileAtomic(
      this.layout.keyFile(location.dir, TAGS_FOLDER, tag.key),
      tag.value,
      location.dir,
    )
  }

  async createExperiment(name: string, options: CreateExperimentOptions = {}): Promise<string> {
    this.check()
    validateExperimentName(name)
    validateArtifactLocation(options.artifactLocation)
    const tags = (options.tags ?? []).map((tag) => validateExperimentTag(tag, false))
    await this.assertNameFree(name)
    let experimentId = newExperimentId()
    while ((await this.reader.locateExperiment(experimentId)) !== null) {
      experimentId = newExperimentId()
    }
    await this.writeNewExperiment(experimentId, name, options.artifactLocation, tags)
    return experimentId
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    this.check()
    validateFileExperimentId(experimentId)
    return this.reader.readExperiment(await this.reader.requireExperiment(experimentId))
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    this.check()
    const locations = await this.reader.listExperimentLocations()
    for (const { location, record } of await this.reader.readExperimentRecords(locations)) {
      if (record.name === name) {
        return { ...record, tags: await this.reader.readKeyValues(location.dir, TAGS_FOLDER) }
      }
    }
    return null
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<Page<Experiment>> {
    this.check()
    const maxResults = validateMaxResults(options.maxResults)
    const clauses = parseExperimentFilter(options.filter)
    const order = withDefaultExperimentOrder(parseExperimentOrderBy(options.orderBy))
    const offset = decodePageToken(options.pageToken)
    return searchExperimentsIn(this.reader, {
      viewType: options.viewType ?? 'ACTIVE_ONLY',
      clauses,
      order,
      offset,
      maxResults,
    })
  }

  /** Rewrites experiment meta.yaml as MLflow does on rename/delete/restore (tags included). */
  private async rewriteExperiment(
    location: ExperimentLocation,
    record: ExperimentRecord,
  ): Promise<void> {
    const tags = await this.reader.readKeyValues(location.dir, TAGS_FOLDER)
    const snapshot = Object.fromEntries(tags.map((tag) => [tag.key, tag.value]))
    await writeFileAtomic(
      path.join(location.dir, META_FILE),
      formatExperimentMeta(record, snapshot),
    )
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    this.check()
    validateFileExperimentId(experimentId)
    validateExperimentName(newName)
    const location = await this.reader.requireExperiment(experimentId)
    const record = await this.reader.readExperimentRecord(location)
    if (location.trashed || record.lifecycleStage !== 'active') {
      throw invalidParameter(
        `Cannot rename a non-active experiment. Experiment ${experimentId} is deleted.`,
      )
    }
    await this.assertNameFree(newName, experimentId)
    await this.rewriteExperiment(location, {
      ...record,
      name: newName,
      lastUpdateTime: this.laterThan(record.lastUpdateTime),
    })
  }

  /** Now, or one millisecond after `previous` when the clock has not moved past it. */
  private laterThan(previous: number | null): number {
    const now = Date.now()
    return previous !== null && now <= previous ? previous + 1 : now
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    this.check()
    validateFileExperimentId(experimentId)
    if (experimentId === DEFAULT_EXPERIMENT_ID) {
      throw invalidParameter(
        `Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an ` +
          'internally reserved experiment.',
      )
    }
    const location = await this.reader.requireExperiment(experimentId)
    const record = await this.reader.readExperimentRecord(location)
    if (location.trashed || record.lifecycleStage !== 'active') {
      throw notFound(`Could not find active experiment with ID ${experimentId}: it is deleted.`)
    }
    const now = Date.now()
    for (const run of await this.reader.listRunLocations(location)) {
      const info = await this.readRunInfoOrSkip(run)
      if (info === null || info.lifecycleStage !== 'active') continue
      await this.writeRunInfo(run, { ...info, lifecycleStage: 'deleted', deletedTime: now })
    }
    await this.rewriteExperiment(location, {
      ...record,
      lifecycleStage: 'deleted',
      lastUpdateTime: this.laterThan(record.lastUpdateTime),
    })
    const target = this.layout.experiment(experimentId, true)
    if (await this.reader.fileExists(target.dir)) {
      throw invalidState(
        `Cannot move experiment ${experimentId} to the trash: ${target.dir} already exists`,
      )
    }
    await fs.mkdir(this.layout.trashDir, { recursive: true })
    await fs.rename(location.dir, target.dir)
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    this.check()
    validateFileExperimentId(experimentId)
    const location = await this.reader.requireExperiment(experimentId)
    if (!location.trashed) {
      throw notFound(`Could not find deleted experiment with ID ${experimentId}: it is active.`)
    }
    const target = this.layout.experiment(experimentId, false)
    await fs.rename(location.dir, target.dir)
    const record = await this.reader.readExperimentRecord(target)
    for (const run of await this.reader.listRunLocations(target)) {
      const info = await this.readRunInfoOrSkip(run)
      if (info === null || info.lifecycleStage !== 'deleted') continue
      await this.writeRunInfo(run, { ...info, lifecycleStage: 'active', deletedTime: null })
    }
    await this.rewriteExperiment(target, {
      ...record,
      lifecycleStage: 'active',
      lastUpdateTime: this.laterThan(record.lastUpdateTime),
    })
  }

  private async activeExperiment(
    experimentId: string,
    action: string,
  ): Promise<ExperimentLocation> {
    validateFileExperimentId(experimentId)
    const location = await this.reader.requireExperiment(experimentId)
    const record = await this.reader.readExperimentRecord(location)
    if (location.trashed || record.lifecycleStage !== 'active') {
      throw invalidParameter(
        `The experiment ${experimentId} must be in the 'active' lifecycle_stage to ${action}.`,
      )
    }
    return location
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    this.check()
    const valid = validateExperimentTag(tag, false)
    const location = await this.activeExperiment(experimentId, 'set tags')
    await this.writeExperimentTag(location, valid)
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    this.check()
    validateKey(key)
    const location = await this.activeExperiment(experimentId, 'delete tags')
    const file = this.layout.keyFile(location.dir, TAGS_FOLDER, key)
    if (!(await this.reader.fileExists(file))) {
      throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`)
    }
    await fs.rm(file)
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  private async locateRun(runId: string): Promise<RunLocation> {
    validateRunId(runId)
    const location = await this.reader.locateRun(runId, this.runHints.get(runId))
    this.runHints.set(runId, location.experiment.experimentId)
    return location
  }

  private async readRunInfoOrSkip(location: RunLocation): Promise<RunInfo | null> {
    try {
      return await this.reader.readRunInfo(location)
    } catch (error) {
      this.reader.warnSkipped('run', location.dir, error)
      return null
    }
  }

  private async writeRunInfo(
    location: RunLocation,
    info: RunInfo,
    creating = false,
  ): Promise<void> {
    await writeFileAtomic(path.join(location.dir, META_FILE), formatRunMeta(info, creating))
  }

  /** The run and its info, refusing deleted runs as MLflow's `check_run_is_active` does. */
  private async activeRun(runId: string): Promise<{ location: RunLocation; info: RunInfo }> {
    const location = await this.locateRun(runId)
    const info = await this.reader.readRunInfo(location)
    if (info.lifecycleStage !== 'active') {
      throw invalidParameter(`The run ${runId} must be in 'active' lifecycle_stage.`)
    }
    return { location, info }
  }

  private async writeRunTag(location: RunLocation, tag: RunTag): Promise<void> {
    await writeFileAtomic(
      this.layout.keyFile(location.dir, TAGS_FOLDER, tag.key),
      tag.value,
      location.dir,
    )
  }

  async createRun(options: CreateRunOptions): Promise<Run> {
    this.check()
    const experimentId = options.experimentId ?? DEFAULT_EXPERIMENT_ID
    validateFileExperimentId(experimentId)
    const tags = new Map<string, string>()
    for (const tag of options.tags ?? []) {
      const valid = validateRunTag(tag, this.validation, '', false)
      tags.set(valid.key, valid.value)
    }
    const experiment = await this.reader.locateExperiment(experimentId)
    if (experiment === null) throw notFound(`Experiment '${experimentId}' does not exist.`)
    const record = await this.reader.readExperimentRecord(experiment)
    if (experiment.trashed || record.lifecycleStage !== 'active') {
      throw invalidParameter(
        `Could not create run under non-active experiment with ID ${experimentId}: the ` +
          `experiment must be in the 'active' lifecycle_stage.`,
      )
    }
    const tagName = tags.get(RUN_NAME_TAG)
    if (options.runName && tagName !== undefined && options.runName !== tagName) {
      throw invalidParameter(
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different " +
          `values (run_name='${options.runName}', mlflow.runName='${tagName}').`,
      )
    }
    const runName = options.runName || tagName || generateRunName()
    if (tagName === undefined) tags.set(RUN_NAME_TAG, runName)

    const runId = randomUUID().replaceAll('-', '')
    const location = this.layout.run(experiment, runId)
    const info: RunInfo = {
      runId,
      runName,
      experimentId,
      userId: options.userId ?? '',
      status: 'RUNNING',
      startTime: options.startTime ?? Date.now(),
      endTime: null,
      artifactUri: appendToUriPath(record.artifactLocation, runId, ARTIFACTS_FOLDER),
      lifecycleStage: 'active',
      deletedTime: null,
    }
    await Promise.all(
      [METRICS_FOLDER, PARAMS_FOLDER, ARTIFACTS_FOLDER].map((folder) =>
        fs.mkdir(path.join(location.dir, folder), { recursive: true }),
      ),
    )
    for (const [key, value] of tags) await this.writeRunTag(location, { key, value })
    // meta.yaml last: until it exists, search skips the half-made folder.
    await this.writeRunInfo(location, info, true)
    this.runHints.set(runId, experimentId)
    return this.reader.readRun(location, info)
  }

  async getRun(runId: string): Promise<Run> {
    this.check()
    return this.reader.readRun(await this.locateRun(runId))
  }

  async updateRunInfo(runId: string, update: UpdateRunInfoOptions): Promise<RunInfo> {
    this.check()
    const { location, info } = await this.activeRun(runId)
    const next: RunInfo = { ...info }
    if (update.status !== undefined) next.status = update.status
    if (update.endTime !== undefined) next.endTime = update.endTime
    if (update.runName) next.runName = update.runName
    await this.writeRunInfo(location, next)
    if (update.runName) await this.writeRunTag(location, { key: RUN_NAME_TAG, value: next.runName })
    return next
  }

  async deleteRun(runId: string): Promise<void> {
    this.check()
    const location = await this.locateRun(runId)
    const info = await this.reader.readRunInfo(location)
    if (info.lifecycleStage === 'deleted') return
    await this.writeRunInfo(location, {
      ...info,
      lifecycleStage: 'deleted',
      deletedTime: Date.now(),
    })
  }

  async restoreRun(runId: string): Promise<void> {
    this.check()
    const location = await this.locateRun(runId)
    const info = await this.reader.readRunInfo(location)
    if (info.lifecycleStage === 'active' && info.deletedTime === null) return
    await this.writeRunInfo(location, { ...info, lifecycleStage: 'active', deletedTime: null })
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    this.check()
    const valid = validateMetric(metric)
    const line = formatMetricLine(valid)
    const { location } = await this.activeRun(runId)
    const models = await this.models.prepareMetrics([valid])
    await appendLines(this.layout.keyFile(location.dir, METRICS_FOLDER, valid.key), line)
    await this.models.appendMetrics(models, runId, [valid])
  }

  private async conflictingParam(
    location: RunLocation,
    runId: string,
    param: Param,
  ): Promise<boolean> {
    const existing = await this.reader.read(
      this.layout.keyFile(location.dir, PARAMS_FOLDER, param.key),
    )
    if (existing === null) return false
    if (existing !== param.value) {
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${param.key}' was already ` +
          `logged with value='${existing}' for run ID='${runId}'. Attempted logging new value ` +
          `'${param.value}'.`,
      )
    }
    return true
  }

  async logParam(runId: string, param: Param): Promise<void> {
    this.check()
    const valid = validateParam(param, this.validation)
    const { location } = await this.activeRun(runId)
    if (await this.conflictingParam(location, runId, valid)) return
    await writeFileAtomic(
      this.layout.keyFile(location.dir, PARAMS_FOLDER, valid.key),
      valid.value,
      location.dir,
    )
  }

  /** Writes a run tag; `mlflow.runName` also renames the run, as MLflow does. */
  private async applyTag(location: RunLocation, info: RunInfo, tag: RunTag): Promise<RunInfo> {
    await this.writeRunTag(location, tag)
    if (tag.key !== RUN_NAME_TAG || tag.value === info.runName) return info
    const renamed = { ...info, runName: tag.value }
    await this.writeRunInfo(location, renamed)
    return renamed
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    this.check()
    const valid = validateRunTag(tag, this.validation, '', false)
    const { location, info } = await this.activeRun(runId)
    await this.applyTag(location, info, valid)
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    this.check()
    validateKey(key)
    const { location } = await this.activeRun(runId)
    const file = this.layout.keyFile(location.dir, TAGS_FOLDER, key)
    if (!(await this.reader.fileExists(file))) {
      throw notFound(`No tag with name: ${key} in run with id ${runId}`)
    }
    await fs.rm(file)
  }

  async logBatch(runId: string, batch: LogBatchOptions): Promise<void> {
    this.check()
    validateRunId(runId)
    const valid = validateBatch(batch, this.validation, true)
    const lines = new Map<string, string>()
    for (const metric of valid.metrics) {
      lines.set(metric.key, (lines.get(metric.key) ?? '') + formatMetricLine(metric))
    }
    const { location, info } = await this.activeRun(runId)
    const models = await this.models.prepareMetrics(valid.metrics)
    // Every check happens before the first write: a conflicting param writes nothing.
    const params = new Map(valid.params.map((param) => [param.key, param.value]))
    const known = await Promise.all(
      [...params].map(([key, value]) => this.conflictingParam(location, runId, { key, value })),
    )
    const newParams = [...params].filter((_, i) => !known[i])
    for (const [key, value] of newParams) {
      await writeFileAtomic(
        this.layout.keyFile(location.dir, PARAMS_FOLDER, key),
        value,
        location.dir,
      )
    }
    for (const [key, text] of lines) {
      await appendLines(this.layout.keyFile(location.dir, METRICS_FOLDER, key), text)
    }
    await this.models.appendMetrics(models, runId, valid.metrics)
    const tags = new Map(valid.tags.map((tag) => [tag.key, tag.value]))
    let current = info
    for (const [key, value] of tags)
      current = await this.applyTag(location, current, { key, value })
  }

  async getMetricHistory(
    runId: string,
    key: string,
    options: MetricHistoryOptions = {},
  ): Promise<Page<StoredMetric>> {
    this.check()
    validateKey(key)
    const location = await this.locateRun(runId)
    const offset = decodePageToken(options.pageToken)
    const history = await this.reader.readMetricHistory(location, key)
    const { maxResults } = options
    if (maxResults === undefined || maxResults === null) {
      return { items: history.slice(offset), nextPageToken: null }
    }
    if (!Number.isInteger(maxResults) || maxResults < 0) {
      throw invalidParameter(
        `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a ` +
          'non-negative integer',
      )
    }
    const end = offset + maxResults
    return {
      items: history.slice(offset, end),
      nextPageToken: maxResults > 0 && end < history.length ? encodePageToken(end) : null,
    }
  }

  async searchRuns(options: SearchRunsOptions): Promise<Page<Run>> {
    this.check()
    const maxResults = validateMaxResults(options.maxResults)
    const clauses = parseRunFilter(options.filter)
    const order = withDefaultRunOrder(parseRunOrderBy(options.orderBy))
    const offset = decodePageToken(options.pageToken)
    const experimentIds = [...new Set(options.experimentIds ?? [])]
    experimentIds.forEach((id) => validateFileExperimentId(id))
    return searchRunsIn(this.reader, {
      experimentIds,
      viewType: options.viewType ?? 'ACTIVE_ONLY',
      clauses,
      order,
      offset,
      maxResults,
    })
  }

  async logInputs(runId: string, datasets?: DatasetInput[], models?: ModelInput[]): Promise<void> {
    this.check()
    const inputs = validateDatasetInputs(datasets)
    const modelIds = validateModelInputs(models)
    const { location } = await this.activeRun(runId)
    await this.models.writeModelInputs(location, modelIds)
    const experimentDir = location.experiment.dir
    for (const input of inputs) {
      const datasetId = datasetFolderId(input.dataset.name, input.dataset.digest)
      await writeFileOnce(
        inside(experimentDir, DATASETS_FOLDER, datasetId, META_FILE),
        formatDatasetMeta(input.dataset),
        experimentDir,
      )
      const tags = Object.fromEntries(input.tags.map((tag) => [tag.key, tag.value]))
      await writeFileOnce(
        inside(location.dir, INPUTS_FOLDER, inputFolderId(datasetId, runId), META_FILE),
        formatInputMeta(datasetId, tags),
        location.dir,
      )
    }
  }

  async logOutputs(runId: string, models: ModelOutput[]): Promise<void> {
    this.check()
    const outputs = validateModelOutputs(models)
    const { location } = await this.activeRun(runId)
    await this.models.writeModelOutputs(location, outputs)
  }

  // -------------------------------------------------------------------------------------------
  // Logged models

  createLoggedModel(options: CreateLoggedModelOptions): Promise<LoggedModel> {
    this.check()
    return this.models.create(options)
  }

  getLoggedModel(modelId: string): Promise<LoggedModel> {
    this.check()
    return this.models.get(modelId)
  }

  searchLoggedModels(options: SearchLoggedModelsOptions): Promise<Page<LoggedModel>> {
    this.check()
    return this.models.search(options)
  }

  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    this.check()
    return this.models.finalize(modelId, status)
  }

  deleteLoggedModel(modelId: string): Promise<void> {
    this.check()
    return this.models.delete(modelId)
  }

  setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void> {
    this.check()
    return this.models.setTags(modelId, tags)
  }

  deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    this.check()
    return this.models.deleteTag(modelId, key)
  }

  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void> {
    this.check()
    return this.models.logParams(modelId, params)
  }

  async close(): Promise<void> {
    this.closed = true
    this.runHints.clear()
  }
}
