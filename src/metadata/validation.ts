/**
 * MLflow's limits and key rules (FORMATS.md §5, `mlflow/utils/validation.py`), called at the top
 * of every write by every backend. Messages keep MLflow's wording.
 */
import { invalidParameter } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type {
  Dataset,
  DatasetInput,
  ExperimentTag,
  LogBatchOptions,
  Metric,
  Param,
  RunTag,
} from './metadata-store.js'

export const LIMITS = {
  entityKey: 250,
  paramValue: 6000,
  tagValue: 8000,
  experimentTagKey: 250,
  experimentTagValue: 5000,
  experimentName: 500,
  artifactLocation: 2048,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
  maxResults: 50000,
} as const

/** `\w` as Python's `re` understands it in Unicode mode: letters, numbers and underscore. */
const KEY_CHARACTERS = /^[\p{L}\p{N}_/.\- :]*$/u
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/
const FILE_EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/

export interface ValidationContext {
  /** MLFLOW_TRUNCATE_LONG_VALUES: cut long param and tag values instead of refusing them. */
  truncateLongValues: boolean
  logger: Logger
}

/** Python's `posixpath.normpath`, enough to decide whether a key would resolve to another. */
function normpath(name: string): string {
  if (name === '') return '.'
  const absolute = name.startsWith('/')
  const parts: string[] = []
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop()
    else if (part !== '..' || !absolute) parts.push(part)
  }
  const joined = parts.join('/')
  return absolute ? `/${joined}` : joined || '.'
}

/** Validates a metric, param or run tag key: MLflow's character set and path rules. */
export function validateKey(key: unknown, parameter = 'key'): string {
  if (typeof key !== 'string') {
    throw invalidParameter(`Missing value for required parameter '${parameter}'.`)
  }
  if (!KEY_CHARACTERS.test(key)) {
    throw invalidParameter(
      `Invalid value "${key}" for parameter '${parameter}' supplied: Names may only contain ` +
        'alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and ' +
        'slashes (/).',
    )
  }
  const normalized = normpath(key)
  if (normalized !== key || key === '.' || key.startsWith('..') || key.startsWith('/')) {
    throw invalidParameter(
      `Invalid value "${key}" for parameter '${parameter}' supplied: Names may be treated as ` +
        'files in certain cases, and must not resolve to other names when treated as such. ' +
        `This name would resolve to '${normalized}'`,
    )
  }
  if (key.length > LIMITS.entityKey) {
    throw invalidParameter(
      `'${parameter}' exceeds the maximum length of ${LIMITS.entityKey} characters: ` +
        `got ${key.length} characters`,
    )
  }
  return key
}

function limitLength(
  name: string,
  value: string,
  limit: number,
  context: ValidationContext | null,
): string {
  if (value.length <= limit) return value
  if (context?.truncateLongValues) {
    context.logger.warn(`${name} exceeds ${limit} characters and was truncated`, {
      length: value.length,
      limit,
    })
    return value.slice(0, limit)
  }
  throw invalidParameter(
    `'${name}' exceeds the maximum length of ${limit} characters: got ${value.length} characters`,
  )
}

function requireString(value: unknown, parameter: string): string {
  if (value === null || value === undefined) {
    throw invalidParameter(`Missing value for required parameter '${parameter}'.`)
  }
  if (typeof value !== 'string') {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(value)} for parameter '${parameter}' supplied: ` +
        'it must be a string.',
    )
  }
  return value
}

/** Validates a metric; returns it with its step defaulted to 0. */
export function validateMetric(metric: Metric, path = ''): Metric & { step: number } {
  validateKey(metric?.key, `${path}key`)
  const { value, timestamp } = metric
  if (value === null || value === undefined) {
    throw invalidParameter(`Missing value for required parameter '${path}value'.`)
  }
  if (typeof value !== 'number') {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(value)} for parameter '${path}value' supplied: ` +
        `metric '${metric.key}' must have a numeric (64-bit floating point) value.`,
    )
  }
  if (timestamp === null || timestamp === undefined) {
    throw invalidParameter(`Missing value for required parameter '${path}timestamp'.`)
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(timestamp)} for parameter '${path}timestamp' supplied: ` +
        `metric '${metric.key}' needs a timestamp in milliseconds that is a non-negative integer.`,
    )
  }
  const step = metric.step ?? 0
  if (!Number.isSafeInteger(step)) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(step)} for parameter '${path}step' supplied: ` +
        `metric '${metric.key}' needs an integer step between -(2^53-1) and 2^53-1.`,
    )
  }
  return { ...metric, step }
}

/** Validates a param; returns it with its value truncated when the context allows. */
export function validateParam(param: Param, context: ValidationContext, path = ''): Param {
  const key = validateKey(param?.key, `${path}key`)
  const value = requireString(param.value, `${path}value`)
  return { key, value: limitLength('Param value', value, LIMITS.paramValue, context) }
}

/**
 * Validates a run tag. `checkValueLength` false follows MLflow's file store, whose `set_tag`
 * checks only the key.
 */
export function validateRunTag(
  tag: RunTag,
  context: ValidationContext,
  path = '',
  checkValueLength = true,
): RunTag {
  const key = validateKey(tag?.key, `${path}key`)
  const value = requireString(tag.value, `${path}value`)
  if (!checkValueLength) return { key, value }
  return { key, value: limitLength('Tag value', value, LIMITS.tagValue, context) }
}

/** Experiment tags are refused, never truncated, beyond 250/5000 characters. */
export function validateExperimentTag(tag: ExperimentTag, checkValueLength = true): ExperimentTag {
  const key = validateKey(tag?.key)
  const value = requireString(tag.value, 'value')
  if (checkValueLength) limitLength('value', value, LIMITS.experimentTagValue, null)
  return { key, value }
}

export function validateExperimentName(name: unknown): string {
  if (name === null || name === undefined || name === '') {
    throw invalidParameter(`Invalid experiment name: ${JSON.stringify(name ?? null)}`)
  }
  if (typeof name !== 'string') {
    throw invalidParameter(
      `Invalid experiment name: ${JSON.stringify(name)}. Expects a string, got ${typeof name}`,
    )
  }
  return limitLength('name', name, LIMITS.experimentName, null)
}

export function validateArtifactLocation(location: string | undefined): void {
  if (location !== undefined && location.length > LIMITS.artifactLocation) {
    throw invalidParameter(
      `Invalid artifact location: it exceeds the maximum length of ` +
        `${LIMITS.artifactLocation} characters (got ${location.length})`,
    )
  }
}

/** The run id rule MLflow applies where ids become paths (file store, log_batch). */
export function validateRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw invalidParameter(`Invalid run ID: ${JSON.stringify(runId)}`)
  }
  return runId
}

/** The file store's experiment id rule (ids become folder names). */
export function validateFileExperimentId(experimentId: unknown): string {
  if (typeof experimentId !== 'string' || !FILE_EXPERIMENT_ID.test(experimentId)) {
    throw invalidParameter(`Invalid experiment ID: ${JSON.stringify(experimentId)}`)
  }
  return experimentId
}

/**
 * The SQL stores' experiment id rule: an integer. Returned as a `bigint`, which every driver
 * binds exactly, so 18-digit ids copied from a file store keep every digit.
 */
export function parseSqlExperimentId(experimentId: unknown): bigint {
  const text = typeof experimentId === 'number' ? String(experimentId) : experimentId
  if (typeof text !== 'string' || !/^-?\d+$/.test(text.trim())) {
    throw invalidParameter(
      `Invalid experiment ID '${String(experimentId)}'. ` +
        'Experiment ID must be a valid integer.',
    )
  }
  return BigInt(text.trim())
}

export interface ValidatedBatch {
  metrics: (Metric & { step: number })[]
  params: Param[]
  tags: RunTag[]
}

/** log_batch limits (1000 metrics, 100 params, 100 tags, 1000 in all) and duplicate params. */
export function validateBatch(
  batch: LogBatchOptions,
  context: ValidationContext,
  checkTagValueLength = true,
): ValidatedBatch {
  const metrics = batch.metrics ?? []
  const params = batch.params ?? []
  const tags = batch.tags ?? []
  const tooMany = (what: string, count: number, limit: number): never => {
    throw invalidParameter(
      `A batch logging request can contain at most ${limit} ${what}. Got ${count} ${what}. ` +
        'Please split up the values across multiple requests and try again.',
    )
  }
  if (metrics.length > LIMITS.batchMetrics) tooMany('metrics', metrics.length, LIMITS.batchMetrics)
  if (params.length > LIMITS.batchParams) tooMany('params', params.length, LIMITS.batchParams)
  if (tags.length > LIMITS.batchTags) tooMany('tags', tags.length, LIMITS.batchTags)
  const total = metrics.length + params.length + tags.length
  if (total > LIMITS.batchTotal) tooMany('metrics, params, and tags', total, LIMITS.batchTotal)

  const validated: ValidatedBatch = {
    metrics: metrics.map((metric, i) => validateMetric(metric, `metrics[${i}].`)),
    params: params.map((param, i) => validateParam(param, context, `params[${i}].`)),
    tags: tags.map((tag, i) => validateRunTag(tag, context, `tags[${i}].`, checkTagValueLength)),
  }
  const seen = new Map<string, string>()
  const duplicates = new Set<string>()
  for (const { key, value } of validated.params) {
    if (seen.has(key) && seen.get(key) !== value) duplicates.add(key)
    seen.set(key, value)
  }
  if (duplicates.size > 0) {
    throw invalidParameter(
      `Duplicate parameter keys have been submitted: [${[...duplicates]
        .map((key) => `'${key}'`)
        .join(', ')}]. Please ensure the request contains only one param value per param key.`,
    )
  }
  return validated
}

function requireNonEmpty(value: unknown, parameter: string): string {
  const text = requireString(value, parameter)
  if (text === '') throw invalidParameter(`Missing value for required parameter '${parameter}'.`)
  return text
}

function validateDataset(dataset: Dataset, path: string): Dataset {
  if (!dataset) throw invalidParameter(`Missing value for required parameter '${path}'.`)
  const name = requireNonEmpty(dataset.name, `${path}.name`)
  const digest = requireNonEmpty(dataset.digest, `${path}.digest`)
  const sourceType = requireNonEmpty(dataset.sourceType, `${path}.source_type`)
  const source = requireNonEmpty(dataset.source, `${path}.source`)
  limitLength('Dataset name', name, LIMITS.datasetName, null)
  limitLength('Dataset digest', digest, LIMITS.datasetDigest, null)
  limitLength('Dataset source', source, LIMITS.datasetSource, null)
  if (dataset.schema) limitLength('Dataset schema', dataset.schema, LIMITS.datasetSchema, null)
  if (dataset.profile) {
    limitLength('Dataset profile', dataset.profile, LIMITS.datasetProfile, null)
  }
  return {
    name,
    digest,
    sourceType,
    source,
    schema: dataset.schema ?? null,
    profile: dataset.profile ?? null,
  }
}

/**
 * Validates dataset inputs and collapses duplicates in one request (the same name and digest,
 * the first occurrence wins).
 */
export function validateDatasetInputs(inputs: DatasetInput[] | undefined): DatasetInput[] {
  const result: DatasetInput[] = []
  const seen = new Set<string>()
  for (const [i, input] of (inputs ?? []).entries()) {
    const dataset = validateDataset(input?.dataset, `datasets[${i}].dataset`)
    const tags = new Map<string, string>()
    for (const [j, tag] of (input.tags ?? []).entries()) {
      const key = requireNonEmpty(tag?.key, `datasets[${i}].tags[${j}].key`)
      const value = requireString(tag.value, `datasets[${i}].tags[${j}].value`)
      limitLength('Input tag key', key, LIMITS.inputTagKey, null)
      limitLength('Input tag value', value, LIMITS.inputTagValue, null)
      tags.set(key, value)
    }
    const identity = JSON.stringify([dataset.name, dataset.digest])
    if (seen.has(identity)) continue
    seen.add(identity)
    result.push({ dataset, tags: sortByKey([...tags].map(([key, value]) => ({ key, value }))) })
  }
  return result
}

/** Sorts key/value entries by key (code-unit order, as Python sorts strings). */
export function sortByKey<T extends { key: string }>(entries: T[]): T[] {
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

// ---------------------------------------------------------------------------------------------
// Logged models (MLflow 3)

const LOGGED_MODEL_NAME_FORBIDDEN = ['/', ':', '.', '%', '"', "'"]
/** Logged-model ids become folder names and fill VARCHAR(36) columns. */
const MODEL_ID = /^[A-Za-z0-9][\w-]{0,35}$/

/** MLflow's `_validate_logged_model_name`: non-empty, none of `/ : . % " '`. */
export function validateLoggedModelName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name === '' ||
    LOGGED_MODEL_NAME_FORBIDDEN.some((char) => name.includes(char))
  ) {
    throw invalidParameter(
      `Invalid model name (${JSON.stringify(name ?? null)}) provided. Model name must be a ` +
        'non-empty string and cannot contain the following characters: ' +
        `(${LOGGED_MODEL_NAME_FORBIDDEN.map((char) => JSON.stringify(char)).join(', ')})`,
    )
  }
  return name
}

/** A logged-model id as a store can hold it (it names a folder in the file store). */
export function validateModelId(modelId: unknown, parameter = 'model_id'): string {
  if (typeof modelId !== 'string' || !MODEL_ID.test(modelId)) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(modelId ?? null)} for parameter '${parameter}' supplied: ` +
        'expected a logged model id such as m-0123456789abcdef0123456789abcdef',
    )
  }
  return modelId
}

/** Logged-model tags and params: MLflow's key rules and a string value. */
export function validateLoggedModelEntries(
  entries: { key: string; value: string }[] | undefined,
  what: 'tags' | 'params',
): { key: string; value: string }[] {
  const byKey = new Map<string, string>()
  for (const [i, entry] of (entries ?? []).entries()) {
    const key = validateKey(entry?.key, `${what}[${i}].key`)
    byKey.set(key, requireString(entry.value, `${what}[${i}].value`))
  }
  return [...byKey].map(([key, value]) => ({ key, value }))
}

/** Model inputs of a run, duplicates collapsed. */
export function validateModelInputs(models: { modelId: string }[] | undefined): string[] {
  const ids = (models ?? []).map((model, i) => validateModelId(model?.modelId, `models[${i}]`))
  return [...new Set(ids)]
}

/** Model outputs of a run with their steps (default 0); the last step of an id wins. */
export function validateModelOutputs(
  models: { modelId: string; step?: number }[] | undefined,
): { modelId: string; step: number }[] {
  const byId = new Map<string, number>()
  for (const [i, model] of (models ?? []).entries()) {
    const modelId = validateModelId(model?.modelId, `models[${i}].model_id`)
    const step = model.step ?? 0
    if (!Number.isSafeInteger(step)) {
      throw invalidParameter(
        `Invalid value ${JSON.stringify(step)} for parameter 'models[${i}].step' supplied: ` +
          'it must be an integer.',
      )
    }
    byId.set(modelId, step)
  }
  return [...byId].map(([modelId, step]) => ({ modelId, step }))
}
