/**
 * Writes an export file as a copy destination: `copyStore(source, writer, …)` streams a store
 * into it run by run. The file is written under `<file>.partial` and renamed when `close`
 * completes it, so an interrupted export never leaves a file that looks whole.
 */
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { internalError, invalidParameter } from '../../core/errors.js'
import type { Experiment } from '../../metadata/metadata-store.js'
import type {
  PutOutcome,
  RunImport,
  TransferLoggedModel,
  TransferMarker,
} from '../../metadata/transfer.js'
import type { TransferRegisteredModel } from '../../registry/registry-transfer.js'
import type { RegistryDestination, TransferDestination } from '../copy/types.js'
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  encodeLoggedModel,
  encodeRow,
  type ExportRecord,
  type MetricRowTuple,
} from './format.js'

/** Whether a path names an export file rather than a store (`.jsonl` or `.jsonl.gz`). */
export function isExportFile(location: string): boolean {
  return /\.jsonl(\.gz)?$/i.test(location)
}

const ROWS_PER_RECORD = 5_000

export class JsonlWriter implements TransferDestination, RegistryDestination {
  readonly #file: string
  readonly #partial: string
  readonly #out: Writable
  readonly #done: Promise<unknown>
  #counts = { experiments: 0, runs: 0, metricRows: 0, loggedModels: 0, registeredModels: 0 }
  #bytes = 0

  private constructor(file: string) {
    this.#file = file
    this.#partial = `${file}.partial`
    const fileStream = createWriteStream(this.#partial)
    if (/\.gz$/i.test(file)) {
      const gzip = createGzip()
      gzip.pipe(fileStream)
      this.#out = gzip
    } else {
      this.#out = fileStream
    }
    this.#done = once(fileStream, 'close')
    // Errors surface through the next write or close.
    this.#done.catch(() => {})
  }

  /** Opens `<file>.partial` and writes the header. */
  static async create(
    file: string,
    header: { source: string; unsupported: Record<string, number> },
  ): Promise<JsonlWriter> {
    const writer = new JsonlWriter(file)
    await writer.#write({
      type: 'header',
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      createdAt: Date.now(),
      source: header.source,
      unsupported: header.unsupported,
    })
    return writer
  }

  /** Uncompressed bytes written so far. */
  get bytes(): number {
    return this.#bytes
  }

  async #write(record: ExportRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`
    this.#bytes += Buffer.byteLength(line)
    try {
      if (!this.#out.write(line)) {
        await Promise.race([once(this.#out, 'drain'), this.#done])
      }
    } catch (error) {
      throw internalError(
        `Cannot write the export file ${this.#file}: ${(error as Error).message}`,
        error,
      )
    }
  }

  async isEmpty(): Promise<boolean> {
    return true
  }

  async maxExperimentId(): Promise<bigint | null> {
    return null
  }

  async newExperimentId(): Promise<string> {
    throw invalidParameter(
      'An export keeps experiment ids as they are; give them new ids when importing ' +
        '(--id-strategy remap)',
    )
  }

  async putExperiment(experiment: Experiment): Promise<PutOutcome> {
    await this.#write({
      type: 'experiment',
      experimentId: experiment.experimentId,
      name: experiment.name,
      artifactLocation: experiment.artifactLocation,
      lifecycleStage: experiment.lifecycleStage,
      creationTime: experiment.creationTime,
      lastUpdateTime: experiment.lastUpdateTime,
      tags: experiment.tags.map(({ key, value }) => ({ key, value })),
    })
    this.#counts.experiments += 1
    return 'created'
  }

  async putRun(run: RunImport): Promise<PutOutcome> {
    const { info } = run
    const pairs = (items: readonly { key: string; value: string }[]) =>
      items.map(({ key, value }) => ({ key, value }))
    await this.#write({
      type: 'run',
      info: {
        runId: info.runId,
        runName: info.runName,
        experimentId: info.experimentId,
        userId: info.userId,
        status: info.status,
        startTime: info.startTime,
        endTime: info.endTime,
        artifactUri: info.artifactUri,
        lifecycleStage: info.lifecycleStage,
        deletedTime: info.deletedTime,
      },
      params: pairs(run.params),
      tags: pairs(run.tags),
      datasetInputs: run.datasetInputs.map(({ dataset, tags }) => ({
        dataset: {
          name: dataset.name,
          digest: dataset.digest,
          sourceType: dataset.sourceType,
          source: dataset.source,
          schema: dataset.schema ?? null,
          profile: dataset.profile ?? null,
        },
        tags: pairs(tags),
      })),
      modelInputs: (run.modelInputs ?? []).map(({ modelId }) => ({ modelId })),
      modelOutputs: (run.modelOutputs ?? []).map(({ modelId, step }) => ({ modelId, step })),
    })
    let rows: MetricRowTuple[] = []
    for await (const batch of run.metrics) {
      for (const metric of batch) {
        rows.push(encodeRow(metric))
        if (rows.length >= ROWS_PER_RECORD) {
          await this.#write({ type: 'metrics', runId: info.runId, rows })
          rows = []
        }
      }
      this.#counts.metricRows += batch.length
    }
    if (rows.length > 0) await this.#write({ type: 'metrics', runId: info.runId, rows })
    this.#counts.runs += 1
    return 'created'
  }

  async putLoggedModel(model: TransferLoggedModel): Promise<PutOutcome> {
    await this.#write(encodeLoggedModel(model))
    this.#counts.loggedModels += 1
    return 'created'
  }

  async putRegisteredModel(model: TransferRegisteredModel): Promise<PutOutcome> {
    await this.#write({
      type: 'registeredModel',
      name: model.name,
      creationTimestamp: model.creationTimestamp,
      lastUpdatedTimestamp: model.lastUpdatedTimestamp,
      description: model.description,
      tags: model.tags.map(({ key, value }) => ({ key, value })),
      aliases: model.aliases.map(({ alias, version }) => ({ alias, version })),
      versions: model.versions.map((version) => ({
        ...version,
        tags: version.tags.map(({ key, value }) => ({ key, value })),
      })),
    })
    this.#counts.registeredModels += 1
    return 'created'
  }

  async runIds(): Promise<Set<string>> {
    return new Set()
  }

  async readMarker(): Promise<TransferMarker | null> {
    return null
  }

  /** An export is not resumed: an interrupted one is made again from the start. */
  async writeMarker(): Promise<void> {}

  /** Writes the `end` record, completes the file and renames it into place. */
  async close(): Promise<void> {
    try {
      await this.#write({ type: 'end', ...this.#counts })
      this.#out.end()
      await this.#done
      await rename(this.#partial, this.#file)
    } catch (error) {
      throw internalError(
        `Cannot write the export file ${this.#file}: ${(error as Error).message}`,
        error,
      )
    }
  }

  /** Stops writing and removes the partial file. */
  async abort(): Promise<void> {
    this.#out.destroy()
    await this.#done.catch(() => {})
    await rm(this.#partial, { force: true })
  }
}
