/**
 * The transfer facet over an `mlruns` folder: exact reads in id order and exact, per-run atomic
 * writes. A run is built whole in a hidden folder inside its experiment (`.trackstore-run-<id>`,
 * which no reader takes for a run) and renamed into place, so a copy killed at any moment leaves
 * each run complete or absent. Metric files keep every line, duplicates included, and the
 * dataset name and digest of rows that carry them. The transfer marker is a file at the root,
 * where MLflow lists only folders.
 */
import { randomInt } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { alreadyExists, isTrackstoreError, notFound } from '../../core/errors.js'
import type { Experiment, StoredMetric } from '../metadata-store.js'
import { compareCodePoints } from '../search/index.js'
import { sortLoggedModelMetrics } from '../search/index.js'
import type {
  PutOutcome,
  RunImport,
  StoreTransfer,
  TransferLoggedModel,
  TransferMarker,
  TransferReadOptions,
  TransferRun,
} from '../transfer.js'
import {
  appendLines,
  exists,
  isFolder,
  isMissing,
  listFolders,
  listKeyFiles,
  readText,
  writeFileAtomic,
  writeFileOnce,
} from './fs-io.js'
import {
  ARTIFACTS_FOLDER,
  DATASETS_FOLDER,
  DEFAULT_EXPERIMENT_ID,
  INPUTS_FOLDER,
  META_FILE,
  METRICS_FOLDER,
  PARAMS_FOLDER,
  TAGS_FOLDER,
  inside,
} from './layout.js'
import type { ExperimentLocation, RunLocation, StoreLayout } from './layout.js'
import { MODELS_FOLDER } from './file-logged-models.js'
import { formatMetricLine, parseMetricLines } from './metric-lines.js'
import {
  formatLoggedModelMeta,
  formatModelInputMeta,
  formatModelMetricLine,
  formatModelOutputMeta,
  modelInputFolderId,
  parseLoggedModelMeta,
  parseModelMetricLines,
} from './model-records.js'
import {
  datasetFolderId,
  formatDatasetMeta,
  formatExperimentMeta,
  formatInputMeta,
  formatRunMeta,
  inputFolderId,
} from './records.js'
import { OUTPUTS_FOLDER, type StoreReader } from './store-reader.js'

/** The marker file at the store root (MLflow only lists folders there). */
export const MARKER_FILE = 'trackstore-transfer.json'
const TEMPORARY_RUN_PREFIX = '.trackstore-run-'
const TEMPORARY_MODEL_PREFIX = '.trackstore-model-'
const METRIC_BATCH = 10_000
/** Root folders that hold content transfers do not carry, by the name used in summaries. */
const UNSUPPORTED_EXPERIMENT_FOLDERS: Record<string, string> = {
  traces: 'traces',
}

/** Numeric ids by value (shorter first), anything else by code points. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length
  return compareCodePoints(a, b)
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

export class FileTransfer implements StoreTransfer {
  readonly keepsMetricDatasets = true
  readonly #layout: StoreLayout
  readonly #reader: StoreReader
  readonly #check: () => void

  /** `check` throws when the store is closed. */
  constructor(layout: StoreLayout, reader: StoreReader, check: () => void) {
    this.#layout = layout
    this.#reader = reader
    this.#check = check
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  async #experimentLocations(): Promise<ExperimentLocation[]> {
    const locations = await this.#reader.listExperimentLocations()
    return locations.sort((a, b) => compareIds(a.experimentId, b.experimentId))
  }

  async *experiments(options: TransferReadOptions = {}): AsyncIterable<Experiment> {
    this.#check()
    for (const location of await this.#experimentLocations()) {
      let experiment: Experiment
      try {
        experiment = await this.#reader.readExperiment(location)
      } catch (error) {
        if (!options.onUnreadable) throw error
        options.onUnreadable({
          kind: 'experiment',
          id: location.experimentId,
          location: path.join(location.dir, META_FILE),
          reason: messageOf(error),
        })
        continue
      }
      yield experiment
    }
  }

  async *runs(experimentId: string, options: TransferReadOptions = {}): AsyncIterable<TransferRun> {
    this.#check()
    const experiment = await this.#reader.requireExperiment(experimentId)
    const locations = (await this.#reader.listRunLocations(experiment)).sort((a, b) =>
      compareCodePoints(a.runId, b.runId),
    )
    for (const location of locations) {
      let run: TransferRun
      try {
        run = await this.#reader.readRun(location)
      } catch (error) {
        if (!options.onUnreadable) throw error
        options.onUnreadable({
          kind: 'run',
          id: location.runId,
          location: location.dir,
          reason: messageOf(error),
        })
        continue
      }
      yield run
    }
  }

  async *metricRows(runId: string, experimentId: string): AsyncIterable<StoredMetric[]> {
    this.#check()
    const location = await this.#reader.locateRun(runId, experimentId)
    const metricsDir = path.join(location.dir, METRICS_FOLDER)
    const keys = listKeyFiles(metricsDir).sort(compareCodePoints)
    for (const key of keys) {
      yield* this.#metricFile(location, key)
    }
  }

  /** One metric file in batches, read as a stream so a long history never sits in memory. */
  async *#metricFile(location: RunLocation, key: string): AsyncIterable<StoredMetric[]> {
    const file = this.#layout.keyFile(location.dir, METRICS_FOLDER, key)
    const experimentId = location.experiment.experimentId
    let pending = ''
    let batch: StoredMetric[] = []
    for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
      pending += chunk as string
      const end = pending.lastIndexOf('\n')
      if (end < 0) continue
      batch.push(...parseMetricLines(pending.slice(0, end + 1), key, experimentId, file))
      pending = pending.slice(end + 1)
      if (batch.length >= METRIC_BATCH) {
        yield batch
        batch = []
      }
    }
    if (pending.trim() !== '') batch.push(...parseMetricLines(pending, key, experimentId, file))
    if (batch.length > 0) yield batch
  }

  /** Every logged model folder (with a meta.yaml) of every experiment, ordered by model id. */
  async #modelLocations(): Promise<{ modelId: string; dir: string; experimentId: string }[]> {
    const found: { modelId: string; dir: string; experimentId: string }[] = []
    for (const experiment of await this.#experimentLocations()) {
      const base = path.join(experiment.dir, MODELS_FOLDER)
      for (const modelId of listFolders(base)) {
        const dir = inside(base, modelId)
        if (!exists(path.join(dir, META_FILE))) continue
        found.push({ modelId, dir, experimentId: experiment.experimentId })
      }
    }
    return found.sort((a, b) => compareCodePoints(a.modelId, b.modelId))
  }

  async *loggedModels(options: TransferReadOptions = {}): AsyncIterable<TransferLoggedModel> {
    this.#check()
    for (const location of await this.#modelLocations()) {
      let model: TransferLoggedModel
      try {
        model = await this.#readModel(location.modelId, location.dir)
      } catch (error) {
        if (!options.onUnreadable) throw error
        options.onUnreadable({
          kind: 'loggedModel',
          id: location.modelId,
          location: location.dir,
          reason: messageOf(error),
        })
        continue
      }
      yield model
    }
  }

  /** A logged model with every line of its metric files (the contract keeps the latest). */
  async #readModel(modelId: string, dir: string): Promise<TransferLoggedModel> {
    const file = path.join(dir, META_FILE)
    const record = parseLoggedModelMeta(
      await this.#reader.readMeta(file, `Logged model ${modelId}`),
      modelId,
      file,
    )
    const metrics = []
    for (const key of listKeyFiles(path.join(dir, METRICS_FOLDER)).sort(compareCodePoints)) {
      const metricFile = this.#layout.keyFile(dir, METRICS_FOLDER, key)
      const text = await this.#reader.read(metricFile)
      if (text !== null) metrics.push(...parseModelMetricLines(text, key, modelId, metricFile))
    }
    return {
      ...record,
      tags: await this.#reader.readKeyValues(dir, TAGS_FOLDER),
      params: await this.#reader.readKeyValues(dir, PARAMS_FOLDER),
      metrics: sortLoggedModelMetrics(metrics),
    }
  }

  async unsupportedContent(): Promise<Record<string, number>> {
    this.#check()
    const counts: Record<string, number> = {}
    const add = (kind: string, n: number): void => {
      if (n > 0) counts[kind] = (counts[kind] ?? 0) + n
    }
    for (const location of await this.#experimentLocations()) {
      for (const [kind, folder] of Object.entries(UNSUPPORTED_EXPERIMENT_FOLDERS)) {
        add(kind, listFolders(path.join(location.dir, folder)).length)
      }
    }
    return counts
  }

  async isEmpty(): Promise<boolean> {
    this.#check()
    const locations = await this.#reader.listExperimentLocations()
    if (locations.some((location) => location.experimentId !== DEFAULT_EXPERIMENT_ID)) {
      return false
    }
    for (const location of locations) {
      if ((await this.#reader.listRunLocations(location)).length > 0) return false
      if (listKeyFiles(path.join(location.dir, TAGS_FOLDER)).length > 0) return false
    }
    return true
  }

  async maxExperimentId(): Promise<bigint | null> {
    return null
  }

  async newExperimentId(): Promise<string> {
    for (;;) {
      let id = String(randomInt(1, 10))
      for (let i = 0; i < 17; i += 1) id += String(randomInt(0, 10))
      if ((await this.#reader.locateExperiment(id)) === null) return id
    }
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  /** The experiment's folder when it holds a meta.yaml (a folder without one is unfinished). */
  async #existingExperiment(experimentId: string): Promise<ExperimentLocation | null> {
    const location = await this.#reader.locateExperiment(experimentId)
    if (location === null || !exists(path.join(location.dir, META_FILE))) return null
    return location
  }

  async putExperiment(experiment: Experiment): Promise<PutOutcome> {
    this.#check()
    const { experimentId, name } = experiment
    const found = await this.#existingExperiment(experimentId)
    let location: ExperimentLocation
    let outcome: PutOutcome
    if (found !== null) {
      const record = await this.#reader.readExperimentRecord(found)
      if (record.name !== name) {
        throw alreadyExists(
          `Cannot copy experiment ${experimentId} '${name}': experiment ${experimentId} ` +
            `'${record.name}' already holds that id`,
        )
      }
      location = found
      outcome = 'exists'
      if (experimentId === DEFAULT_EXPERIMENT_ID && (await this.#isUntouched(found))) {
        await writeFileAtomic(path.join(found.dir, META_FILE), formatExperimentMeta(experiment))
      }
    } else {
      const others = await this.#reader.readExperimentRecords(
        await this.#reader.listExperimentLocations(),
      )
      const other = others.find((entry) => entry.record.name === name)
      if (other) {
        throw alreadyExists(
          `Cannot copy experiment ${experimentId} '${name}': experiment ` +
            `${other.record.experimentId} '${name}' already holds that name`,
        )
      }
      location = this.#layout.experiment(experimentId, experiment.lifecycleStage === 'deleted')
      outcome = 'created'
    }
    await fs.mkdir(location.dir, { recursive: true })
    for (const tag of experiment.tags) {
      const file = this.#layout.keyFile(location.dir, TAGS_FOLDER, tag.key)
      await writeFileAtomic(file, tag.value, location.dir)
    }
    if (outcome === 'created') {
      // meta.yaml last: until it exists, readers skip the folder.
      await writeFileAtomic(path.join(location.dir, META_FILE), formatExperimentMeta(experiment))
    }
    return outcome
  }

  async #isUntouched(location: ExperimentLocation): Promise<boolean> {
    if ((await this.#reader.listRunLocations(location)).length > 0) return false
    return listKeyFiles(path.join(location.dir, TAGS_FOLDER)).length === 0
  }

  async putRun(run: RunImport): Promise<PutOutcome> {
    this.#check()
    const { info } = run
    const experiment = await this.#existingExperiment(info.experimentId)
    if (experiment === null) {
      throw notFound(
        `Cannot copy run ${info.runId}: experiment ${info.experimentId} does not exist`,
      )
    }
    const target = this.#layout.run(experiment, info.runId)
    if (exists(path.join(target.dir, META_FILE))) return 'exists'
    await this.#assertRunIdFree(info.runId, info.experimentId)

    const temporary = inside(experiment.dir, `${TEMPORARY_RUN_PREFIX}${info.runId}`)
    await fs.rm(temporary, { recursive: true, force: true })
    try {
      await this.#buildRun(temporary, experiment, run)
      // A folder without meta.yaml at the target holds only artifacts copied there first.
      if (isFolder(target.dir)) await this.#adoptArtifacts(target.dir, temporary)
      await fs.rename(temporary, target.dir)
    } catch (error) {
      await fs.rm(temporary, { recursive: true, force: true })
      throw error
    }
    return 'created'
  }

  async #assertRunIdFree(runId: string, experimentId: string): Promise<void> {
    let elsewhere: RunLocation
    try {
      elsewhere = await this.#reader.locateRun(runId)
    } catch (error) {
      if (isTrackstoreError(error, 'RESOURCE_DOES_NOT_EXIST')) return
      throw error
    }
    if (elsewhere.experiment.experimentId === experimentId) return
    if (!exists(path.join(elsewhere.dir, META_FILE))) return
    throw alreadyExists(
      `Cannot copy run ${runId} into experiment ${experimentId}: a run with that id already ` +
        `exists in experiment ${elsewhere.experiment.experimentId}`,
    )
  }

  async #buildRun(dir: string, experiment: ExperimentLocation, run: RunImport): Promise<void> {
    const { info } = run
    for (const folder of [METRICS_FOLDER, PARAMS_FOLDER, TAGS_FOLDER, ARTIFACTS_FOLDER]) {
      await fs.mkdir(path.join(dir, folder), { recursive: true })
    }
    for (const [folder, entries] of [
      [PARAMS_FOLDER, run.params],
      [TAGS_FOLDER, run.tags],
    ] as const) {
      for (const entry of entries) {
        const file = this.#layout.keyFile(dir, folder, entry.key)
        await fs.mkdir(path.dirname(file), { recursive: true })
        await fs.writeFile(file, entry.value, 'utf8')
      }
    }
    for (const input of run.datasetInputs) {
      const datasetId = datasetFolderId(input.dataset.name, input.dataset.digest)
      await writeFileOnce(
        inside(experiment.dir, DATASETS_FOLDER, datasetId, META_FILE),
        formatDatasetMeta(input.dataset),
        experiment.dir,
      )
      const file = inside(dir, INPUTS_FOLDER, inputFolderId(datasetId, info.runId), META_FILE)
      await fs.mkdir(path.dirname(file), { recursive: true })
      const tags = Object.fromEntries(input.tags.map((tag) => [tag.key, tag.value]))
      await fs.writeFile(file, formatInputMeta(datasetId, tags), 'utf8')
    }
    for (const { modelId } of run.modelInputs ?? []) {
      const folder = modelInputFolderId(modelId, info.runId)
      const file = inside(dir, INPUTS_FOLDER, folder, META_FILE)
      await fs.mkdir(path.dirname(file), { recursive: true })
      await fs.writeFile(file, formatModelInputMeta(modelId), 'utf8')
    }
    for (const { modelId, step } of run.modelOutputs ?? []) {
      const file = inside(dir, OUTPUTS_FOLDER, modelId, META_FILE)
      await fs.mkdir(path.dirname(file), { recursive: true })
      await fs.writeFile(file, formatModelOutputMeta(modelId, step), 'utf8')
    }
    for await (const batch of run.metrics) {
      const lines = new Map<string, string[]>()
      for (const metric of batch) {
        const list = lines.get(metric.key)
        const line = formatMetricLine(metric)
        if (list) list.push(line)
        else lines.set(metric.key, [line])
      }
      for (const [key, keyLines] of lines) {
        await appendLines(this.#layout.keyFile(dir, METRICS_FOLDER, key), keyLines.join(''))
      }
    }
    // meta.yaml last, with `deleted_time` as MLflow writes it when it creates a run.
    await fs.writeFile(path.join(dir, META_FILE), formatRunMeta(info, true), 'utf8')
  }

  /** Moves artifacts already copied to the run's final folder into the folder being built. */
  async #adoptArtifacts(finalDir: string, temporary: string): Promise<void> {
    const artifacts = path.join(finalDir, ARTIFACTS_FOLDER)
    if (isFolder(artifacts)) {
      await fs.rm(path.join(temporary, ARTIFACTS_FOLDER), { recursive: true, force: true })
      await fs.rename(artifacts, path.join(temporary, ARTIFACTS_FOLDER))
    }
    await fs.rm(finalDir, { recursive: true, force: true })
  }

  async putLoggedModel(model: TransferLoggedModel): Promise<PutOutcome> {
    this.#check()
    const experiment = await this.#existingExperiment(model.experimentId)
    if (experiment === null) {
      throw notFound(
        `Cannot copy logged model ${model.modelId}: experiment ${model.experimentId} ` +
          'does not exist',
      )
    }
    const target = inside(experiment.dir, MODELS_FOLDER, model.modelId)
    if (exists(path.join(target, META_FILE))) return 'exists'
    const elsewhere = (await this.#modelLocations()).find((m) => m.modelId === model.modelId)
    if (elsewhere !== undefined) {
      throw alreadyExists(
        `Cannot copy logged model ${model.modelId} into experiment ${model.experimentId}: a ` +
          `logged model with that id exists in experiment ${elsewhere.experimentId}`,
      )
    }
    const temporary = inside(experiment.dir, `${TEMPORARY_MODEL_PREFIX}${model.modelId}`)
    await fs.rm(temporary, { recursive: true, force: true })
    try {
      await this.#buildModel(temporary, model)
      if (isFolder(target)) await this.#adoptArtifacts(target, temporary)
      await fs.mkdir(path.dirname(target), { recursive: true })
      await fs.rename(temporary, target)
    } catch (error) {
      await fs.rm(temporary, { recursive: true, force: true })
      throw error
    }
    return 'created'
  }

  async #buildModel(dir: string, model: TransferLoggedModel): Promise<void> {
    await fs.mkdir(path.join(dir, ARTIFACTS_FOLDER), { recursive: true })
    for (const [folder, entries] of [
      [PARAMS_FOLDER, model.params],
      [TAGS_FOLDER, model.tags],
    ] as const) {
      for (const entry of entries) {
        const file = this.#layout.keyFile(dir, folder, entry.key)
        await fs.mkdir(path.dirname(file), { recursive: true })
        await fs.writeFile(file, entry.value, 'utf8')
      }
    }
    const lines = new Map<string, string>()
    for (const metric of model.metrics) {
      lines.set(
        metric.key,
        (lines.get(metric.key) ?? '') + formatModelMetricLine(metric, metric.runId),
      )
    }
    for (const [key, text] of lines) {
      await appendLines(this.#layout.keyFile(dir, METRICS_FOLDER, key), text)
    }
    // MLflow writes lifecycle_stage on create and delete and drops it on finalize.
    const withStage = model.lifecycleStage === 'deleted' || model.status === 'PENDING'
    await fs.writeFile(path.join(dir, META_FILE), formatLoggedModelMeta(model, withStage), 'utf8')
  }

  async runIds(experimentId: string): Promise<Set<string>> {
    this.#check()
    const experiment = await this.#reader.locateExperiment(experimentId)
    if (experiment === null) return new Set()
    const locations = await this.#reader.listRunLocations(experiment)
    return new Set(
      locations
        .filter((location) => exists(path.join(location.dir, META_FILE)))
        .map((location) => location.runId),
    )
  }

  async readMarker(): Promise<TransferMarker | null> {
    const file = path.join(this.#layout.root, MARKER_FILE)
    let text: string | null
    try {
      text = readText(file)
    } catch (error) {
      if (isMissing(error)) return null
      throw error
    }
    return text === null ? null : (JSON.parse(text) as TransferMarker)
  }

  async writeMarker(marker: TransferMarker): Promise<void> {
    this.#check()
    const file = path.join(this.#layout.root, MARKER_FILE)
    await writeFileAtomic(file, `${JSON.stringify(marker, null, 2)}\n`, this.#layout.root)
  }
}
