/**
 * Reads logged models, run inputs/outputs and the registry back through trackstore's contracts
 * into the JSON shape of MLflow's read-backs in `fixtures-models/readback-*.json`, so the
 * fixture tests can compare them field by field. Ids and paths are compared raw: the fixture
 * stores them as MLflow wrote them, and the read-backs hold the same text.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type {
  LoggedModelMetric,
  MetadataStore,
  ModelRegistryStore,
  ModelVersion,
} from '../../src/index.js'
import { formatPythonFloat } from '../support/readback.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const MODELS_FIXTURE = path.resolve(
  repoRoot,
  '..',
  'shared',
  'mlflow-reference',
  'fixtures-models',
)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

/** A copy of `value` without `keys`. */
function omit(value: Json, ...keys: string[]): Json {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)))
}

const record = (entries: { key: string; value: string }[]) =>
  Object.fromEntries(entries.map((entry) => [entry.key, entry.value]))

/** A metric as the read-backs print it; `withStep` false drops the step. */
export function metricJson(metric: LoggedModelMetric): Json {
  return {
    dataset_digest: metric.datasetDigest,
    dataset_name: metric.datasetName,
    key: metric.key,
    model_id: metric.modelId,
    run_id: metric.runId,
    step: metric.step,
    timestamp: metric.timestamp,
    value: formatPythonFloat(metric.value),
  }
}

const metricOrder = (a: Json, b: Json) =>
  `${a.key}\u0000${a.step}\u0000${a.timestamp}\u0000${a.run_id}` <
  `${b.key}\u0000${b.step}\u0000${b.timestamp}\u0000${b.run_id}`
    ? -1
    : 1

/** Sorts metric lists (MLflow's read-backs keep the stores' own order). */
export const sortMetrics = (metrics: Json[]): Json[] => [...metrics].sort(metricOrder)

/** A logged model in the read-back shape, without `artifacts` (the artifact store's business). */
export async function loggedModelJson(store: MetadataStore, modelId: string): Promise<Json> {
  const model = await store.getLoggedModel(modelId)
  return {
    artifact_location: model.artifactLocation,
    creation_timestamp: model.creationTimestamp,
    experiment_id: model.experimentId,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    lifecycle_stage: model.lifecycleStage,
    metrics: sortMetrics(model.metrics.map(metricJson)),
    model_id: model.modelId,
    model_type: model.modelType,
    name: model.name,
    params: record(model.params),
    source_run_id: model.sourceRunId,
    status: model.status,
    status_message: model.statusMessage,
    tags: record(model.tags),
  }
}

/** The expected logged model, in the same shape. */
export function expectedLoggedModel(expected: Json): Json {
  const rest = omit(expected, 'artifacts')
  return { ...rest, metrics: sortMetrics(rest.metrics) }
}

/** The run fields the models fixture adds (inputs, outputs) plus the usual ones. */
export async function runJson(store: MetadataStore, runId: string): Promise<Json> {
  const run = await store.getRun(runId)
  return {
    artifact_uri: run.info.artifactUri,
    dataset_inputs: run.inputs.datasetInputs.map((input) => ({
      digest: input.dataset.digest,
      name: input.dataset.name,
      profile: input.dataset.profile ?? null,
      schema: input.dataset.schema ?? null,
      source: input.dataset.source,
      source_type: input.dataset.sourceType,
      tags: record(input.tags),
    })),
    end_time: run.info.endTime,
    experiment_id: run.info.experimentId,
    latest_metrics: Object.fromEntries(
      run.data.metrics.map((metric) => [metric.key, formatPythonFloat(metric.value)]),
    ),
    lifecycle_stage: run.info.lifecycleStage,
    model_inputs: run.inputs.modelInputs.map((input) => input.modelId),
    model_outputs: run.outputs.modelOutputs.map((output) => ({
      model_id: output.modelId,
      step: output.step,
    })),
    params: record(run.data.params),
    run_id: run.info.runId,
    run_name: run.info.runName,
    start_time: run.info.startTime,
    status: run.info.status,
    tags: record(run.data.tags),
  }
}

/** The expected run without its metric history (compared on its own). */
export function expectedRun(expected: Json): Json {
  const rest = omit(expected, 'metric_history')
  return {
    ...rest,
    model_inputs: [...rest.model_inputs].sort(),
    model_outputs: [...rest.model_outputs].sort((a: Json, b: Json) =>
      a.model_id < b.model_id ? -1 : 1,
    ),
  }
}

function versionJson(version: ModelVersion, downloadUri: string): Json {
  return {
    aliases: version.aliases,
    creation_timestamp: version.creationTimestamp,
    current_stage: version.currentStage,
    description: version.description,
    download_uri: downloadUri,
    last_updated_timestamp: version.lastUpdatedTimestamp,
    model_id: version.modelId,
    name: version.name,
    run_id: version.runId,
    run_link: version.runLink,
    source: version.source,
    status: version.status,
    status_message: version.statusMessage,
    tags: record(version.tags),
    user_id: version.userId,
    version: version.version,
  }
}

/**
 * A registered model with its versions. A version's params and metrics are those of its logged
 * model, read from the tracking store, which is what MLflow's file registry fills them from.
 */
export async function registeredModelJson(
  registry: ModelRegistryStore,
  tracking: MetadataStore,
  name: string,
): Promise<Json> {
  const model = await registry.getRegisteredModel(name)
  const versions = await registry.searchModelVersions({
    filter: `name = '${name}'`,
    orderBy: ['version_number ASC'],
  })
  const versionJsons = []
  for (const version of versions.items) {
    const json = versionJson(
      version,
      await registry.getModelVersionDownloadUri(name, version.version),
    )
    const logged = version.modelId ? await tracking.getLoggedModel(version.modelId) : null
    json.params = logged ? record(logged.params) : {}
    json.metrics = logged ? sortMetrics(logged.metrics.map(metricJson)) : []
    versionJsons.push(json)
  }
  return {
    aliases: Object.fromEntries(model.aliases.map((alias) => [alias.alias, alias.version])),
    creation_timestamp: model.creationTimestamp,
    description: model.description,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    latest_versions_by_stage: model.latestVersions
      .map((version) => `${version.currentStage}:${version.version}`)
      .sort(),
    name: model.name,
    tags: record(model.tags),
    versions: versionJsons,
  }
}

/**
 * The expected registered model: deployment-job fields (not in the contract) left out, alias
 * versions as strings (the REST API's type; MLflow's SQL entity holds ints).
 */
export function expectedRegisteredModel(expected: Json): Json {
  const rest = omit(expected, 'deployment_job_id')
  return {
    ...rest,
    aliases: Object.fromEntries(
      Object.entries(rest.aliases as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    ),
    latest_versions_by_stage: [...rest.latest_versions_by_stage].sort(),
    versions: rest.versions.map((version: Json) => {
      const fields = omit(version, 'deployment_job_state')
      return { ...fields, metrics: sortMetrics(fields.metrics) }
    }),
  }
}
