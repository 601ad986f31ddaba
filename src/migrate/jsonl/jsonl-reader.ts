/**
 * Reads an export file as a copy source, front to back in one pass: `experiments()` yields each
 * experiment, `runs()` the runs that follow it and `metricRows()` the rows that follow a run,
 * which is the order `copyStore` asks for them. Records the consumer does not ask for (the runs
 * of a colliding experiment, the rows of a run already copied) are passed over.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { invalidParameter, invalidState, notFound } from '../../core/errors.js'
import type { Experiment, StoredMetric } from '../../metadata/metadata-store.js'
import type {
  TransferLoggedModel,
  TransferReadOptions,
  TransferRun,
} from '../../metadata/transfer.js'
import type { TransferRegisteredModel } from '../../registry/registry-transfer.js'
import type { RegistrySource, TransferSource } from '../copy/types.js'
import {
  EXPORT_FORMAT,
  EXPORT_VERSIONS_READ,
  decodeLoggedModel,
  decodeRow,
  type ExportRecord,
  type HeaderRecord,
} from './format.js'

export class JsonlReader implements TransferSource, RegistrySource {
  readonly keepsMetricDatasets = true
  readonly #file: string
  readonly #input: Readable
  readonly #lines: AsyncIterator<string>
  readonly #size: number
  #header!: HeaderRecord
  #peeked: ExportRecord | null | undefined
  #line = 0
  #ended = false

  private constructor(file: string, size: number) {
    this.#file = file
    this.#size = size
    const raw = createReadStream(file)
    this.#input = raw
    const text = /\.gz$/i.test(file) ? raw.pipe(createGunzip()) : raw
    this.#lines = createInterface({ input: text, crlfDelay: Infinity })[Symbol.asyncIterator]()
  }

  /**
   * Opens an export file and reads its header.
   * @throws INVALID_PARAMETER_VALUE when it is not a trackstore export of a known version.
   */
  static async open(file: string): Promise<JsonlReader> {
    let size: number
    try {
      ;({ size } = await stat(file))
    } catch (error) {
      throw notFound(`No export file at ${file}: ${(error as Error).message}`, error)
    }
    const reader = new JsonlReader(file, size)
    const header = await reader.#peek()
    if (header?.type !== 'header' || header.format !== EXPORT_FORMAT) {
      await reader.close()
      throw invalidParameter(`${file} is not a trackstore export: its first line has no header`)
    }
    if (!EXPORT_VERSIONS_READ.includes(header.version)) {
      await reader.close()
      throw invalidParameter(
        `${file} is a trackstore export of version ${header.version}; this trackstore reads ` +
          `versions ${EXPORT_VERSIONS_READ.join(' and ')}`,
      )
    }
    reader.#take()
    reader.#header = header
    return reader
  }

  get header(): HeaderRecord {
    return this.#header
  }

  /** Compressed bytes read so far and the file's size, for progress. */
  get position(): { bytes: number; size: number } {
    return { bytes: (this.#input as unknown as { bytesRead: number }).bytesRead, size: this.#size }
  }

  async #peek(): Promise<ExportRecord | null> {
    if (this.#peeked !== undefined) return this.#peeked
    const next = await this.#lines.next()
    if (next.done) {
      this.#peeked = null
      return null
    }
    this.#line += 1
    if (next.value.trim() === '') return this.#peek()
    try {
      this.#peeked = JSON.parse(next.value) as ExportRecord
    } catch (error) {
      throw invalidParameter(
        `${this.#file} line ${this.#line} is not JSON: ${(error as Error).message}`,
        error,
      )
    }
    return this.#peeked
  }

  #take(): void {
    this.#peeked = undefined
  }

  #where(): string {
    return `${this.#file} line ${this.#line}`
  }

  #truncated(): Error {
    return invalidState(
      `${this.#file} ends at line ${this.#line} without its end record: the export is truncated`,
    )
  }

  async *experiments(): AsyncIterable<Experiment> {
    for (;;) {
      const record = await this.#peek()
      if (record === null) throw this.#truncated()
      if (record.type === 'loggedModel' || record.type === 'registeredModel') return
      this.#take()
      if (record.type === 'end') {
        this.#ended = true
        return
      }
      if (record.type === 'experiment') {
        yield {
          experimentId: record.experimentId,
          name: record.name,
          artifactLocation: record.artifactLocation,
          lifecycleStage: record.lifecycleStage,
          creationTime: record.creationTime,
          lastUpdateTime: record.lastUpdateTime,
          tags: record.tags,
        }
      }
    }
  }

  async *runs(experimentId: string): AsyncIterable<TransferRun> {
    for (;;) {
      const record = await this.#peek()
      if (record === null) throw this.#truncated()
      if (record.type === 'metrics') {
        this.#take()
        continue
      }
      if (record.type !== 'run') return
      this.#take()
      if (record.info.experimentId !== experimentId) {
        throw invalidParameter(
          `${this.#where()}: run ${record.info.runId} names experiment ` +
            `${record.info.experimentId} but follows experiment ${experimentId}`,
        )
      }
      yield {
        info: record.info,
        data: { metrics: [], params: record.params, tags: record.tags },
        inputs: { datasetInputs: record.datasetInputs, modelInputs: record.modelInputs ?? [] },
        outputs: { modelOutputs: record.modelOutputs ?? [] },
      }
    }
  }

  async *metricRows(runId: string): AsyncIterable<StoredMetric[]> {
    for (;;) {
      const record = await this.#peek()
      if (record === null || record.type !== 'metrics' || record.runId !== runId) return
      this.#take()
      const where = this.#where()
      yield record.rows.map((row) => decodeRow(row, where))
    }
  }

  /** The `loggedModel` records, which follow the experiments (none in version 1). */
  async *loggedModels(_options?: TransferReadOptions): AsyncIterable<TransferLoggedModel> {
    yield* this.#records('loggedModel', (record) =>
      record.type === 'loggedModel' ? decodeLoggedModel(record, this.#where()) : null,
    )
  }

  /** The `registeredModel` records, which follow the logged models (none in version 1). */
  async *registeredModels(_options?: TransferReadOptions): AsyncIterable<TransferRegisteredModel> {
    yield* this.#records('registeredModel', (record) => {
      if (record.type !== 'registeredModel') return null
      const model: Partial<typeof record> = { ...record }
      delete model.type
      return model as TransferRegisteredModel
    })
  }

  /**
   * Records of one type, skipping what precedes them (the runs and rows of experiments not
   * asked for); the end record is taken when reached.
   */
  async *#records<T>(
    type: ExportRecord['type'],
    decode: (record: ExportRecord) => T | null,
  ): AsyncIterable<T> {
    const order = ['experiment', 'run', 'metrics', 'loggedModel', 'registeredModel']
    for (;;) {
      if (this.#ended) return
      const record = await this.#peek()
      if (record === null) throw this.#truncated()
      if (record.type === 'end') {
        this.#take()
        this.#ended = true
        return
      }
      if (order.indexOf(record.type) > order.indexOf(type)) return
      this.#take()
      const value = decode(record)
      if (value !== null) yield value
    }
  }

  async unsupportedContent(): Promise<Record<string, number>> {
    return { ...this.#header.unsupported }
  }

  /** Whether the end record was reached. */
  get complete(): boolean {
    return this.#ended
  }

  async close(): Promise<void> {
    this.#input.destroy()
  }
}
