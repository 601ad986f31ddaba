/**
 * Metric files (FORMATS.md §2.6): one line per logged value, `timestamp value step`, plus
 * `dataset_name dataset_digest` when both are known. Readers accept the legacy two-field form
 * (step 0) and, unlike MLflow's reader, keep the real step of five-field lines.
 */
import { internalError, invalidParameter } from '../../core/errors.js'
import type { Metric, StoredMetric } from '../metadata-store.js'
import { formatPythonFloat, parsePythonFloat, parsePythonInt } from './python-float.js'

/**
 * One metric line, newline included: `timestamp value step [dataset_name dataset_digest]`. A
 * logged model's metric file carries the run id after the step.
 */
export function formatMetricLine(metric: Metric & { step: number }, runId?: string): string {
  const fields = [String(metric.timestamp), formatPythonFloat(metric.value), String(metric.step)]
  if (runId !== undefined) fields.push(runId)
  const { datasetName, datasetDigest } = metric
  if (datasetName && datasetDigest) {
    // A space would split the field and make the whole file unreadable to every reader.
    if (/\s/.test(datasetName) || /\s/.test(datasetDigest)) {
      throw invalidParameter(
        `Invalid dataset name or digest ${JSON.stringify(`${datasetName} ${datasetDigest}`)} ` +
          `for metric '${metric.key}': the file store cannot record whitespace in them`,
      )
    }
    fields.push(datasetName, datasetDigest)
  }
  return `${fields.join(' ')}\n`
}

function malformed(key: string, detail: string, experimentId: string, file: string): Error {
  return internalError(
    `Metric '${key}' is malformed; ${detail}. Experiment id: ${experimentId}. File: ${file}`,
  )
}

/**
 * Parses every line of a metric file in file order. A malformed line fails the whole file with
 * INTERNAL_ERROR naming the metric, the experiment and the file, as MLflow does.
 */
export function parseMetricLines(
  text: string,
  key: string,
  experimentId: string,
  file: string,
): StoredMetric[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines.map((line) => parseMetricLine(line, key, experimentId, file))
}

/** The latest value of a metric file without keeping its whole history. */
export function latestMetricInText(
  text: string,
  key: string,
  experimentId: string,
  file: string,
): StoredMetric | undefined {
  let best: StoredMetric | undefined
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    const metric = parseMetricLine(text.slice(start, end), key, experimentId, file)
    if (best === undefined || compareMetricOrder(metric, best) > 0) best = metric
    start = end + 1
  }
  return best
}

function parseMetricLine(
  line: string,
  key: string,
  experimentId: string,
  file: string,
): StoredMetric {
  const fields = line.trim().split(' ')
  if (fields.length !== 2 && fields.length !== 3 && fields.length !== 5) {
    throw malformed(
      key,
      `persisted metric data contained ${fields.length} fields. Expected 2, 3, or 5 fields`,
      experimentId,
      file,
    )
  }
  const timestamp = parsePythonInt(fields[0]!)
  const value = parsePythonFloat(fields[1]!)
  const step = fields.length >= 3 ? parsePythonInt(fields[2]!) : 0
  if (timestamp === null || value === null || step === null) {
    throw malformed(
      key,
      `the line ${JSON.stringify(line)} holds no valid numbers`,
      experimentId,
      file,
    )
  }
  const metric: StoredMetric = { key, value, timestamp, step }
  if (fields.length === 5) {
    metric.datasetName = fields[3]!
    metric.datasetDigest = fields[4]!
  }
  return metric
}

/**
 * Orders two values of a metric as MLflow picks the latest: by (step, timestamp, value). As
 * with Python's `max`, a NaN value never beats the value it ties with, so the earlier line stays.
 */
function compareValue(a: number, b: number): number {
  // Python's max() over tuples: a NaN never compares greater, so the first one seen stays.
  if (Number.isNaN(a) || Number.isNaN(b)) return 0
  return a < b ? -1 : a > b ? 1 : 0
}

function compareMetricOrder(a: StoredMetric, b: StoredMetric): number {
  if (a.step !== b.step) return a.step < b.step ? -1 : 1
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1
  return compareValue(a.value, b.value)
}
