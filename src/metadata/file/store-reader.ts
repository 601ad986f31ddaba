/**
 * Reading the `mlruns` folder: experiments, run infos, and run data either whole or only the
 * keys a search needs. Every read goes to disk (no cache another process could make stale) and
 * through one bounded pool of file reads per store.
 */
import path from 'node:path'
import { invalidState, isTrackstoreError, notFound } from '../../core/errors.js'
import type { Logger } from '../../core/logger.js'
import type {
  DatasetInput,
  Experiment,
  ModelInput,
  ModelOutput,
  Param,
  Run,
  RunInfo,
  RunTag,
  StoredMetric,
} from '../metadata-store.js'
import { sortByKey } from '../validation.js'
import { compareCodePoints } from '../search/index.js'
import { exists, isFolder, listFolders, listKeyFiles, readText } from './fs-io.js'
import type { ReadScheduler } from './fs-io.js'
import {
  DATASETS_FOLDER,
  DEFAULT_EXPERIMENT_ID,
  INPUTS_FOLDER,
  META_FILE,
  METRICS_FOLDER,
  PARAMS_FOLDER,
  RESERVED_EXPERIMENT_FOLDERS,
  RESERVED_ROOT_FOLDERS,
  TAGS_FOLDER,
  inside,
} from './layout.js'
import type { ExperimentLocation, RunLocation, StoreLayout } from './layout.js'
import { latestMetricInText, parseMetricLines } from './metric-lines.js'
import {
  corrupt,
  parseDatasetMeta,
  parseExperimentMeta,
  parseInputMeta,
  parseRunMeta,
} from './records.js'
import type { ExperimentRecord } from './records.js'
import { parseModelOutputMeta } from './model-records.js'

/** Sub-folder of a run holding its model outputs. */
export const OUTPUTS_FOLDER = 'outputs'

export const RUN_NAME_TAG = 'mlflow.runName'
const FILE_EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/
const RUN_FOLDER = /^[a-zA-Z0-9][\w-]{0,255}$/

/** Which parts of a run a search needs to filter and order it. */
export interface RunNeeds {
  metrics: Set<string>
  params: Set<string>
  tags: Set<string>
  datasets: boolean
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class StoreReader {
  constructor(
    readonly layout: StoreLayout,
    private readonly limiter: ReadScheduler,
    private readonly logger: Logger,
  ) {}

  read(file: string): Promise<string | null> {
    return this.limiter.run(() => readText(file))
  }

  /**
   * Reads a meta.yaml. An empty file is read twice more, 0.1 s and 0.2 s apart, as MLflow does
   * (another writer may be between truncating and writing it).
   * @throws INVALID_STATE naming the file when it is missing or stays empty.
   */
  async readMeta(file: string, what: string): Promise<string> {
    let text = await this.read(file)
    for (const delay of [100, 200]) {
      if (text === null || text.trim() !== '') break
      await sleep(delay)
      text = await this.read(file)
    }
    if (text === null) throw invalidState(`${what} has no ${META_FILE}: ${file} does not exist`)
    if (text.trim() === '')
      throw invalidState(`${what} is invalid with empty ${META_FILE}: ${file}`)
    return text
  }

  // -------------------------------------------------------------------------------------------
  // Experiments

  /** The folder of an experiment, active first then in `.trash`; null when neither exists. */
  async locateExperiment(experimentId: string): Promise<ExperimentLocation | null> {
    for (const trashed of [false, true]) {
      const location = this.layout.experiment(experimentId, trashed)
      if (await this.limiter.run(() => isFolder(location.dir))) return location
    }
    return null
  }

  async requireExperiment(experimentId: string): Promise<ExperimentLocation> {
    const location = await this.locateExperiment(experimentId)
    if (location === null) throw notFound(`Experiment '${experimentId}' does not exist.`)
    return location
  }

  /** Experiment folders, active ones from the root and deleted ones from `.trash`. */
  async listExperimentLocations(
    which: { active: boolean; deleted: boolean } = { active: true, deleted: true },
  ): Promise<ExperimentLocation[]> {
    const result: ExperimentLocation[] = []
    for (const trashed of [false, true]) {
      if (trashed ? !which.deleted : !which.active) continue
      const base = trashed ? this.layout.trashDir : this.layout.root
      for (const name of await this.limiter.run(() => listFolders(base))) {
        if (!trashed && RESERVED_ROOT_FOLDERS.has(name)) continue
        if (!FILE_EXPERIMENT_ID.test(name)) {
          this.logger.debug('Skipping a folder that is not an experiment', { folder: name })
          continue
        }
        result.push(this.layout.experiment(name, trashed))
      }
    }
    return result
  }

  async readExperimentRecord(location: ExperimentLocation): Promise<ExperimentRecord> {
    const file = path.join(location.dir, META_FILE)
    const text = await this.readMeta(file, `Experiment ${location.experimentId}`)
    return parseExperimentMeta(text, location.experimentId, file)
  }

  /** Every tag file of a folder (`tags/` of an experiment or run), sorted by key. */
  async readKeyValues(dir: string, folder: string): Promise<{ key: string; value: string }[]> {
    const base = path.join(dir, folder)
    const keys = await this.limiter.run(() => listKeyFiles(base))
    const entries = await Promise.all(
      keys.map(async (key) => ({ key, value: (await this.read(inside(base, key))) ?? '' })),
    )
    return sortByKey(entries)
  }

  async readExperiment(location: ExperimentLocation): Promise<Experiment> {
    const [record, tags] = await Promise.all([
      this.readExperimentRecord(location),
      this.readKeyValues(location.dir, TAGS_FOLDER),
    ])
    return { ...record, tags }
  }

  /**
   * Reads experiments for listing: a malformed one is skipped with a warning naming its file
   * (MLflow skips it too), never fatal.
   */
  async readExperimentRecords(
    locations: ExperimentLocation[],
  ): Promise<{ location: ExperimentLocation; record: ExperimentRecord }[]> {
    const records = await Promise.all(
      locations.map(async (location) => {
        try {
          return { location, record: await this.readExperimentRecord(location) }
        } catch (error) {
          this.warnSkipped('experiment', location.dir, error)
          return null
        }
      }),
    )
    return records.filter((entry) => entry !== null)
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  /** Run folders of an experiment (reserved folders such as `tags` and `datasets` excluded). */
  async listRunLocations(experiment: ExperimentLocation): Promise<RunLocation[]> {
    const names = await this.limiter.run(() => listFolders(experiment.dir))
    return names
      .filter((name) => !RESERVED_EXPERIMENT_FOLDERS.has(name) && RUN_FOLDER.test(name))
      .map((name) => this.layout.run(experiment, name))
  }

  /**
   * Finds a run folder. `hint` (an experiment id the run was last seen in) is tried first and
   * verified on disk; otherwise each experiment folder, active and deleted, is probed for a
   * child of that name with one `stat` each (no folder is listed beyond the two roots).
   */
  async locateRun(runId: string, hint?: string): Promise<RunLocation> {
    if (hint !== undefined) {
      for (const trashed of [false, true]) {
        const location = this.layout.run(this.layout.experiment(hint, trashed), runId)
        if (await this.limiter.run(() => isFolder(location.dir))) return location
      }
    }
    const experiments = await this.listExperimentLocations()
    const found = await Promise.all(
      experiments.map(async (experiment) => {
        const location = this.layout.run(experiment, runId)
        return (await this.limiter.run(() => isFolder(location.dir))) ? location : null
      }),
    )
    const location = found.find((entry) => entry !== null)
    if (!location) throw notFound(`Run '${runId}' not found`)
    return location
  }

  /** Reads a run's info; the name comes from the `mlflow.runName` tag when meta.yaml has none. */
  async readRunInfo(location: RunLocation): Promise<RunInfo> {
    const file = path.join(location.dir, META_FILE)
    const text = await this.readMeta(file, `Run ${location.runId}`)
    const record = parseRunMeta(text, location.experiment.experimentId, location.runId, file)
    let runName = record.runName
    if (runName === null) {
      runName =
        (await this.read(this.layout.keyFile(location.dir, TAGS_FOLDER, RUN_NAME_TAG))) ?? ''
    }
    return { ...record, runName }
  }

  /** Metric history in file order; an empty list when the key was never logged. */
  async readMetricHistory(location: RunLocation, key: string): Promise<StoredMetric[]> {
    const file = this.layout.keyFile(location.dir, METRICS_FOLDER, key)
    const text = await this.read(file)
    if (text === null) return []
    return parseMetricLines(text, key, location.experiment.experimentId, file)
  }

  private async readLatest(location: RunLocation, key: string): Promise<StoredMetric | undefined> {
    const file = this.layout.keyFile(location.dir, METRICS_FOLDER, key)
    const text = await this.read(file)
    if (text === null) return undefined
    return latestMetricInText(text, key, location.experiment.experimentId, file)
  }

  async readAllLatestMetrics(location: RunLocation): Promise<StoredMetric[]> {
    const keys = await this.limiter.run(() => listKeyFiles(path.join(location.dir, METRICS_FOLDER)))
    const metrics = await Promise.all(keys.map((key) => this.readLatest(location, key)))
    return sortByKey(metrics.filter((metric) => metric !== undefined))
  }

  /** The dataset inputs of a run, with dataset contents from the experiment's `datasets/`. */
  async readInputs(location: RunLocation): Promise<DatasetInput[]> {
    const inputsDir = path.join(location.dir, INPUTS_FOLDER)
    const ids = await this.limiter.run(() => listFolders(inputsDir))
    const inputs = await Promise.all(
      ids.map(async (id): Promise<DatasetInput | null> => {
        const file = inside(inputsDir, id, META_FILE)
        const text = await this.read(file)
        if (text === null) return null
        const input = parseInputMeta(text, file)
        if (input.sourceType !== 'DATASET') return null
        const datasetFile = inside(
          location.experiment.dir,
          DATASETS_FOLDER,
          input.sourceId,
          META_FILE,
        )
        const datasetText = await this.read(datasetFile)
        if (datasetText === null) {
          throw corrupt(file, `the dataset ${input.sourceId} it names has no ${datasetFile}`)
        }
        const tags = Object.entries(input.tags).map(([key, value]) => ({ key, value }))
        return { dataset: parseDatasetMeta(datasetText, datasetFile), tags: sortByKey(tags) }
      }),
    )
    return inputs
      .filter((input) => input !== null)
      .sort(
        (a, b) =>
          compareCodePoints(a.dataset.name, b.dataset.name) ||
          compareCodePoints(a.dataset.digest, b.dataset.digest),
      )
  }

  /** Model inputs (`inputs/*` of source_type MODEL) and outputs of a run, by model id. */
  async readModelEdges(
    location: RunLocation,
  ): Promise<{ modelInputs: ModelInput[]; modelOutputs: Required<ModelOutput>[] }> {
    const inputsDir = path.join(location.dir, INPUTS_FOLDER)
    const outputsDir = path.join(location.dir, OUTPUTS_FOLDER)
    const [inputIds, outputIds] = await Promise.all([
      this.limiter.run(() => listFolders(inputsDir)),
      this.limiter.run(() => listFolders(outputsDir)),
    ])
    const inputs = await Promise.all(
      inputIds.map(async (id) => {
        const file = inside(inputsDir, id, META_FILE)
        const text = await this.read(file)
        if (text === null) return null
        const input = parseInputMeta(text, file)
        return input.sourceType === 'MODEL' ? { modelId: input.sourceId } : null
      }),
    )
    const outputs = await Promise.all(
      outputIds.map(async (id) => {
        const file = inside(outputsDir, id, META_FILE)
        const text = await this.read(file)
        return text === null ? null : parseModelOutputMeta(text, file)
      }),
    )
    const byId = (a: { modelId: string }, b: { modelId: string }) =>
      compareCodePoints(a.modelId, b.modelId)
    return {
      modelInputs: inputs.filter((input) => input !== null).sort(byId),
      modelOutputs: outputs.filter((output) => output !== null).sort(byId),
    }
  }

  /** The whole run: info, latest metrics, params, tags, inputs and outputs. */
  async readRun(location: RunLocation, info?: RunInfo): Promise<Run> {
    const [runInfo, metrics, params, tags, datasetInputs, edges] = await Promise.all([
      info ?? this.readRunInfo(location),
      this.readAllLatestMetrics(location),
      this.readKeyValues(location.dir, PARAMS_FOLDER),
      this.readKeyValues(location.dir, TAGS_FOLDER),
      this.readInputs(location),
      this.readModelEdges(location),
    ])
    return {
      info: runInfo,
      data: { metrics, params: params as Param[], tags: tags as RunTag[] },
      inputs: { datasetInputs, modelInputs: edges.modelInputs },
      outputs: { modelOutputs: edges.modelOutputs },
    }
  }

  /**
   * A run holding only what `needs` names: enough to filter and order it, read from the few
   * files involved. Keys that cannot name a file (invalid keys in a filter) are simply absent.
   */
  async readRunPart(location: RunLocation, info: RunInfo, needs: RunNeeds): Promise<Run> {
    const optionalFile = (folder: string, key: string): string | null => {
      try {
        return this.layout.keyFile(location.dir, folder, key)
      } catch (error) {
        if (isTrackstoreError(error, 'INVALID_PARAMETER_VALUE')) return null
        throw error
      }
    }
    const values = async (folder: string, keys: Set<string>) => {
      const entries = await Promise.all(
        [...keys].map(async (key) => {
          const file = optionalFile(folder, key)
          const value = file === null ? null : await this.read(file)
          return value === null ? null : { key, value }
        }),
      )
      return entries.filter((entry) => entry !== null)
    }
    const [metrics, params, tags, datasetInputs] = await Promise.all([
      Promise.all(
        [...needs.metrics].map((key) =>
          optionalFile(METRICS_FOLDER, key) === null ? undefined : this.readLatest(location, key),
        ),
      ),
      values(PARAMS_FOLDER, needs.params),
      values(TAGS_FOLDER, needs.tags),
      needs.datasets ? this.readInputs(location) : [],
    ])
    return {
      info,
      data: { metrics: metrics.filter((metric) => metric !== undefined), params, tags },
      inputs: { datasetInputs, modelInputs: [] },
      outputs: { modelOutputs: [] },
    }
  }

  warnSkipped(what: string, dir: string, error: unknown): void {
    this.logger.warn(`Skipping a malformed ${what}: ${(error as Error).message}`, {
      folder: dir,
      ...(isTrackstoreError(error) ? { code: error.code } : {}),
    })
  }

  /** Whether the store folder already has the Default experiment (active or deleted). */
  async hasDefaultExperiment(): Promise<boolean> {
    return (await this.locateExperiment(DEFAULT_EXPERIMENT_ID)) !== null
  }

  async fileExists(file: string): Promise<boolean> {
    return this.limiter.run(() => exists(file))
  }
}
