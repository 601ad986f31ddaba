/**
 * Reads a whole store back through the MetadataStore contract into the JSON shape of MLflow's
 * read-back fixtures (`../shared/mlflow-reference/fixtures/readback-*.no-artifacts.json`), so a
 * test can compare what trackstore reads with what MLflow read from the same data. Shared by the
 * SQL stores (`readback-sqlite…`) and the file store (`readback-mlruns…`).
 */
import type { MetadataStore, Run, StoredMetric } from '../../src/index.js'

export interface ReadbackMetricPoint {
  step: number
  timestamp: number
  value: string
}

export interface ReadbackDataset {
  digest: string
  name: string
  profile: string | null
  schema: string | null
  source: string
  source_type: string
  tags: Record<string, string>
}

export interface ReadbackRun {
  artifact_uri: string
  artifacts: null
  datasets: ReadbackDataset[]
  end_time: number | null
  experiment_id: string
  latest_metrics: Record<string, string>
  lifecycle_stage: string
  metric_history: Record<string, ReadbackMetricPoint[]>
  params: Record<string, string>
  run_id: string
  run_name: string
  start_time: number | null
  status: string
  tags: Record<string, string>
  user_id: string
}

export interface ReadbackExperiment {
  artifact_location: string
  creation_time: number | null
  experiment_id: string
  last_update_time: number | null
  lifecycle_stage: string
  name: string
  runs: ReadbackRun[]
  tags: Record<string, string>
}

export interface ReadbackDocument {
  experiments: ReadbackExperiment[]
}

/**
 * A float as the fixtures write it: Python's `repr()` for finite values (`1e-05`, `42.0`,
 * `1.7976931348623157e+308`, `-0.0`), and `NaN`, `Infinity`, `-Infinity` otherwise.
 */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const sign = value < 0 ? '-' : ''
  // toExponential() without digits gives the shortest round-tripping digits, as repr does.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : ''
    const expSign = exponent < 0 ? '-' : '+'
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0')
  const fraction = digits.slice(exponent + 1)
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function compareValues(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b))
  return a - b
}

/** Sorts history the way the fixtures do: by (step, timestamp, value). */
export function sortHistory(points: StoredMetric[]): StoredMetric[] {
  return [...points].sort(
    (a, b) => a.step - b.step || a.timestamp - b.timestamp || compareValues(a.value, b.value),
  )
}

const record = (entries: { key: string; value: string }[]): Record<string, string> =>
  Object.fromEntries(entries.map((entry) => [entry.key, entry.value]))

async function readRun(store: MetadataStore, found: Run): Promise<ReadbackRun> {
  const run = await store.getRun(found.info.runId)
  const history: Record<string, ReadbackMetricPoint[]> = {}
  for (const metric of run.data.metrics) {
    const page = await store.getMetricHistory(run.info.runId, metric.key)
    history[metric.key] = sortHistory(page.items).map((point) => ({
      step: point.step,
      timestamp: point.timestamp,
      value: formatPythonFloat(point.value),
    }))
  }
  const datasets = run.inputs.datasetInputs
    .map((input): ReadbackDataset => ({
      digest: input.dataset.digest,
      name: input.dataset.name,
      profile: input.dataset.profile ?? null,
      schema: input.dataset.schema ?? null,
      source: input.dataset.source,
      source_type: input.dataset.sourceType,
      tags: record(input.tags),
    }))
    .sort((a, b) => byCodeUnit(a.name, b.name) || byCodeUnit(a.digest, b.digest))
  return {
    artifact_uri: run.info.artifactUri,
    artifacts: null,
    datasets,
    end_time: run.info.endTime,
    experiment_id: run.info.experimentId,
    latest_metrics: Object.fromEntries(
      run.data.metrics.map((metric) => [metric.key, formatPythonFloat(metric.value)]),
    ),
    lifecycle_stage: run.info.lifecycleStage,
    metric_history: history,
    params: record(run.data.params),
    run_id: run.info.runId,
    run_name: run.info.runName,
    start_time: run.info.startTime,
    status: run.info.status,
    tags: record(run.data.tags),
    user_id: run.info.userId,
  }
}

async function searchAllRuns(store: MetadataStore, experimentId: string): Promise<Run[]> {
  const runs: Run[] = []
  let pageToken: string | null = null
  do {
    const page: Awaited<ReturnType<MetadataStore['searchRuns']>> = await store.searchRuns({
      experimentIds: [experimentId],
      viewType: 'ALL',
      maxResults: 1000,
      pageToken,
    })
    runs.push(...page.items)
    pageToken = page.nextPageToken
  } while (pageToken !== null)
  return runs
}

/**
 * Reads every experiment (active and deleted), every run, every metric history and every dataset
 * input. Experiments are sorted by name and runs by (run_name, start_time, run_id), as in the
 * fixtures; map keys are sorted.
 */
export async function readBack(store: MetadataStore): Promise<ReadbackDocument> {
  const experiments: ReadbackExperiment[] = []
  let pageToken: string | null = null
  do {
    const page: Awaited<ReturnType<MetadataStore['searchExperiments']>> =
      await store.searchExperiments({ viewType: 'ALL', maxResults: 1000, pageToken })
    for (const experiment of page.items) {
      const found = await searchAllRuns(store, experiment.experimentId)
      const runs: ReadbackRun[] = []
      for (const run of found) runs.push(await readRun(store, run))
      runs.sort(
        (a, b) =>
          byCodeUnit(a.run_name, b.run_name) ||
          (a.start_time ?? 0) - (b.start_time ?? 0) ||
          byCodeUnit(a.run_id, b.run_id),
      )
      experiments.push({
        artifact_location: experiment.artifactLocation,
        creation_time: experiment.creationTime,
        experiment_id: experiment.experimentId,
        last_update_time: experiment.lastUpdateTime,
        lifecycle_stage: experiment.lifecycleStage,
        name: experiment.name,
        runs,
        tags: record(experiment.tags),
      })
    }
    pageToken = page.nextPageToken
  } while (pageToken !== null)
  experiments.sort((a, b) => byCodeUnit(a.name, b.name))
  return { experiments }
}

/** The fixture document without what a store cannot read back (`store_kind`), datasets sorted. */
export function expectedReadback(fixture: unknown): ReadbackDocument {
  const { experiments } = fixture as ReadbackDocument
  return {
    experiments: experiments.map((experiment) => ({
      ...experiment,
      runs: experiment.runs.map((run) => ({
        ...run,
        datasets: [...run.datasets].sort(
          (a, b) => byCodeUnit(a.name, b.name) || byCodeUnit(a.digest, b.digest),
        ),
      })),
    })),
  }
}
