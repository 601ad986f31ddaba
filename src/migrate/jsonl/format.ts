/**
 * trackstore's export format, version 2 (version 1 is still read): JSON Lines (one JSON object
 * a line, UTF-8), gzip-compressed when the file name ends in `.gz`. `schema/export-v1.schema.json`
 * describes version 1;
 * docs/migration.md describes it for people. Records, in this order:
 *
 * 1. one `header`: format name, version, creation time, source, and what the source held that
 *    the format does not carry (`unsupported`);
 * 2. per experiment (ordered by id): an `experiment`, then per run (ordered by id) one `run`
 *    followed by its metric rows in `metrics` batches;
 * 3. (version 2) every logged model, ordered by id, as one `loggedModel` each (every metric
 *    row inside), then every registered model, ordered by name, as one `registeredModel` each
 *    (tags, aliases and every version, deleted ones too);
 * 4. one `end` with the counts, so a truncated file is recognised.
 *
 * Version 2 adds to version 1 only: the `loggedModel` and `registeredModel` records, the run
 * record's `modelInputs` and `modelOutputs`, and the end record's `loggedModels` and
 * `registeredModels` counts. A version 1 file reads as one with none of them.
 *
 * Metric values that JSON numbers cannot hold are strings: "NaN", "Infinity", "-Infinity" and
 * "-0" (negative zero). A metric row is an array `[key, value, timestamp, step]`, with
 * `dataset_name, dataset_digest` appended when the row has them.
 */
import { invalidParameter } from '../../core/errors.js'
import type { Experiment, RunInfo, StoredMetric } from '../../metadata/metadata-store.js'
import type { RunImport, TransferLoggedModel } from '../../metadata/transfer.js'
import type { TransferRegisteredModel } from '../../registry/registry-transfer.js'

export const EXPORT_FORMAT = 'trackstore-export'
/** The version written. */
export const EXPORT_VERSION = 2
/** The versions read. */
export const EXPORT_VERSIONS_READ: readonly number[] = [1, 2]

export interface HeaderRecord {
  type: 'header'
  format: typeof EXPORT_FORMAT
  version: number
  createdAt: number
  source: string
  unsupported: Record<string, number>
}

export type ExperimentRecord = { type: 'experiment' } & Experiment

export interface RunRecord {
  type: 'run'
  info: RunInfo
  params: RunImport['params']
  tags: RunImport['tags']
  datasetInputs: RunImport['datasetInputs']
  /** Version 2. */
  modelInputs?: RunImport['modelInputs']
  /** Version 2. */
  modelOutputs?: RunImport['modelOutputs']
}

/** A logged model's metric row, its value encoded as metric rows' values are. */
export interface LoggedModelMetricEntry {
  key: string
  value: MetricValue
  timestamp: number
  step: number
  runId: string
  datasetName: string | null
  datasetDigest: string | null
}

/** Version 2: a logged model (deleted ones too) with every metric row. */
export type LoggedModelRecord = { type: 'loggedModel' } & Omit<TransferLoggedModel, 'metrics'> & {
    metrics: LoggedModelMetricEntry[]
  }

/** Version 2: a registered model with its tags, aliases and every version. */
export type RegisteredModelRecord = { type: 'registeredModel' } & TransferRegisteredModel

export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity' | '-0'
export type MetricRowTuple =
  | [key: string, value: MetricValue, timestamp: number, step: number]
  | [
      key: string,
      value: MetricValue,
      timestamp: number,
      step: number,
      datasetName: string,
      datasetDigest: string,
    ]

export interface MetricsRecord {
  type: 'metrics'
  runId: string
  rows: MetricRowTuple[]
}

export interface EndRecord {
  type: 'end'
  experiments: number
  runs: number
  metricRows: number
  /** Version 2. */
  loggedModels?: number
  /** Version 2. */
  registeredModels?: number
}

export type ExportRecord =
  | HeaderRecord
  | ExperimentRecord
  | RunRecord
  | MetricsRecord
  | LoggedModelRecord
  | RegisteredModelRecord
  | EndRecord

export function encodeValue(value: number): MetricValue {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  if (Object.is(value, -0)) return '-0'
  return value
}

export function decodeValue(value: unknown, where: string): number {
  if (typeof value === 'number') return value
  switch (value) {
    case 'NaN':
      return NaN
    case 'Infinity':
      return Infinity
    case '-Infinity':
      return -Infinity
    case '-0':
      return -0
    default:
      throw invalidParameter(`Invalid metric value ${JSON.stringify(value)} in ${where}`)
  }
}

export function encodeRow(metric: StoredMetric): MetricRowTuple {
  const value = encodeValue(metric.value)
  if (metric.datasetName && metric.datasetDigest) {
    return [
      metric.key,
      value,
      metric.timestamp,
      metric.step,
      metric.datasetName,
      metric.datasetDigest,
    ]
  }
  return [metric.key, value, metric.timestamp, metric.step]
}

export function decodeRow(row: unknown, where: string): StoredMetric {
  if (
    !Array.isArray(row) ||
    (row.length !== 4 && row.length !== 6) ||
    typeof row[0] !== 'string' ||
    typeof row[2] !== 'number' ||
    typeof row[3] !== 'number'
  ) {
    throw invalidParameter(`Invalid metric row ${JSON.stringify(row)} in ${where}`)
  }
  const metric: StoredMetric = {
    key: row[0],
    value: decodeValue(row[1], where),
    timestamp: row[2],
    step: row[3],
  }
  if (row.length === 6) {
    metric.datasetName = String(row[4])
    metric.datasetDigest = String(row[5])
  }
  return metric
}

export function encodeLoggedModel(model: TransferLoggedModel): LoggedModelRecord {
  return {
    type: 'loggedModel',
    modelId: model.modelId,
    experimentId: model.experimentId,
    name: model.name,
    artifactLocation: model.artifactLocation,
    creationTimestamp: model.creationTimestamp,
    lastUpdatedTimestamp: model.lastUpdatedTimestamp,
    status: model.status,
    statusMessage: model.statusMessage,
    modelType: model.modelType,
    sourceRunId: model.sourceRunId,
    lifecycleStage: model.lifecycleStage,
    tags: model.tags.map(({ key, value }) => ({ key, value })),
    params: model.params.map(({ key, value }) => ({ key, value })),
    metrics: model.metrics.map((metric) => ({
      key: metric.key,
      value: encodeValue(metric.value),
      timestamp: metric.timestamp,
      step: metric.step,
      runId: metric.runId,
      datasetName: metric.datasetName,
      datasetDigest: metric.datasetDigest,
    })),
  }
}

export function decodeLoggedModel(record: LoggedModelRecord, where: string): TransferLoggedModel {
  const model: Partial<LoggedModelRecord> = { ...record }
  delete model.type
  return {
    ...(model as Omit<LoggedModelRecord, 'type'>),
    metrics: record.metrics.map((metric) => ({
      ...metric,
      value: decodeValue(metric.value, where),
      modelId: record.modelId,
    })),
  }
}
