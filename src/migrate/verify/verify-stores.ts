/**
 * Run-by-run comparison of two stores of any backends: experiments, run metadata, params, tags,
 * dataset inputs, model inputs and outputs, latest values, every metric row, then logged models
 * (fields, params, tags, every metric row) and the model registry (registered models with tags
 * and aliases, every version with its tags) and, on request, every artifact by size and sha256.
 * It reads both stores in id (or name) order and holds one run, model or registered model at a
 * time.
 */
import { createHash } from 'node:crypto'
import { openArtifactStore } from '../../artifacts/open-artifact-store.js'
import type { ArtifactStore } from '../../artifacts/artifact-store.js'
import { silentLogger, type Logger } from '../../core/logger.js'
import type {
  DatasetInput,
  Experiment,
  KeyValue,
  StoreCapabilities,
  StoredMetric,
} from '../../metadata/metadata-store.js'
import { compareCodePoints } from '../../metadata/search/index.js'
import type { StoreTransfer, TransferLoggedModel, TransferRun } from '../../metadata/transfer.js'
import type {
  RegistryTransfer,
  TransferModelVersion,
  TransferRegisteredModel,
} from '../../registry/registry-transfer.js'
import {
  combine,
  loggedModelRowText,
  lossinessOf,
  normalizeValue,
  rowText,
  tally,
  valueText,
  type Lossiness,
  type Tolerated,
} from './tolerance.js'

/** One side of a comparison. */
export interface VerifySide {
  /** How the side is named in differences (a redacted URI). */
  label: string
  capabilities: StoreCapabilities
  transfer: Pick<
    StoreTransfer,
    'experiments' | 'runs' | 'metricRows' | 'loggedModels' | 'keepsMetricDatasets'
  >
  /** The side's model registry; the registry is compared when both sides have one. */
  registry?: Pick<RegistryTransfer, 'registeredModels' | 'persistsModelVersionModelId'>
}

export interface VerifyOptions {
  /** Compare artifacts file by file (path, size, sha256). Default false. */
  artifacts?: boolean
  /**
   * Compare experiment artifact locations and run artifact URIs. Default true; turn it off for
   * a copy made with `artifactsTo` or `remap`, which rewrites them.
   */
  compareLocations?: boolean
  /** Source experiment id (side a) → id on side b, for a copy made with `remap`. */
  experimentIdMap?: Record<string, string>
  /** Stores the data passed through between a and b (A → B → A: pass B). */
  via?: readonly Lossiness[]
  /** Differences kept in the report; all are counted. Default 1000. */
  maxDifferences?: number
  openArtifacts?: (uri: string) => ArtifactStore
  onProgress?: (progress: VerifyProgress) => void
  logger?: Logger
}

export interface VerifyProgress {
  experiments: number
  runs: number
  metricRows: number
}

export interface Difference {
  /** The experiment of a run or a logged model; absent for the registry. */
  experimentId?: string
  runId?: string
  loggedModelId?: string
  registeredModel?: string
  /** The model version of `registeredModel`. */
  version?: string
  /**
   * What differs: `name`, `run`, `param lr`, `metric loss rows`, `artifact a/b.txt`,
   * `logged model`, `model input m-…`, `registered model`, `version`, `alias champion` …
   */
  what: string
  a: string
  b: string
}

export interface VerifyReport {
  a: string
  b: string
  equal: boolean
  experiments: number
  runs: number
  metricRows: { a: number; b: number }
  loggedModels: number
  loggedModelMetricRows: { a: number; b: number }
  /** Null when a side has no registry to compare. */
  registry: { registeredModels: number; modelVersions: number } | null
  artifacts: { files: number; bytes: number } | null
  differenceCount: number
  differences: Difference[]
  /** Documented differences found and forgiven, by kind. */
  tolerated: Tolerated
}

const MISSING = '(missing)'
const show = (value: unknown): string =>
  value === undefined ? MISSING : typeof value === 'string' ? value : JSON.stringify(value)

/** Compares two stores; `equal` is false on any difference verify does not forgive. */
export async function verifyStores(
  a: VerifySide,
  b: VerifySide,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  return new Verification(a, b, options).run()
}

class Verification {
  readonly #a: VerifySide
  readonly #b: VerifySide
  readonly #options: VerifyOptions
  readonly #loss: Lossiness
  readonly #logger: Logger
  readonly #report: VerifyReport
  readonly #max: number

  constructor(a: VerifySide, b: VerifySide, options: VerifyOptions) {
    this.#a = a
    this.#b = b
    this.#options = options
    this.#logger = options.logger ?? silentLogger
    this.#max = options.maxDifferences ?? 1000
    this.#loss = combine([
      lossinessOf(a.capabilities, a.transfer, a.registry),
      lossinessOf(b.capabilities, b.transfer, b.registry),
      ...(options.via ?? []),
    ])
    this.#report = {
      a: a.label,
      b: b.label,
      equal: true,
      experiments: 0,
      runs: 0,
      metricRows: { a: 0, b: 0 },
      loggedModels: 0,
      loggedModelMetricRows: { a: 0, b: 0 },
      registry: a.registry && b.registry ? { registeredModels: 0, modelVersions: 0 } : null,
      artifacts: options.artifacts ? { files: 0, bytes: 0 } : null,
      differenceCount: 0,
      differences: [],
      tolerated: {},
    }
  }

  #differ(difference: Difference): void {
    this.#report.equal = false
    this.#report.differenceCount += 1
    if (this.#report.differences.length < this.#max) this.#report.differences.push(difference)
  }

  #compare(experimentId: string, runId: string | undefined, what: string, x: unknown, y: unknown) {
    const left = show(x)
    const right = show(y)
    if (left !== right) {
      this.#differ({ experimentId, ...(runId ? { runId } : {}), what, a: left, b: right })
    }
  }

  #progress(): void {
    this.#options.onProgress?.({
      experiments: this.#report.experiments,
      runs: this.#report.runs,
      metricRows: this.#report.metricRows.a,
    })
  }

  #mapped(experimentId: string): string {
    return this.#options.experimentIdMap?.[experimentId] ?? experimentId
  }

  async run(): Promise<VerifyReport> {
    const left = await collect(this.#a.transfer.experiments())
    const right = new Map<string, Experiment>()
    for (const experiment of await collect(this.#b.transfer.experiments())) {
      right.set(experiment.experimentId, experiment)
    }
    for (const experiment of left) {
      const otherId = this.#mapped(experiment.experimentId)
      const other = right.get(otherId)
      right.delete(otherId)
      if (other === undefined) {
        this.#differ({
          experimentId: experiment.experimentId,
          what: 'experiment',
          a: experiment.name,
          b: MISSING,
        })
        continue
      }
      this.#compareExperiment(experiment, other)
      await this.#compareRuns(experiment, other)
      this.#report.experiments += 1
      this.#progress()
    }
    for (const [id, experiment] of right) {
      this.#differ({ experimentId: id, what: 'experiment', a: MISSING, b: experiment.name })
    }
    await this.#compareLoggedModels()
    if (this.#a.registry && this.#b.registry) {
      await this.#compareRegistry(this.#a.registry, this.#b.registry)
    }
    this.#logger.info('Verification finished', { differences: this.#report.differenceCount })
    return this.#report
  }

  #compareExperiment(x: Experiment, y: Experiment): void {
    const id = x.experimentId
    this.#compare(id, undefined, 'name', x.name, y.name)
    this.#compare(id, undefined, 'lifecycle_stage', x.lifecycleStage, y.lifecycleStage)
    this.#compare(id, undefined, 'creation_time', x.creationTime, y.creationTime)
    this.#compare(id, undefined, 'last_update_time', x.lastUpdateTime, y.lastUpdateTime)
    if (this.#options.compareLocations ?? true) {
      this.#compare(id, undefined, 'artifact_location', x.artifactLocation, y.artifactLocation)
    }
    this.#compareKeyValues(id, undefined, 'experiment tag', x.tags, y.tags)
  }

  #compareKeyValues(
    experimentId: string,
    runId: string | undefined,
    what: string,
    x: readonly KeyValue[],
    y: readonly KeyValue[],
  ): void {
    const right = new Map(y.map((entry) => [entry.key, entry.value]))
    for (const { key, value } of x) {
      this.#compare(experimentId, runId, `${what} ${key}`, value, right.get(key))
      right.delete(key)
    }
    for (const [key, value] of right) {
      this.#compare(experimentId, runId, `${what} ${key}`, undefined, value)
    }
  }

  async #compareRuns(x: Experiment, y: Experiment): Promise<void> {
    const id = x.experimentId
    const left = this.#a.transfer.runs(x.experimentId)[Symbol.asyncIterator]()
    const right = this.#b.transfer.runs(y.experimentId)[Symbol.asyncIterator]()
    let l = await left.next()
    let r = await right.next()
    while (!l.done || !r.done) {
      const order = l.done
        ? 1
        : r.done
          ? -1
          : compareCodePoints(l.value.info.runId, r.value.info.runId)
      if (order < 0) {
        this.#differ({
          experimentId: id,
          runId: l.value!.info.runId,
          what: 'run',
          a: 'present',
          b: MISSING,
        })
        l = await left.next()
      } else if (order > 0) {
        this.#differ({
          experimentId: id,
          runId: r.value!.info.runId,
          what: 'run',
          a: MISSING,
          b: 'present',
        })
        r = await right.next()
      } else {
        await this.#compareRun(x, y, l.value!, r.value!)
        this.#report.runs += 1
        this.#progress()
        ;[l, r] = await Promise.all([left.next(), right.next()])
      }
    }
  }

  async #compareRun(ex: Experiment, ey: Experiment, x: TransferRun, y: TransferRun): Promise<void> {
    const id = ex.experimentId
    const runId = x.info.runId
    const check = (what: string, p: unknown, q: unknown): void =>
      this.#compare(id, runId, what, p, q)
    check('run_name', x.info.runName, y.info.runName)
    check('user_id', x.info.userId, y.info.userId)
    check('status', x.info.status, y.info.status)
    check('start_time', x.info.startTime, y.info.startTime)
    check('end_time', x.info.endTime, y.info.endTime)
    check('lifecycle_stage', x.info.lifecycleStage, y.info.lifecycleStage)
    check('deleted_time', x.info.deletedTime, y.info.deletedTime)
    if (this.#options.compareLocations ?? true) {
      check('artifact_uri', x.info.artifactUri, y.info.artifactUri)
    }
    this.#compareKeyValues(id, runId, 'param', x.data.params, y.data.params)
    this.#compareKeyValues(id, runId, 'tag', x.data.tags, y.data.tags)
    this.#compareInputs(id, runId, x.inputs.datasetInputs, y.inputs.datasetInputs)
    const inputs = (run: TransferRun) => (run.inputs.modelInputs ?? []).map((m) => m.modelId)
    const outputs = (run: TransferRun) =>
      (run.outputs?.modelOutputs ?? []).map((m) => ({ key: m.modelId, value: String(m.step) }))
    const present = (ids: string[]) => ids.map((key) => ({ key, value: 'present' }))
    this.#compareKeyValues(id, runId, 'model input', present(inputs(x)), present(inputs(y)))
    this.#compareKeyValues(id, runId, 'model output step', outputs(x), outputs(y))
    this.#compareLatest(id, runId, x.data.metrics, y.data.metrics)
    await this.#compareRows(id, runId, ex.experimentId, ey.experimentId)
    if (this.#options.artifacts) {
      const deleted = ex.lifecycleStage === 'deleted' || ey.lifecycleStage === 'deleted'
      await this.#compareArtifacts(id, runId, x.info.artifactUri, y.info.artifactUri, deleted)
    }
  }

  #compareInputs(
    experimentId: string,
    runId: string,
    x: readonly DatasetInput[],
    y: readonly DatasetInput[],
  ): void {
    const keyOf = (input: DatasetInput): string => `${input.dataset.name}@${input.dataset.digest}`
    const describe = (input: DatasetInput) => ({
      sourceType: input.dataset.sourceType,
      source: input.dataset.source,
      schema: input.dataset.schema ?? null,
      profile: input.dataset.profile ?? null,
      tags: [...input.tags].sort((p, q) => compareCodePoints(p.key, q.key)),
    })
    const right = new Map(y.map((input) => [keyOf(input), input]))
    for (const input of x) {
      const other = right.get(keyOf(input))
      right.delete(keyOf(input))
      this.#compare(
        experimentId,
        runId,
        `dataset input ${keyOf(input)}`,
        describe(input),
        other === undefined ? undefined : describe(other),
      )
    }
    for (const [key, input] of right) {
      this.#compare(experimentId, runId, `dataset input ${key}`, undefined, describe(input))
    }
  }

  #compareLatest(
    experimentId: string,
    runId: string,
    x: readonly StoredMetric[],
    y: readonly StoredMetric[],
  ): void {
    const text = (metric: StoredMetric | undefined): string | undefined => {
      if (metric === undefined) return undefined
      const value = valueText(normalizeValue(metric.value, this.#loss))
      return `${metric.step} ${metric.timestamp} ${value}`
    }
    const right = new Map(y.map((metric) => [metric.key, metric]))
    for (const metric of x) {
      this.#compare(
        experimentId,
        runId,
        `latest ${metric.key}`,
        text(metric),
        text(right.get(metric.key)),
      )
      right.delete(metric.key)
    }
    for (const [key, metric] of right) {
      this.#compare(experimentId, runId, `latest ${key}`, undefined, text(metric))
    }
  }

  /** Every metric row of the run, compared per key as multisets of normalised rows. */
  async #compareRows(experimentId: string, runId: string, xId: string, yId: string): Promise<void> {
    const tolerated = this.#report.tolerated
    const read = async (side: VerifySide, sideExperiment: string) => {
      const byKey = new Map<string, Map<string, number>>()
      let rows = 0
      for await (const batch of side.transfer.metricRows(runId, sideExperiment)) {
        for (const metric of batch) {
          rows += 1
          let counts = byKey.get(metric.key)
          if (!counts) byKey.set(metric.key, (counts = new Map()))
          const text = rowText(metric, this.#loss, tolerated)
          counts.set(text, (counts.get(text) ?? 0) + 1)
        }
      }
      return { byKey, rows }
    }
    const left = await read(this.#a, xId)
    const right = await read(this.#b, yId)
    this.#report.metricRows.a += left.rows
    this.#report.metricRows.b += right.rows
    const keys = new Set([...left.byKey.keys(), ...right.byKey.keys()])
    for (const key of [...keys].sort(compareCodePoints)) {
      const p = left.byKey.get(key) ?? new Map<string, number>()
      const q = right.byKey.get(key) ?? new Map<string, number>()
      if (this.#loss.collapsesDuplicateRows) {
        for (const counts of [p, q]) {
          for (const [text, n] of counts) {
            if (n > 1) {
              tally(tolerated, 'duplicateRows', n - 1)
              counts.set(text, 1)
            }
          }
        }
      }
      const onlyA: string[] = []
      const onlyB: string[] = []
      for (const [text, n] of p) {
        const m = q.get(text) ?? 0
        for (let i = m; i < n; i += 1) onlyA.push(text)
      }
      for (const [text, n] of q) {
        const m = p.get(text) ?? 0
        for (let i = m; i < n; i += 1) onlyB.push(text)
      }
      if (onlyA.length > 0 || onlyB.length > 0) {
        const sample = (rows: string[]): string =>
          rows.length === 0
            ? '(none)'
            : `${rows.length} row(s) as step timestamp value: ${rows.slice(0, 3).join('; ')}` +
              (rows.length > 3 ? ' …' : '')
        this.#differ({
          experimentId,
          runId,
          what: `metric ${key} rows`,
          a: sample(onlyA),
          b: sample(onlyB),
        })
      }
    }
  }

  /** Logged models of both sides, merged by model id, one model at a time. */
  async #compareLoggedModels(): Promise<void> {
    const left = this.#a.transfer.loggedModels()[Symbol.asyncIterator]()
    const right = this.#b.transfer.loggedModels()[Symbol.asyncIterator]()
    let l = await left.next()
    let r = await right.next()
    while (!l.done || !r.done) {
      const order = l.done ? 1 : r.done ? -1 : compareCodePoints(l.value.modelId, r.value.modelId)
      if (order === 0) {
        await this.#compareLoggedModel(l.value!, r.value!)
        this.#report.loggedModels += 1
        ;[l, r] = await Promise.all([left.next(), right.next()])
        continue
      }
      const model = (order < 0 ? l.value : r.value)!
      this.#differ({
        experimentId: model.experimentId,
        loggedModelId: model.modelId,
        what: 'logged model',
        a: order < 0 ? model.name : MISSING,
        b: order < 0 ? MISSING : model.name,
      })
      if (order < 0) l = await left.next()
      else r = await right.next()
    }
  }

  async #compareLoggedModel(x: TransferLoggedModel, y: TransferLoggedModel): Promise<void> {
    const loggedModelId = x.modelId
    const experimentId = x.experimentId
    const check = (what: string, p: unknown, q: unknown): void => {
      const left = show(p)
      const right = show(q)
      if (left !== right) this.#differ({ experimentId, loggedModelId, what, a: left, b: right })
    }
    check('experiment_id', this.#mapped(x.experimentId), y.experimentId)
    check('name', x.name, y.name)
    check('creation_timestamp', x.creationTimestamp, y.creationTimestamp)
    check('last_updated_timestamp', x.lastUpdatedTimestamp, y.lastUpdatedTimestamp)
    check('status', x.status, y.status)
    check('status_message', x.statusMessage, y.statusMessage)
    check('model_type', x.modelType, y.modelType)
    check('source_run_id', x.sourceRunId, y.sourceRunId)
    check('lifecycle_stage', x.lifecycleStage, y.lifecycleStage)
    if (this.#options.compareLocations ?? true) {
      check('artifact_location', x.artifactLocation, y.artifactLocation)
    }
    const pairs = (p: readonly KeyValue[], q: readonly KeyValue[], what: string) => {
      const right = new Map(q.map((entry) => [entry.key, entry.value]))
      for (const { key, value } of p) {
        check(`${what} ${key}`, value, right.get(key))
        right.delete(key)
      }
      for (const [key, value] of right) check(`${what} ${key}`, undefined, value)
    }
    pairs(x.params, y.params, 'param')
    pairs(x.tags, y.tags, 'tag')
    this.#compareLoggedModelRows(x, y, check)
    if (this.#options.artifacts) {
      const open = this.#options.openArtifacts ?? ((uri: string) => openArtifactStore(uri))
      const [p, q] = await Promise.all([
        listWithHashes(open, x.artifactLocation),
        listWithHashes(open, y.artifactLocation),
      ])
      const text = (entry: { size: number; sha256: string } | undefined) =>
        entry === undefined ? undefined : `${entry.size} bytes sha256 ${entry.sha256}`
      for (const [file, entry] of p) {
        this.#report.artifacts!.files += 1
        this.#report.artifacts!.bytes += entry.size
        check(`artifact ${file}`, text(entry), text(q.get(file)))
        q.delete(file)
      }
      for (const [file, entry] of q) check(`artifact ${file}`, undefined, text(entry))
    }
  }

  /**
   * Every metric row of a logged model (the transfer facet yields them all on every backend,
   * whatever `loggedModelMetricHistory` says of the public API), per key as multisets.
   */
  #compareLoggedModelRows(
    x: TransferLoggedModel,
    y: TransferLoggedModel,
    check: (what: string, p: unknown, q: unknown) => void,
  ): void {
    const tolerated = this.#report.tolerated
    const read = (model: TransferLoggedModel) => {
      const byKey = new Map<string, Map<string, number>>()
      for (const metric of model.metrics) {
        let counts = byKey.get(metric.key)
        if (!counts) byKey.set(metric.key, (counts = new Map()))
        const text = loggedModelRowText(metric, this.#loss, tolerated)
        const n = (counts.get(text) ?? 0) + 1
        if (n > 1 && this.#loss.collapsesDuplicateRows) tally(tolerated, 'duplicateRows')
        else counts.set(text, n)
      }
      return byKey
    }
    this.#report.loggedModelMetricRows.a += x.metrics.length
    this.#report.loggedModelMetricRows.b += y.metrics.length
    const left = read(x)
    const right = read(y)
    const keys = [...new Set([...left.keys(), ...right.keys()])].sort(compareCodePoints)
    const sorted = (counts: Map<string, number> | undefined): string[] | undefined => {
      if (counts === undefined) return undefined
      const rows: string[] = []
      for (const [text, n] of counts) for (let i = 0; i < n; i += 1) rows.push(text)
      return rows.sort(compareCodePoints)
    }
    for (const key of keys) {
      check(`metric ${key} rows`, sorted(left.get(key)), sorted(right.get(key)))
    }
  }

  /** Registered models of both sides, merged by name, one registered model at a time. */
  async #compareRegistry(
    a: NonNullable<VerifySide['registry']>,
    b: NonNullable<VerifySide['registry']>,
  ): Promise<void> {
    const left = a.registeredModels()[Symbol.asyncIterator]()
    const right = b.registeredModels()[Symbol.asyncIterator]()
    let l = await left.next()
    let r = await right.next()
    while (!l.done || !r.done) {
      const order = l.done ? 1 : r.done ? -1 : compareCodePoints(l.value.name, r.value.name)
      if (order === 0) {
        this.#compareRegisteredModel(l.value!, r.value!)
        this.#report.registry!.registeredModels += 1
        ;[l, r] = await Promise.all([left.next(), right.next()])
        continue
      }
      const model = (order < 0 ? l.value : r.value)!
      const versions = `${model.versions.length} version(s)`
      this.#differ({
        registeredModel: model.name,
        what: 'registered model',
        a: order < 0 ? versions : MISSING,
        b: order < 0 ? MISSING : versions,
      })
      if (order < 0) l = await left.next()
      else r = await right.next()
    }
  }

  #compareRegisteredModel(x: TransferRegisteredModel, y: TransferRegisteredModel): void {
    const registeredModel = x.name
    const check = (what: string, p: unknown, q: unknown, version?: string): void => {
      const left = show(p)
      const right = show(q)
      if (left === right) return
      this.#differ({ registeredModel, ...(version ? { version } : {}), what, a: left, b: right })
    }
    const pairs = (p: readonly KeyValue[], q: readonly KeyValue[], what: string, v?: string) => {
      const right = new Map(q.map((entry) => [entry.key, entry.value]))
      for (const { key, value } of p) {
        check(`${what} ${key}`, value, right.get(key), v)
        right.delete(key)
      }
      for (const [key, value] of right) check(`${what} ${key}`, undefined, value, v)
    }
    check('creation_timestamp', x.creationTimestamp, y.creationTimestamp)
    check('last_updated_timestamp', x.lastUpdatedTimestamp, y.lastUpdatedTimestamp)
    check('description', x.description, y.description)
    pairs(x.tags, y.tags, 'tag')
    const aliases = (model: TransferRegisteredModel) =>
      model.aliases.map(({ alias, version }) => ({ key: alias, value: String(Number(version)) }))
    pairs(aliases(x), aliases(y), 'alias')
    const right = new Map(y.versions.map((version) => [Number(version.version), version]))
    for (const version of x.versions) {
      const other = right.get(Number(version.version))
      right.delete(Number(version.version))
      if (other === undefined) {
        check('version', version.currentStage, undefined, version.version)
        continue
      }
      this.#compareVersion(version, other, check, pairs)
      this.#report.registry!.modelVersions += 1
    }
    for (const version of right.values()) {
      check('version', undefined, version.currentStage, version.version)
    }
  }

  #compareVersion(
    x: TransferModelVersion,
    y: TransferModelVersion,
    check: (what: string, p: unknown, q: unknown, version?: string) => void,
    pairs: (p: readonly KeyValue[], q: readonly KeyValue[], what: string, v?: string) => void,
  ): void {
    const v = x.version
    const field = (what: string, p: unknown, q: unknown) => check(what, p, q, v)
    field('creation_timestamp', x.creationTimestamp, y.creationTimestamp)
    field('last_updated_timestamp', x.lastUpdatedTimestamp, y.lastUpdatedTimestamp)
    field('user_id', x.userId, y.userId)
    field('current_stage', x.currentStage, y.currentStage)
    field('deleted', x.deleted, y.deleted)
    field('description', x.description, y.description)
    field('run_id', x.runId, y.runId)
    field('run_link', x.runLink, y.runLink)
    field('status', x.status, y.status)
    field('status_message', x.statusMessage, y.statusMessage)
    if (this.#options.compareLocations ?? true) {
      field('source', x.source, y.source)
      field('storage_location', x.storageLocation, y.storageLocation)
    }
    if (this.#loss.dropsModelVersionModelId && (x.modelId === null) !== (y.modelId === null)) {
      tally(this.#report.tolerated, 'modelVersionModelId')
    } else {
      field('model_id', x.modelId, y.modelId)
    }
    pairs(x.tags, y.tags, 'tag', v)
  }

  async #compareArtifacts(
    experimentId: string,
    runId: string,
    xUri: string,
    yUri: string,
    experimentDeleted: boolean,
  ): Promise<void> {
    const open = this.#options.openArtifacts ?? ((uri: string) => openArtifactStore(uri))
    const [left, right] = await Promise.all([
      listWithHashes(open, xUri),
      listWithHashes(open, yUri),
    ])
    if (experimentDeleted && (left.size === 0) !== (right.size === 0)) {
      // MLflow's file store moves a deleted experiment to .trash while its runs' artifact URIs
      // still name the old place, so one side lists nothing (fixtures/README.md).
      tally(this.#report.tolerated, 'trashedArtifacts')
      return
    }
    for (const [file, entry] of left) {
      this.#report.artifacts!.files += 1
      this.#report.artifacts!.bytes += entry.size
      const other = right.get(file)
      right.delete(file)
      this.#compare(
        experimentId,
        runId,
        `artifact ${file}`,
        `${entry.size} bytes sha256 ${entry.sha256}`,
        other === undefined ? undefined : `${other.size} bytes sha256 ${other.sha256}`,
      )
    }
    for (const [file, entry] of right) {
      this.#compare(experimentId, runId, `artifact ${file}`, undefined, `${entry.size} bytes`)
    }
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = []
  for await (const item of items) list.push(item)
  return list
}

async function listWithHashes(
  open: (uri: string) => ArtifactStore,
  uri: string,
): Promise<Map<string, { size: number; sha256: string }>> {
  const files = new Map<string, { size: number; sha256: string }>()
  if (uri === '') return files
  const store = open(uri)
  try {
    for await (const file of store.walkFiles()) {
      const hash = createHash('sha256')
      let size = 0
      for await (const chunk of await store.openReadStream(file.path)) {
        hash.update(chunk as Buffer)
        size += (chunk as Buffer).length
      }
      files.set(file.path, { size, sha256: hash.digest('hex') })
    }
  } finally {
    await store.close()
  }
  return files
}
