/**
 * Run-by-run comparison of two stores of any backends: experiments, run metadata, params, tags,
 * dataset inputs, latest values, every metric row and, on request, every artifact by size and
 * sha256. It reads both stores in id order and holds one run at a time.
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
import type { StoreTransfer, TransferRun } from '../../metadata/transfer.js'
import {
  combine,
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
  transfer: Pick<StoreTransfer, 'experiments' | 'runs' | 'metricRows' | 'keepsMetricDatasets'>
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
  experimentId: string
  runId?: string
  /** What differs: `name`, `run`, `param lr`, `metric loss rows`, `artifact a/b.txt` … */
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
      lossinessOf(a.capabilities, a.transfer),
      lossinessOf(b.capabilities, b.transfer),
      ...(options.via ?? []),
    ])
    this.#report = {
      a: a.label,
      b: b.label,
      equal: true,
      experiments: 0,
      runs: 0,
      metricRows: { a: 0, b: 0 },
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
