/**
 * MLflow's `search_logged_models` grammar: the filter (attributes, metrics, params and tags
 * joined with AND), the order_by entries (attributes or `metrics.<key>`, optionally restricted
 * to a dataset), the default ordering, the page token that remembers the search it belongs to,
 * and the in-memory evaluator the file store uses (SQL stores compile the same AST).
 */
import { invalidParameter } from '../../core/errors.js'
import type {
  LoggedModel,
  LoggedModelOrderBy,
  SearchLoggedModelsOptions,
} from '../metadata-store.js'
import type { ListComparator, NumericComparator, SourceSpan, StringComparator } from './ast.js'
import { compareCodePoints, compareNumber, compareSortValues, compareString } from './evaluate.js'
import {
  LIST_COMPARATORS,
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  checkComparator,
  isListComparator,
  metricClause,
  parseConjunction,
  readComparator,
  readList,
  readNumber,
  readString,
} from './filter-parser.js'
import type { Comparator } from './filter-parser.js'
import { validateMaxResults } from './page-token.js'
import { parseIdentifier, pySet } from './syntax.js'
import type { Cursor } from './syntax.js'

export type LoggedModelStringAttribute =
  'name' | 'model_id' | 'model_type' | 'status' | 'source_run_id'
export type LoggedModelNumericAttribute = 'creation_timestamp' | 'last_updated_timestamp'
export type LoggedModelAttribute = LoggedModelStringAttribute | LoggedModelNumericAttribute

export type LoggedModelClause =
  | { type: 'metric'; key: string; comparator: NumericComparator; value: number; span: SourceSpan }
  | {
      type: 'param' | 'tag'
      key: string
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  | {
      type: 'attribute'
      key: LoggedModelStringAttribute
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  | {
      type: 'attribute'
      key: LoggedModelStringAttribute
      comparator: ListComparator
      values: string[]
      span: SourceSpan
    }
  | {
      type: 'attribute'
      key: LoggedModelNumericAttribute
      comparator: NumericComparator
      value: number
      span: SourceSpan
    }

export type LoggedModelOrderKey =
  | { type: 'attribute'; key: LoggedModelAttribute; ascending: boolean }
  | {
      type: 'metric'
      key: string
      ascending: boolean
      datasetName: string | null
      datasetDigest: string | null
    }

/** `SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT` in MLflow. */
export const LOGGED_MODEL_MAX_RESULTS_DEFAULT = 100

const STRING_ATTRIBUTES: readonly LoggedModelStringAttribute[] = [
  'name',
  'model_id',
  'model_type',
  'status',
  'source_run_id',
]
const ATTRIBUTE_ALIASES: Readonly<Record<string, LoggedModelNumericAttribute>> = {
  creation_timestamp: 'creation_timestamp',
  creation_time: 'creation_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
  last_updated_time: 'last_updated_timestamp',
}
export const LOGGED_MODEL_ATTRIBUTE_KEYS: readonly string[] = [
  ...STRING_ATTRIBUTES,
  ...Object.keys(ATTRIBUTE_ALIASES),
]

const ENTITY_TYPES: Readonly<Record<string, 'metric' | 'param' | 'tag' | 'attribute'>> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
}
const STRING_LIST: readonly Comparator[] = [...STRING_COMPARATORS, ...LIST_COMPARATORS]
const IDENTIFIER = 'an identifier such as name, status, metrics.<key>, params.<key> or tags.<key>'

function parseClause(cursor: Cursor): LoggedModelClause {
  const id = parseIdentifier(cursor, IDENTIFIER)
  const start = id.start
  const type = id.type === null ? 'attribute' : ENTITY_TYPES[id.type]
  if (type === undefined) {
    return cursor.fail(
      id.typeStart,
      `Invalid entity type '${id.type}'. Valid values are ['metrics', 'params', 'tags', ` +
        "'attributes']",
    )
  }
  const token = cursor.peek()
  if (type === 'metric') {
    const raw = readComparator(cursor, NUMERIC_COMPARATORS)
    return metricClause(cursor, token, raw, id.key, start)
  }
  if (type === 'param' || type === 'tag') {
    const raw = readComparator(cursor, STRING_COMPARATORS)
    const label = type === 'param' ? 'parameter' : 'tag'
    const comparator = checkComparator(
      cursor,
      token,
      raw,
      STRING_COMPARATORS,
      `${label} '${id.key}'`,
    )
    const value = readString(
      cursor,
      (found) =>
        `Expected a quoted string value for ${label} (e.g. 'my-value'). Got value ${found.text}`,
    )
    return { type, key: id.key, comparator, value: value.value, span: { start, end: value.end } }
  }
  if (!LOGGED_MODEL_ATTRIBUTE_KEYS.includes(id.key)) {
    return cursor.fail(
      id.keyStart,
      `Invalid attribute key '${id.key}' specified. Valid keys are ` +
        `'${pySet(LOGGED_MODEL_ATTRIBUTE_KEYS)}'`,
    )
  }
  const numeric = ATTRIBUTE_ALIASES[id.key]
  if (numeric !== undefined) {
    const raw = readComparator(cursor, NUMERIC_COMPARATORS)
    const comparator = checkComparator(
      cursor,
      token,
      raw,
      NUMERIC_COMPARATORS,
      `attribute '${numeric}'`,
    )
    const value = readNumber(
      cursor,
      (found) =>
        `Expected numeric value type for numeric attribute: ${numeric}. Found ${found.text}`,
    )
    if (!Number.isSafeInteger(value.value)) {
      cursor.fail(
        value.token.start,
        `Expected an integer value for numeric attribute: ${numeric}. Found ${value.token.text}`,
      )
    }
    return {
      type,
      key: numeric,
      comparator,
      value: value.value,
      span: { start, end: value.end },
    }
  }
  const key = id.key as LoggedModelStringAttribute
  const raw = readComparator(cursor, STRING_LIST)
  const comparator = checkComparator(cursor, token, raw, STRING_LIST, `attribute '${key}'`)
  if (isListComparator(comparator)) {
    const list = readList(cursor)
    return { type, key, comparator, values: list.value, span: { start, end: list.end } }
  }
  const value = readString(
    cursor,
    (found) => `Expected a quoted string value for attributes. Got value ${found.text}`,
  )
  return {
    type,
    key,
    comparator: comparator as StringComparator,
    value: value.value,
    span: { start, end: value.end },
  }
}

/**
 * Parses a `search_logged_models` filter into a conjunction of clauses (`[]` when blank).
 * @throws INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseLoggedModelFilter(filter: string | undefined): LoggedModelClause[] {
  return parseConjunction(filter, parseClause)
}

/**
 * Parses order_by entries and appends MLflow's tie-breakers: `creation_timestamp DESC` unless
 * already ordered, then `model_id ASC` unless already ordered.
 * @throws INVALID_PARAMETER_VALUE for an unknown field or a digest without a dataset name.
 */
export function parseLoggedModelOrderBy(
  orderBy: readonly LoggedModelOrderBy[] | undefined,
): LoggedModelOrderKey[] {
  const keys = (orderBy ?? []).map((entry): LoggedModelOrderKey => {
    const fieldName = entry?.fieldName
    if (typeof fieldName !== 'string' || fieldName === '') {
      throw invalidParameter('`field_name` in the `order_by` clause must be specified.')
    }
    const ascending = entry.ascending ?? true
    if (typeof ascending !== 'boolean') {
      throw invalidParameter(
        'Value of `ascending` in the `order_by` clause must be a boolean, got ' +
          `${typeof ascending} for field ${fieldName}.`,
      )
    }
    if (entry.datasetDigest && !entry.datasetName) {
      throw invalidParameter(
        '`dataset_digest` can only be specified if `dataset_name` is also specified.',
      )
    }
    const dot = fieldName.indexOf('.')
    if (dot >= 0) {
      const entity = fieldName.slice(0, dot)
      if (entity !== 'metrics') {
        throw invalidParameter(
          `Invalid order by field name: ${entity}, only \`metrics.<name>\` is allowed.`,
        )
      }
      return {
        type: 'metric',
        key: fieldName.slice(dot + 1),
        ascending,
        datasetName: entry.datasetName || null,
        datasetDigest: entry.datasetDigest || null,
      }
    }
    const name = fieldName.trim()
    const key =
      ATTRIBUTE_ALIASES[name] ??
      (STRING_ATTRIBUTES as readonly string[]).find((attribute) => attribute === name)
    if (key === undefined) throw invalidParameter(`Invalid order by field name: ${fieldName}.`)
    return { type: 'attribute', key: key as LoggedModelAttribute, ascending }
  })
  const has = (key: LoggedModelAttribute) =>
    keys.some((entry) => entry.type === 'attribute' && entry.key === key)
  if (!has('creation_timestamp')) {
    keys.push({ type: 'attribute', key: 'creation_timestamp', ascending: false })
  }
  if (!has('model_id')) keys.push({ type: 'attribute', key: 'model_id', ascending: true })
  return keys
}

// ---------------------------------------------------------------------------------------------
// Page tokens

/** Python's `json.dumps` with default separators and `ensure_ascii`. */
function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  const entries = Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([key, item]) => `${pythonJson(key)}: ${pythonJson(item)}`).join(', ')}}`
}

/** The order_by entries as MLflow's REST handler passes them to the store (and tokens hold). */
function orderByDicts(orderBy: readonly LoggedModelOrderBy[] | undefined) {
  if (!orderBy || orderBy.length === 0) return null
  return orderBy.map((entry) => ({
    field_name: entry.fieldName,
    ascending: entry.ascending ?? true,
    ...(entry.datasetName ? { dataset_name: entry.datasetName } : {}),
    ...(entry.datasetDigest ? { dataset_digest: entry.datasetDigest } : {}),
  }))
}

export interface LoggedModelSearchIdentity {
  experimentIds: readonly string[]
  filter?: string | undefined
  orderBy?: readonly LoggedModelOrderBy[] | undefined
}

/**
 * MLflow's logged-model page token: base64 of `{"experiment_ids": […], "filter_string": …,
 * "order_by": …, "offset": N}`, so a token only continues the search that made it.
 */
export function encodeLoggedModelPageToken(
  search: LoggedModelSearchIdentity,
  offset: number,
): string {
  const text = pythonJson({
    experiment_ids: [...search.experimentIds],
    filter_string: search.filter || null,
    order_by: orderByDicts(search.orderBy),
    offset,
  })
  return Buffer.from(text, 'utf8').toString('base64')
}

/**
 * The offset a token continues from (0 without a token).
 * @throws INVALID_PARAMETER_VALUE for an unreadable token or one made by another search.
 */
export function decodeLoggedModelPageToken(
  token: string | null | undefined,
  search: LoggedModelSearchIdentity,
): number {
  if (token === undefined || token === null || token === '') return 0
  let parsed: Record<string, unknown>
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error()
    parsed = value as Record<string, unknown>
  } catch (error) {
    throw invalidParameter(`Invalid page token: ${token}.`, error)
  }
  const same = (a: unknown, b: unknown) => pythonJson(a ?? null) === pythonJson(b ?? null)
  const expectedIds = [...search.experimentIds]
  if (!same(parsed.experiment_ids, expectedIds)) {
    throw invalidParameter(
      'Experiment IDs in the page token do not match the requested experiment IDs. ' +
        `Expected: ${pythonJson(expectedIds)}. Found: ${pythonJson(parsed.experiment_ids)}`,
    )
  }
  if (!same(parsed.filter_string || null, search.filter || null)) {
    throw invalidParameter(
      'Filter string in the page token does not match the requested filter string. ' +
        `Expected: ${search.filter ?? null}. Found: ${String(parsed.filter_string ?? null)}`,
    )
  }
  const orderBy = orderByDicts(search.orderBy)
  const tokenOrder = Array.isArray(parsed.order_by) && parsed.order_by.length > 0
  if (!same(tokenOrder ? parsed.order_by : null, orderBy)) {
    throw invalidParameter(
      'Order by in the page token does not match the requested order by. ' +
        `Expected: ${pythonJson(orderBy)}. Found: ${pythonJson(parsed.order_by)}`,
    )
  }
  const offset = parsed.offset ?? 0
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidParameter(`Invalid page token: ${token}. The offset is not an integer.`)
  }
  return offset
}

// ---------------------------------------------------------------------------------------------
// In-memory evaluation

type DatasetFilterSet = readonly { datasetName: string; datasetDigest?: string | undefined }[]

function onDatasets(
  metric: { datasetName: string | null; datasetDigest: string | null },
  datasets: DatasetFilterSet,
): boolean {
  return datasets.some(
    (dataset) =>
      metric.datasetName === dataset.datasetName &&
      (!dataset.datasetDigest || metric.datasetDigest === dataset.datasetDigest),
  )
}

/** A string attribute of a logged model by its MLflow name (`null` when unset). */
export function loggedModelStringAttribute(
  model: LoggedModel,
  key: LoggedModelStringAttribute,
): string | null {
  switch (key) {
    case 'name':
      return model.name
    case 'model_id':
      return model.modelId
    case 'model_type':
      return model.modelType
    case 'status':
      return model.status
    case 'source_run_id':
      return model.sourceRunId
  }
}

function numericAttribute(model: LoggedModel, key: LoggedModelNumericAttribute): number {
  return key === 'creation_timestamp' ? model.creationTimestamp : model.lastUpdatedTimestamp
}

/** Whether a string attribute value satisfies a string or list clause. */
export function matchesStringValue(
  lhs: string,
  clause:
    | { comparator: StringComparator; value: string }
    | {
        comparator: ListComparator
        values: string[]
      },
): boolean {
  if ('values' in clause) {
    return clause.comparator === 'IN' ? clause.values.includes(lhs) : !clause.values.includes(lhs)
  }
  return compareString(lhs, clause.comparator, clause.value)
}

function matchesClause(
  clause: LoggedModelClause,
  model: LoggedModel,
  datasets: DatasetFilterSet,
): boolean {
  switch (clause.type) {
    case 'metric':
      return model.metrics.some(
        (metric) =>
          metric.key === clause.key &&
          (datasets.length === 0 || onDatasets(metric, datasets)) &&
          compareNumber(metric.value, clause.comparator, clause.value),
      )
    case 'param':
    case 'tag': {
      const entries = clause.type === 'param' ? model.params : model.tags
      const entry = entries.find((item) => item.key === clause.key)
      return entry !== undefined && compareString(entry.value, clause.comparator, clause.value)
    }
    case 'attribute': {
      if ('values' in clause) {
        const lhs = loggedModelStringAttribute(model, clause.key)
        return lhs !== null && matchesStringValue(lhs, clause)
      }
      if (typeof clause.value === 'number') {
        const numeric = clause as Extract<LoggedModelClause, { key: LoggedModelNumericAttribute }>
        return compareNumber(
          numericAttribute(model, numeric.key),
          numeric.comparator,
          numeric.value,
        )
      }
      const text = clause as Extract<LoggedModelClause, { value: string; type: 'attribute' }>
      const lhs = loggedModelStringAttribute(model, text.key)
      return lhs !== null && compareString(lhs, text.comparator, text.value)
    }
  }
}

/**
 * Whether a logged model satisfies every clause and, with dataset filters, has a metric on one
 * of the datasets (metric clauses then only look at metrics on those datasets).
 */
export function matchesLoggedModel(
  clauses: readonly LoggedModelClause[],
  datasets: DatasetFilterSet,
  model: LoggedModel,
): boolean {
  if (
    datasets.length > 0 &&
    !clauses.some((clause) => clause.type === 'metric') &&
    !model.metrics.some((metric) => onDatasets(metric, datasets))
  ) {
    return false
  }
  return clauses.every((clause) => matchesClause(clause, model, datasets))
}

/** The value a metric order key sorts by: the latest (timestamp, then step) matching value. */
export function loggedModelMetricSortValue(
  model: LoggedModel,
  key: Extract<LoggedModelOrderKey, { type: 'metric' }>,
): number | null {
  let best: LoggedModel['metrics'][number] | null = null
  for (const metric of model.metrics) {
    if (metric.key !== key.key) continue
    if (key.datasetName && metric.datasetName !== key.datasetName) continue
    if (key.datasetDigest && metric.datasetDigest !== key.datasetDigest) continue
    if (
      best === null ||
      metric.timestamp > best.timestamp ||
      (metric.timestamp === best.timestamp && metric.step > best.step)
    ) {
      best = metric
    }
  }
  return best === null ? null : best.value
}

/** A comparator ordering logged models by parsed order keys (missing values last). */
export function compareLoggedModels(
  keys: readonly LoggedModelOrderKey[],
): (a: LoggedModel, b: LoggedModel) => number {
  const value = (model: LoggedModel, key: LoggedModelOrderKey): string | number | null => {
    if (key.type === 'metric') return loggedModelMetricSortValue(model, key)
    if (key.key === 'creation_timestamp' || key.key === 'last_updated_timestamp') {
      return numericAttribute(model, key.key)
    }
    return loggedModelStringAttribute(model, key.key)
  }
  return (a, b) => {
    for (const key of keys) {
      const order = compareSortValues(
        value(a, key),
        value(b, key),
        key.ascending,
        compareCodePoints,
      )
      if (order !== 0) return order
    }
    return 0
  }
}

/** The contract's order of logged-model metrics: key, step, timestamp, run id. */
export function sortLoggedModelMetrics<
  T extends { key: string; step: number; timestamp: number; runId: string },
>(metrics: T[]): T[] {
  return metrics.sort(
    (a, b) =>
      compareCodePoints(a.key, b.key) ||
      a.step - b.step ||
      a.timestamp - b.timestamp ||
      compareCodePoints(a.runId, b.runId),
  )
}

/** A `searchLoggedModels` request checked and parsed, as every backend needs it. */
export interface PreparedLoggedModelSearch {
  datasets: NonNullable<SearchLoggedModelsOptions['datasets']>
  maxResults: number
  clauses: LoggedModelClause[]
  order: ReturnType<typeof parseLoggedModelOrderBy>
  identity: LoggedModelSearchIdentity
  offset: number
}

/**
 * Validates and parses the options of `searchLoggedModels`: dataset clauses, max_results
 * (default 100), filter, order_by and the page token, which must come from the same search.
 * @throws INVALID_PARAMETER_VALUE naming the bad part.
 */
export function prepareLoggedModelSearch(
  options: SearchLoggedModelsOptions,
): PreparedLoggedModelSearch {
  const datasets = options.datasets ?? []
  if (datasets.some((dataset) => !dataset?.datasetName)) {
    throw invalidParameter('`dataset_name` in the `datasets` clause must be specified.')
  }
  const maxResults = validateMaxResults(options.maxResults, {
    defaultValue: LOGGED_MODEL_MAX_RESULTS_DEFAULT,
    max: Number.MAX_SAFE_INTEGER,
  })
  const clauses = parseLoggedModelFilter(options.filter)
  const order = parseLoggedModelOrderBy(options.orderBy)
  const identity = {
    experimentIds: options.experimentIds ?? [],
    filter: options.filter,
    orderBy: options.orderBy,
  }
  const offset = decodeLoggedModelPageToken(options.pageToken, identity)
  return { datasets, maxResults, clauses, order, identity, offset }
}
