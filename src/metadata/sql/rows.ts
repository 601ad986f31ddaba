/**
 * Conversions between MLflow's SQL rows and trackstore's entities: numbers that drivers return
 * as strings, booleans as 0/1, and metric values as MLflow stores them (NaN as 0 + is_nan,
 * ±Infinity as ±1.7976931348623157e308, -0.0 as 0.0).
 */
import type {
  Experiment,
  LifecycleStage,
  RunInfo,
  RunStatus,
  StoredMetric,
} from '../metadata-store.js'
import type { Selectable } from 'kysely'
import type { SqlDialect } from './dialects/sql-dialect.js'
import type { ExperimentsTable, RunsTable } from './tables.js'

export function toNumber(value: number | string | bigint | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value)
}

export function toId(value: number | string | bigint | null | undefined): string {
  return value === null || value === undefined ? '' : String(value)
}

/** The value and is_nan flag MLflow's SQL store writes for a metric value. */
export function sanitizeMetricValue(value: number): { value: number; isNan: boolean } {
  if (Number.isNaN(value)) return { value: 0, isNan: true }
  if (value === Infinity) return { value: Number.MAX_VALUE, isNan: false }
  if (value === -Infinity) return { value: -Number.MAX_VALUE, isNan: false }
  return { value: value === 0 ? 0 : value, isNan: false }
}

export function readMetricValue(
  value: number | string | bigint,
  isNan: boolean | number | string | bigint,
): number {
  return isNan === true || Number(isNan) === 1 ? NaN : Number(value)
}

export function toExperiment(
  row: Pick<
    Selectable<ExperimentsTable>,
    | 'experiment_id'
    | 'name'
    | 'artifact_location'
    | 'lifecycle_stage'
    | 'creation_time'
    | 'last_update_time'
  >,
  tags: { key: string; value: string }[],
): Experiment {
  return {
    experimentId: toId(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location ?? '',
    lifecycleStage: (row.lifecycle_stage ?? 'active') as LifecycleStage,
    creationTime: toNumber(row.creation_time),
    lastUpdateTime: toNumber(row.last_update_time),
    tags,
  }
}

export function toRunInfo(row: RunsTable): RunInfo {
  return {
    runId: row.run_uuid,
    runName: row.name ?? '',
    experimentId: toId(row.experiment_id),
    userId: row.user_id ?? '',
    status: (row.status ?? 'RUNNING') as RunStatus,
    startTime: toNumber(row.start_time),
    endTime: toNumber(row.end_time),
    artifactUri: row.artifact_uri ?? '',
    lifecycleStage: (row.lifecycle_stage ?? 'active') as LifecycleStage,
    deletedTime: toNumber(row.deleted_time),
  }
}

export function toStoredMetric(row: {
  key: string
  value: number | string | bigint
  timestamp: number | string | bigint | null
  step: number | string | bigint
  is_nan: boolean | number | bigint
}): StoredMetric {
  return {
    key: row.key,
    value: readMetricValue(row.value, row.is_nan),
    timestamp: toNumber(row.timestamp) ?? 0,
    step: toNumber(row.step) ?? 0,
  }
}

/** MLflow's rule for the latest value: the greatest (step, timestamp, value). */
export function isNewerMetric(
  candidate: { step: number; timestamp: number; value: number },
  current: { step: number; timestamp: number; value: number },
): boolean {
  if (candidate.step !== current.step) return candidate.step > current.step
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp
  return candidate.value > current.value
}

/** Splits rows into chunks that keep one statement under the dialect's bind limit. */
export function chunkRows<T extends object>(rows: T[], maxBindParameters: number): T[][] {
  if (rows.length === 0) return []
  const columns = Object.keys(rows[0]!).length
  const size = Math.max(1, Math.floor(maxBindParameters / columns))
  const chunks: T[][] = []
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size))
  return chunks
}

/** A run's metric as a `metrics` row (NaN as 0 + is_nan, ±Infinity clamped, as MLflow writes). */
export function toMetricRow(
  dialect: Pick<SqlDialect, 'toBoolean'>,
  runId: string,
  metric: { key: string; value: number; timestamp: number; step: number },
) {
  const { value, isNan } = sanitizeMetricValue(metric.value)
  return {
    key: metric.key,
    value,
    timestamp: metric.timestamp,
    run_uuid: runId,
    step: metric.step,
    is_nan: dialect.toBoolean(isNan),
  }
}

/** The primary key of `metrics`: an exact duplicate row is skipped, as MLflow skips it. */
export const METRIC_KEY_COLUMNS = ['key', 'timestamp', 'step', 'run_uuid', 'value', 'is_nan']

/** A metric recorded for a logged model, as a `logged_model_metrics` row. */
export function toLoggedModelMetricRow(
  modelId: string,
  experimentId: number | string | bigint,
  runId: string,
  metric: {
    key: string
    value: number
    timestamp: number
    step: number
    datasetName?: string | null
    datasetDigest?: string | null
  },
) {
  const dataset = Boolean(metric.datasetName && metric.datasetDigest)
  return {
    model_id: modelId,
    experiment_id: experimentId,
    metric_name: metric.key,
    metric_timestamp_ms: metric.timestamp,
    metric_step: metric.step,
    // The table has no is_nan column: NaN is stored as 0, as MLflow stores it.
    metric_value: sanitizeMetricValue(metric.value).value,
    run_id: runId,
    dataset_uuid: null,
    dataset_name: dataset ? metric.datasetName! : null,
    dataset_digest: dataset ? metric.datasetDigest! : null,
  }
}

/** The primary key of `logged_model_metrics`. */
export const LOGGED_MODEL_METRIC_KEY_COLUMNS = [
  'model_id',
  'metric_name',
  'metric_timestamp_ms',
  'metric_step',
  'run_id',
]
