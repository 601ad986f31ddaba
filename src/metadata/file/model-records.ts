/**
 * The files of MLflow 3 logged models and run↔model edges (FORMATS.md §2.10-2.11): the logged
 * model meta.yaml (status as an integer), its metric lines (`ts value step run_id [dataset_name
 * dataset_digest]`), and the meta.yaml of model inputs and outputs of a run, which MLflow writes
 * with `destination_id` repeating the model id. Numbers go through the Python float codec of the
 * run metric lines.
 */
import { createHash } from 'node:crypto'
import { internalError } from '../../core/errors.js'
import {
  LOGGED_MODEL_STATUSES,
  loggedModelStatusCode,
  type LifecycleStage,
  type LoggedModel,
  type LoggedModelMetric,
  type Metric,
} from '../metadata-store.js'
import { formatMetricLine } from './metric-lines.js'
import { parsePythonFloat, parsePythonInt } from './python-float.js'
import { dumpYaml } from './pyyaml.js'
import { corrupt, parseMeta } from './records.js'

/** A logged model without its tags, params and metrics (they live in files). */
export type LoggedModelRecord = Omit<LoggedModel, 'tags' | 'params' | 'metrics'>

/**
 * The logged model meta.yaml. MLflow writes `lifecycle_stage` when it creates and deletes a
 * model and drops it when `finalize` rewrites the file; `withStage` follows that.
 */
export function formatLoggedModelMeta(model: LoggedModelRecord, withStage: boolean): string {
  return dumpYaml({
    artifact_location: model.artifactLocation,
    creation_timestamp: model.creationTimestamp,
    experiment_id: model.experimentId,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    ...(withStage ? { lifecycle_stage: model.lifecycleStage } : {}),
    model_id: model.modelId,
    model_type: model.modelType,
    name: model.name,
    source_run_id: model.sourceRunId,
    status: loggedModelStatusCode(model.status),
    status_message: model.statusMessage,
  })
}

function textField(meta: Record<string, unknown>, key: string, file: string): string {
  const value = meta[key]
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  throw corrupt(file, `the field '${key}' is missing or not text`)
}

function optionalText(meta: Record<string, unknown>, key: string, file: string): string | null {
  return meta[key] === undefined || meta[key] === null ? null : textField(meta, key, file)
}

function integer(meta: Record<string, unknown>, key: string, file: string): number {
  const value = meta[key]
  const number = typeof value === 'bigint' ? Number(value) : value
  if (typeof number === 'number' && Number.isFinite(number)) return Math.trunc(number)
  throw corrupt(file, `the field '${key}' is not an integer`)
}

/**
 * Reads a logged model meta.yaml found in `<experiment>/models/<folder>`.
 * @throws INVALID_STATE naming the file when it is malformed or names another model.
 */
export function parseLoggedModelMeta(
  source: string,
  folderId: string,
  file: string,
): LoggedModelRecord {
  const meta = parseMeta(source, file)
  const modelId = textField(meta, 'model_id', file)
  if (modelId !== folderId) {
    throw corrupt(file, `it records model id '${modelId}' but lies in the folder '${folderId}'`)
  }
  const stage = meta.lifecycle_stage ?? 'active'
  if (stage !== 'active' && stage !== 'deleted') {
    throw corrupt(file, `unknown lifecycle_stage ${JSON.stringify(stage)}`)
  }
  const rawStatus = meta.status ?? 0
  const status =
    typeof rawStatus === 'string'
      ? LOGGED_MODEL_STATUSES.find((name) => name === rawStatus)
      : LOGGED_MODEL_STATUSES[Number(rawStatus)]
  if (status === undefined) throw corrupt(file, `unknown status ${JSON.stringify(rawStatus)}`)
  return {
    modelId,
    experimentId: textField(meta, 'experiment_id', file),
    name: textField(meta, 'name', file),
    artifactLocation: optionalText(meta, 'artifact_location', file) ?? '',
    creationTimestamp: integer(meta, 'creation_timestamp', file),
    lastUpdatedTimestamp: integer(meta, 'last_updated_timestamp', file),
    status,
    statusMessage: optionalText(meta, 'status_message', file),
    modelType: optionalText(meta, 'model_type', file),
    sourceRunId: optionalText(meta, 'source_run_id', file),
    lifecycleStage: stage as LifecycleStage,
  }
}

/** One logged-model metric line: the run's line format with the run id after the step. */
export function formatModelMetricLine(metric: Metric & { step: number }, runId: string): string {
  return formatMetricLine(metric, runId)
}

/**
 * Every line of a logged-model metric file (4 or 6 fields), in file order.
 * @throws INTERNAL_ERROR naming the metric and the file for a malformed line.
 */
export function parseModelMetricLines(
  text: string,
  key: string,
  modelId: string,
  file: string,
): LoggedModelMetric[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  return lines.map((line) => {
    const fields = line.trim().split(' ')
    const timestamp = parsePythonInt(fields[0] ?? '')
    const value = parsePythonFloat(fields[1] ?? '')
    const step = parsePythonInt(fields[2] ?? '')
    if (
      (fields.length !== 4 && fields.length !== 6) ||
      timestamp === null ||
      value === null ||
      step === null
    ) {
      throw internalError(
        `Metric '${key}' of logged model ${modelId} is malformed: ${JSON.stringify(line)} ` +
          `(expected 4 or 6 fields). File: ${file}`,
      )
    }
    return {
      key,
      value,
      timestamp,
      step,
      modelId,
      runId: fields[3]!,
      datasetName: fields[4] ?? null,
      datasetDigest: fields[5] ?? null,
    }
  })
}

/** The latest value as MLflow's file store picks it: the greatest (step, timestamp, value). */
export function latestModelMetric(history: LoggedModelMetric[]): LoggedModelMetric | undefined {
  let best: LoggedModelMetric | undefined
  for (const metric of history) {
    if (
      best === undefined ||
      metric.step > best.step ||
      (metric.step === best.step &&
        (metric.timestamp > best.timestamp ||
          (metric.timestamp === best.timestamp && metric.value > best.value)))
    ) {
      best = metric
    }
  }
  return best
}

const md5 = (value: string): string => createHash('md5').update(value, 'utf8').digest('hex')

/** The input folder of a model input: md5 of the model id followed by the run id. */
export const modelInputFolderId = (modelId: string, runId: string): string =>
  md5(`${modelId}${runId}`)

/** A model input of a run (`destination_id` repeats the model id, as MLflow writes it). */
export function formatModelInputMeta(modelId: string): string {
  return dumpYaml({
    destination_id: modelId,
    destination_type: 'RUN',
    source_id: modelId,
    source_type: 'MODEL',
    tags: {},
  })
}

/** A model output of a run, in `outputs/<model id>/meta.yaml`. */
export function formatModelOutputMeta(modelId: string, step: number): string {
  return dumpYaml({
    destination_id: modelId,
    destination_type: 'MODEL_OUTPUT',
    source_id: modelId,
    source_type: 'RUN_OUTPUT',
    step,
    tags: {},
  })
}

/** Reads an output meta.yaml; the model id is `destination_id`, as MLflow reads it. */
export function parseModelOutputMeta(
  source: string,
  file: string,
): { modelId: string; step: number } {
  const meta = parseMeta(source, file)
  return {
    modelId: textField(meta, 'destination_id', file),
    step: meta.step === undefined || meta.step === null ? 0 : integer(meta, 'step', file),
  }
}
