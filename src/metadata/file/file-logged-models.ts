/**
 * MLflow 3 logged models in the `mlruns` folder: `<experiment>/models/<model id>/` with
 * meta.yaml, `params/`, `tags/` and `metrics/` (lines carrying the run id), plus the model
 * inputs and outputs of runs, written as MLflow's FileStore writes them (FORMATS.md §2.10-2.11).
 * The file store delegates here.
 */
import { randomUUID } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { appendToUriPath } from '../../core/artifact-uri.js'
import { invalidParameter, notFound } from '../../core/errors.js'
import {
  LOGGED_MODEL_STATUSES,
  type CreateLoggedModelOptions,
  type KeyValue,
  type LoggedModel,
  type LoggedModelMetric,
  type LoggedModelStatus,
  type Metric,
  type Page,
  type SearchLoggedModelsOptions,
} from '../metadata-store.js'
import { generateRunName } from '../run-names.js'
import {
  compareLoggedModels,
  prepareLoggedModelSearch,
  encodeLoggedModelPageToken,
  matchesLoggedModel,
  sortLoggedModelMetrics,
} from '../search/index.js'
import {
  validateFileExperimentId,
  validateKey,
  validateLoggedModelEntries,
  validateLoggedModelName,
  validateModelId,
} from '../validation.js'
import { appendLines, listFolders, listKeyFiles, mapPool, writeFileAtomic } from './fs-io.js'
import {
  ARTIFACTS_FOLDER,
  INPUTS_FOLDER,
  META_FILE,
  METRICS_FOLDER,
  PARAMS_FOLDER,
  TAGS_FOLDER,
  inside,
} from './layout.js'
import type { ExperimentLocation, RunLocation, StoreLayout } from './layout.js'
import {
  formatLoggedModelMeta,
  formatModelInputMeta,
  formatModelMetricLine,
  formatModelOutputMeta,
  latestModelMetric,
  modelInputFolderId,
  parseLoggedModelMeta,
  parseModelMetricLines,
} from './model-records.js'
import type { LoggedModelRecord } from './model-records.js'
import { OUTPUTS_FOLDER } from './store-reader.js'
import type { StoreReader } from './store-reader.js'

export const MODELS_FOLDER = 'models'

/** A logged model folder and the experiment holding it. */
interface ModelLocation {
  modelId: string
  dir: string
  experiment: ExperimentLocation
}

const modelNotFound = (modelId: string) => notFound(`Logged model with ID '${modelId}' not found.`)

export class FileLoggedModels {
  /** Which experiment a model was last seen in; checked on disk every time. */
  private readonly hints = new Map<string, string>()

  constructor(
    private readonly layout: StoreLayout,
    private readonly reader: StoreReader,
  ) {}

  private locationIn(experiment: ExperimentLocation, modelId: string): ModelLocation {
    return { modelId, experiment, dir: inside(experiment.dir, MODELS_FOLDER, modelId) }
  }

  private async locate(modelId: string): Promise<ModelLocation> {
    validateModelId(modelId)
    const hint = this.hints.get(modelId)
    const candidates: ExperimentLocation[] = []
    if (hint !== undefined) {
      for (const trashed of [false, true]) candidates.push(this.layout.experiment(hint, trashed))
    }
    candidates.push(...(await this.reader.listExperimentLocations()))
    for (const experiment of candidates) {
      const location = this.locationIn(experiment, modelId)
      if (await this.reader.fileExists(path.join(location.dir, META_FILE))) {
        this.hints.set(modelId, experiment.experimentId)
        return location
      }
    }
    throw modelNotFound(modelId)
  }

  private async readRecord(location: ModelLocation): Promise<LoggedModelRecord> {
    const file = path.join(location.dir, META_FILE)
    const text = await this.reader.readMeta(file, `Logged model ${location.modelId}`)
    return parseLoggedModelMeta(text, location.modelId, file)
  }

  /** An active model: deleted ones are hidden, as in MLflow. */
  private async active(
    modelId: string,
  ): Promise<{ location: ModelLocation; record: LoggedModelRecord }> {
    const location = await this.locate(modelId)
    const record = await this.readRecord(location)
    if (record.lifecycleStage === 'deleted') throw modelNotFound(modelId)
    return { location, record }
  }

  private async readMetrics(location: ModelLocation): Promise<LoggedModelMetric[]> {
    const base = path.join(location.dir, METRICS_FOLDER)
    const keys = listKeyFiles(base)
    const latest = await Promise.all(
      keys.map(async (key) => {
        const file = inside(base, key)
        const text = await this.reader.read(file)
        return text === null
          ? undefined
          : latestModelMetric(parseModelMetricLines(text, key, location.modelId, file))
      }),
    )
    return sortLoggedModelMetrics(latest.filter((metric) => metric !== undefined))
  }

  private async readModel(
    location: ModelLocation,
    record?: LoggedModelRecord,
  ): Promise<LoggedModel> {
    const [meta, tags, params, metrics] = await Promise.all([
      record ?? this.readRecord(location),
      this.reader.readKeyValues(location.dir, TAGS_FOLDER),
      this.reader.readKeyValues(location.dir, PARAMS_FOLDER),
      this.readMetrics(location),
    ])
    return { ...meta, tags, params, metrics }
  }

  async create(options: CreateLoggedModelOptions): Promise<LoggedModel> {
    const name = options.name === undefined ? generateRunName() : options.name
    validateLoggedModelName(name)
    const tags = validateLoggedModelEntries(options.tags, 'tags')
    const params = validateLoggedModelEntries(options.params, 'params')
    validateFileExperimentId(options.experimentId)
    const experiment = await this.reader.requireExperiment(options.experimentId)
    const experimentRecord = await this.reader.readExperimentRecord(experiment)
    if (experiment.trashed || experimentRecord.lifecycleStage !== 'active') {
      throw invalidParameter(
        `The experiment ${options.experimentId} must be in the 'active' lifecycle_stage to ` +
          'create logged models.',
      )
    }
    const modelId = `m-${randomUUID().replaceAll('-', '')}`
    const location = this.locationIn(experiment, modelId)
    const now = Date.now()
    const record: LoggedModelRecord = {
      modelId,
      experimentId: options.experimentId,
      name,
      artifactLocation: appendToUriPath(
        experimentRecord.artifactLocation,
        MODELS_FOLDER,
        modelId,
        ARTIFACTS_FOLDER,
      ),
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      status: 'PENDING',
      statusMessage: null,
      modelType: options.modelType ?? null,
      sourceRunId: options.sourceRunId ?? null,
      lifecycleStage: 'active',
    }
    await fs.mkdir(path.join(location.dir, ARTIFACTS_FOLDER), { recursive: true })
    for (const param of params) await this.writeKeyFile(location, PARAMS_FOLDER, param)
    for (const tag of tags) await this.writeKeyFile(location, TAGS_FOLDER, tag)
    // meta.yaml last: until it exists, the model is not found.
    await writeFileAtomic(path.join(location.dir, META_FILE), formatLoggedModelMeta(record, true))
    this.hints.set(modelId, options.experimentId)
    return this.readModel(location, record)
  }

  private async writeKeyFile(location: ModelLocation, folder: string, entry: KeyValue) {
    await writeFileAtomic(
      this.layout.keyFile(location.dir, folder, entry.key),
      entry.value,
      location.dir,
    )
  }

  async get(modelId: string): Promise<LoggedModel> {
    const { location, record } = await this.active(modelId)
    return this.readModel(location, record)
  }

  async finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    if (!LOGGED_MODEL_STATUSES.includes(status)) {
      throw invalidParameter(
        `Invalid logged model status ${JSON.stringify(status)}: expected one of ` +
          LOGGED_MODEL_STATUSES.join(', '),
      )
    }
    const { location, record } = await this.active(modelId)
    const next = { ...record, status, lastUpdatedTimestamp: laterThan(record.lastUpdatedTimestamp) }
    // As MLflow's finalize, the rewrite leaves lifecycle_stage out.
    await writeFileAtomic(path.join(location.dir, META_FILE), formatLoggedModelMeta(next, false))
    return this.readModel(location, next)
  }

  async delete(modelId: string): Promise<void> {
    const { location, record } = await this.active(modelId)
    const next: LoggedModelRecord = {
      ...record,
      lifecycleStage: 'deleted',
      lastUpdatedTimestamp: laterThan(record.lastUpdatedTimestamp),
    }
    await writeFileAtomic(path.join(location.dir, META_FILE), formatLoggedModelMeta(next, true))
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    const valid = validateLoggedModelEntries(tags, 'tags')
    const { location } = await this.active(modelId)
    for (const tag of valid) await this.writeKeyFile(location, TAGS_FOLDER, tag)
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    validateKey(key)
    const { location } = await this.active(modelId)
    const file = this.layout.keyFile(location.dir, TAGS_FOLDER, key)
    if (!(await this.reader.fileExists(file))) {
      throw notFound(`No tag with key '${key}' found for model with ID '${modelId}'.`)
    }
    await fs.rm(file)
  }

  async logParams(modelId: string, params: KeyValue[]): Promise<void> {
    const valid = validateLoggedModelEntries(params, 'params')
    const { location } = await this.active(modelId)
    const fresh: KeyValue[] = []
    for (const param of valid) {
      const old = await this.reader.read(
        this.layout.keyFile(location.dir, PARAMS_FOLDER, param.key),
      )
      if (old !== null && old !== param.value) {
        throw invalidParameter(
          `Changing param values is not allowed. Param with key='${param.key}' was already ` +
            `logged with value='${old}' for logged model ID='${modelId}'. Attempted logging new ` +
            `value '${param.value}'.`,
        )
      }
      if (old === null) fresh.push(param)
    }
    for (const param of fresh) await this.writeKeyFile(location, PARAMS_FOLDER, param)
  }

  /**
   * Locates the models of the metrics that carry a model id, before anything is written.
   * @throws RESOURCE_DOES_NOT_EXIST when a model id names no logged model.
   */
  async prepareMetrics(
    metrics: (Metric & { step: number })[],
  ): Promise<Map<string, ModelLocation>> {
    const locations = new Map<string, ModelLocation>()
    for (const metric of metrics) {
      if (!metric.modelId || locations.has(metric.modelId)) continue
      locations.set(metric.modelId, await this.locate(metric.modelId))
    }
    return locations
  }

  /** Appends the lines of metrics that carry a model id to their models' metric files. */
  async appendMetrics(
    locations: Map<string, ModelLocation>,
    runId: string,
    metrics: (Metric & { step: number })[],
  ): Promise<void> {
    const files = new Map<string, string>()
    for (const metric of metrics) {
      if (!metric.modelId) continue
      const location = locations.get(metric.modelId)!
      const file = this.layout.keyFile(location.dir, METRICS_FOLDER, metric.key)
      files.set(file, (files.get(file) ?? '') + formatModelMetricLine(metric, runId))
    }
    for (const [file, lines] of files) await appendLines(file, lines)
  }

  /** Writes model inputs of a run once each (first writer wins, as MLflow). */
  async writeModelInputs(run: RunLocation, modelIds: string[]): Promise<void> {
    for (const modelId of modelIds) {
      const file = inside(run.dir, INPUTS_FOLDER, modelInputFolderId(modelId, run.runId), META_FILE)
      if (await this.reader.fileExists(file)) continue
      await writeFileAtomic(file, formatModelInputMeta(modelId), run.dir)
    }
  }

  /** Writes model outputs of a run (a model logged again gets its new step). */
  async writeModelOutputs(run: RunLocation, models: { modelId: string; step: number }[]) {
    for (const { modelId, step } of models) {
      await writeFileAtomic(
        inside(run.dir, OUTPUTS_FOLDER, modelId, META_FILE),
        formatModelOutputMeta(modelId, step),
        run.dir,
      )
    }
  }

  async search(options: SearchLoggedModelsOptions): Promise<Page<LoggedModel>> {
    const { datasets, maxResults, clauses, order, identity, offset } =
      prepareLoggedModelSearch(options)
    const locations: ModelLocation[] = []
    for (const experimentId of new Set(identity.experimentIds)) {
      validateFileExperimentId(experimentId)
      const experiment = await this.reader.locateExperiment(experimentId)
      if (experiment === null) continue
      for (const id of listFolders(path.join(experiment.dir, MODELS_FOLDER))) {
        locations.push(this.locationIn(experiment, id))
      }
    }
    const models = await mapPool(locations, async (location) => {
      try {
        const record = await this.readRecord(location)
        return record.lifecycleStage === 'deleted' ? null : await this.readModel(location, record)
      } catch (error) {
        this.reader.warnSkipped('logged model', location.dir, error)
        return null
      }
    })
    const matched = models.filter(
      (model): model is LoggedModel =>
        model !== null && matchesLoggedModel(clauses, datasets, model),
    )
    matched.sort(compareLoggedModels(order))
    const end = offset + maxResults
    return {
      items: matched.slice(offset, end),
      nextPageToken: end < matched.length ? encodeLoggedModelPageToken(identity, end) : null,
    }
  }
}

/** Now, or one millisecond after `previous` when the clock has not moved past it. */
function laterThan(previous: number): number {
  const now = Date.now()
  return now <= previous ? previous + 1 : now
}
