/**
 * The model registry's search grammars (MLflow's `SearchModelUtils` and
 * `SearchModelVersionUtils`): filters and order_by of `search_registered_models` and
 * `search_model_versions`, with MLflow's defaults and tie-breakers, and their in-memory
 * evaluators for the file registry (the SQL registry compiles the same clauses).
 */
import { invalidParameter } from '../../core/errors.js'
import type { ListComparator, NumericComparator, SourceSpan, StringComparator } from './ast.js'
import { compareCodePoints, compareNumber, compareSortValues, compareString } from './evaluate.js'
import {
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  checkComparator,
  parseConjunction,
  readComparator,
  readList,
  readNumber,
  readString,
} from './filter-parser.js'
import type { Comparator } from './filter-parser.js'
import { Cursor, parseIdentifier, pySet } from './syntax.js'
import type { RawIdentifier } from './syntax.js'

export type RegisteredModelClause =
  | {
      type: 'attribute'
      key: 'name'
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  | { type: 'tag'; key: string; comparator: StringComparator; value: string; span: SourceSpan }

export type ModelVersionStringAttribute = 'name' | 'run_id' | 'source_path'

export type ModelVersionClause =
  | {
      type: 'attribute'
      key: ModelVersionStringAttribute
      comparator: StringComparator
      value: string
      span: SourceSpan
    }
  | {
      type: 'attribute'
      key: 'run_id'
      comparator: ListComparator
      values: string[]
      span: SourceSpan
    }
  | {
      type: 'attribute'
      key: 'version_number'
      comparator: NumericComparator
      value: number
      span: SourceSpan
    }
  | { type: 'tag'; key: string; comparator: StringComparator; value: string; span: SourceSpan }

export type RegisteredModelOrderField = 'name' | 'creation_timestamp' | 'last_updated_timestamp'
export type ModelVersionOrderField = RegisteredModelOrderField | 'version_number'

export interface RegistryOrderKey<F extends string> {
  key: F
  ascending: boolean
}

/** `SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT` / `_THRESHOLD` in MLflow. */
export const REGISTERED_MODEL_MAX_RESULTS = { defaultValue: 100, max: 1000 } as const
/** `SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT` / `_THRESHOLD` in MLflow. */
export const MODEL_VERSION_MAX_RESULTS = { defaultValue: 10000, max: 200000 } as const

const ENTITY_TYPES = "('attribute', 'tag', 'tags')"
const STRING_AND_IN: readonly Comparator[] = [...STRING_COMPARATORS, 'IN']

function entityOf(cursor: Cursor, id: RawIdentifier): 'attribute' | 'tag' {
  if (id.type === null || id.type === 'attribute') return 'attribute'
  if (id.type === 'tag' || id.type === 'tags') return 'tag'
  return cursor.fail(
    id.typeStart,
    `Invalid entity type '${id.type}'. Valid entity types are ${ENTITY_TYPES}`,
  )
}

function tagClause(cursor: Cursor, id: RawIdentifier) {
  const token = cursor.peek()
  const raw = readComparator(cursor, STRING_COMPARATORS)
  const comparator = checkComparator(cursor, token, raw, STRING_COMPARATORS, `tag '${id.key}'`)
  const value = readString(
    cursor,
    (found) => `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${found.text}`,
  )
  return {
    type: 'tag' as const,
    key: id.key,
    comparator,
    value: value.value,
    span: { start: id.start, end: value.end },
  }
}

function unknownAttribute(cursor: Cursor, id: RawIdentifier, valid: readonly string[]): never {
  return cursor.fail(
    id.keyStart,
    `Invalid attribute key '${id.key}' specified. Valid keys are '${pySet(valid)}'`,
  )
}

function stringValue(cursor: Cursor) {
  return readString(
    cursor,
    (found) =>
      'Expected a quoted string value or a list of quoted string values for attributes. ' +
      `Got value ${found.text}`,
  )
}

function parseRegisteredModelClause(cursor: Cursor): RegisteredModelClause {
  const id = parseIdentifier(cursor, 'an identifier such as name or tags.<key>')
  if (entityOf(cursor, id) === 'tag') return tagClause(cursor, id)
  if (id.key !== 'name') unknownAttribute(cursor, id, ['name'])
  const token = cursor.peek()
  const raw = readComparator(cursor, STRING_COMPARATORS)
  const comparator = checkComparator(cursor, token, raw, STRING_COMPARATORS, "attribute 'name'")
  const value = stringValue(cursor)
  return {
    type: 'attribute',
    key: 'name',
    comparator,
    value: value.value,
    span: { start: id.start, end: value.end },
  }
}

const VERSION_ATTRIBUTES = ['name', 'version_number', 'run_id', 'source_path'] as const

function parseModelVersionClause(cursor: Cursor): ModelVersionClause {
  const id = parseIdentifier(
    cursor,
    'an identifier such as name, run_id, version_number, source_path or tags.<key>',
  )
  if (entityOf(cursor, id) === 'tag') return tagClause(cursor, id)
  if (!(VERSION_ATTRIBUTES as readonly string[]).includes(id.key)) {
    unknownAttribute(cursor, id, VERSION_ATTRIBUTES)
  }
  const start = id.start
  const token = cursor.peek()
  if (id.key === 'version_number') {
    const raw = readComparator(cursor, NUMERIC_COMPARATORS)
    const comparator = checkComparator(
      cursor,
      token,
      raw,
      NUMERIC_COMPARATORS,
      "attribute 'version_number'",
    )
    const value = readNumber(
      cursor,
      (found) => `Expected a numeric value for attribute 'version_number'. Got ${found.text}`,
    )
    return {
      type: 'attribute',
      key: 'version_number',
      comparator,
      value: value.value,
      span: { start, end: value.end },
    }
  }
  const key = id.key as ModelVersionStringAttribute
  const raw = readComparator(cursor, STRING_AND_IN)
  const comparator = checkComparator(cursor, token, raw, STRING_AND_IN, `attribute '${key}'`)
  if (comparator === 'IN') {
    if (key !== 'run_id') {
      cursor.fail(
        cursor.peek().start,
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      )
    }
    const list = readList(cursor)
    return {
      type: 'attribute',
      key: 'run_id',
      comparator,
      values: list.value,
      span: { start, end: list.end },
    }
  }
  const value = stringValue(cursor)
  return {
    type: 'attribute',
    key,
    comparator: comparator as StringComparator,
    value: value.value,
    span: { start, end: value.end },
  }
}

/** @throws INVALID_PARAMETER_VALUE naming the offending token and its position. */
export function parseRegisteredModelFilter(filter: string | undefined): RegisteredModelClause[] {
  return parseConjunction(filter, parseRegisteredModelClause)
}

/** @throws INVALID_PARAMETER_VALUE naming the offending token and its position. */
export function parseModelVersionFilter(filter: string | undefined): ModelVersionClause[] {
  return parseConjunction(filter, parseModelVersionClause)
}

function parseOrderBy<F extends string>(
  orderBy: readonly string[] | undefined,
  valid: readonly F[],
): RegistryOrderKey<F>[] {
  return (orderBy ?? []).map((entry) => {
    const cursor = new Cursor(entry, `Invalid order_by clause '${entry}'`)
    const id = parseIdentifier(cursor, `one of ${valid.join(', ')}`)
    if (id.type !== null && id.type !== 'attribute') {
      cursor.fail(id.typeStart, `Invalid order_by entity: ${id.type}`)
    }
    if (!(valid as readonly string[]).includes(id.key)) unknownAttribute(cursor, id, valid)
    const hasDirection = cursor.isKeyword('ASC') || cursor.isKeyword('DESC')
    const ascending = hasDirection ? cursor.next().text.toUpperCase() === 'ASC' : true
    if (!cursor.atEnd()) cursor.unexpected(cursor.peek(), 'ASC, DESC or the end of the clause')
    return { key: id.key as F, ascending }
  })
}

/** Registered-model order_by with MLflow's tie-breaker `name ASC`. */
export function parseRegisteredModelOrderBy(
  orderBy: readonly string[] | undefined,
): RegistryOrderKey<RegisteredModelOrderField>[] {
  const keys = parseOrderBy(orderBy, [
    'name',
    'creation_timestamp',
    'last_updated_timestamp',
  ] as const)
  if (!keys.some((key) => key.key === 'name')) keys.push({ key: 'name', ascending: true })
  return keys
}

/**
 * Model-version order_by; without one, MLflow's default `last_updated_timestamp DESC`, then the
 * tie-breakers `name ASC` and `version_number DESC`.
 */
export function parseModelVersionOrderBy(
  orderBy: readonly string[] | undefined,
): RegistryOrderKey<ModelVersionOrderField>[] {
  const keys = parseOrderBy(
    orderBy && orderBy.length > 0 ? orderBy : ['last_updated_timestamp DESC'],
    ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'] as const,
  )
  if (!keys.some((key) => key.key === 'name')) keys.push({ key: 'name', ascending: true })
  if (!keys.some((key) => key.key === 'version_number')) {
    keys.push({ key: 'version_number', ascending: false })
  }
  return keys
}

// ---------------------------------------------------------------------------------------------
// In-memory evaluation (file registry)

export interface RegisteredModelFields {
  name: string
  creationTimestamp: number | null
  lastUpdatedTimestamp: number | null
  tags: { key: string; value: string }[]
}

export interface ModelVersionFields extends RegisteredModelFields {
  version: string
  runId: string | null
  source: string | null
}

function tagMatches(
  tags: { key: string; value: string }[],
  clause: { key: string; comparator: StringComparator; value: string },
): boolean {
  const tag = tags.find((entry) => entry.key === clause.key)
  return tag !== undefined && compareString(tag.value, clause.comparator, clause.value)
}

export function matchesRegisteredModel(
  clauses: readonly RegisteredModelClause[],
  model: RegisteredModelFields,
): boolean {
  return clauses.every((clause) =>
    clause.type === 'tag'
      ? tagMatches(model.tags, clause)
      : compareString(model.name, clause.comparator, clause.value),
  )
}

export function matchesModelVersion(
  clauses: readonly ModelVersionClause[],
  version: ModelVersionFields,
): boolean {
  return clauses.every((clause) => {
    if (clause.type === 'tag') return tagMatches(version.tags, clause)
    if ('values' in clause) {
      return version.runId !== null && clause.values.includes(version.runId)
    }
    if (clause.key === 'version_number') {
      return compareNumber(Number(version.version), clause.comparator, clause.value)
    }
    const lhs =
      clause.key === 'name'
        ? version.name
        : clause.key === 'run_id'
          ? version.runId
          : version.source
    return lhs !== null && compareString(lhs, clause.comparator, clause.value)
  })
}

function sortValue(
  entity: ModelVersionFields | RegisteredModelFields,
  key: ModelVersionOrderField,
): string | number | null {
  switch (key) {
    case 'name':
      return entity.name
    case 'creation_timestamp':
      return entity.creationTimestamp
    case 'last_updated_timestamp':
      return entity.lastUpdatedTimestamp
    case 'version_number':
      return 'version' in entity ? Number(entity.version) : null
  }
}

/** Orders registry entities by parsed keys (missing values last in both directions). */
export function compareRegistryEntities<T extends RegisteredModelFields>(
  keys: readonly RegistryOrderKey<ModelVersionOrderField>[],
): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const order = compareSortValues(
        sortValue(a, key.key),
        sortValue(b, key.key),
        key.ascending,
        compareCodePoints,
      )
      if (order !== 0) return order
    }
    return 0
  }
}

/** MLflow's check of a registry search's max_results. */
export function validateRegistryMaxResults(
  maxResults: number | undefined,
  limits: { defaultValue: number; max: number },
): number {
  if (maxResults === undefined) return limits.defaultValue
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidParameter(
      `Invalid value for max_results. It must be a positive integer, but got ${maxResults}`,
    )
  }
  if (maxResults > limits.max) {
    throw invalidParameter(
      'Invalid value for request parameter max_results. It must be at most ' +
        `${limits.max}, but got value ${maxResults}`,
    )
  }
  return maxResults
}
