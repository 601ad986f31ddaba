/**
 * trackstore's export format, version 1: JSON Lines (one JSON object a line, UTF-8), gzip-
 * compressed when the file name ends in `.gz`. Its JSON Schema is `schema/export-v1.schema.json`;
 * docs/migration.md describes it for people. Records, in this order:
 *
 * 1. one `header`: format name, version, creation time, source, and what the source held that
 *    the format does not carry (`unsupported`);
 * 2. per experiment (ordered by id): an `experiment`, then per run (ordered by id) one `run`
 *    followed by its metric rows in `metrics` batches;
 * 3. one `end` with the counts, so a truncated file is recognised.
 *
 * Metric values that JSON numbers cannot hold are strings: "NaN", "Infinity", "-Infinity" and
 * "-0" (negative zero). A metric row is an array `[key, value, timestamp, step]`, with
 * `dataset_name, dataset_digest` appended when the row has them.
 */
import { invalidParameter } from '../../core/errors.js'
import type { Experiment, RunInfo, StoredMetric } from '../../metadata/metadata-store.js'
import type { RunImport } from '../../metadata/transfer.js'

export const EXPORT_FORMAT = 'trackstore-export'
export const EXPORT_VERSION = 1

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
}

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
}

export type ExportRecord = HeaderRecord | ExperimentRecord | RunRecord | MetricsRecord | EndRecord

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
