/**
 * A hand-written recursive-descent parser for MLflow's search filters (FORMATS.md §6):
 *
 *   filter     := clause ( AND clause )*
 *   clause     := identifier comparator value
 *   identifier := [ type '.' ] key          (type and key bare, `backticked` or "double-quoted")
 *   comparator := = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN | IS NULL | IS NOT NULL
 *   value      := number | 'string' | "string" | '(' string ( ',' string )* ')'
 *
 * Keywords are case-insensitive. There is no OR and no grouping. Every error is an
 * INVALID_PARAMETER_VALUE naming the offending token and its 0-based position.
 */
import type {
  ExperimentClause,
  ListComparator,
  NullComparator,
  NumericComparator,
  NumericRunAttribute,
  RunClause,
  StringComparator,
  StringRunAttribute,
  SourceSpan,
} from './ast.js'
import { Cursor, parseIdentifier, pySet } from './syntax.js'
import type { RawIdentifier } from './syntax.js'
import type { Token } from './tokenizer.js'

export type Comparator = NumericComparator | StringComparator | ListComparator | NullComparator

export const NUMERIC_COMPARATORS: readonly NumericComparator[] = ['=', '!=', '<', '<=', '>', '>=']
export const STRING_COMPARATORS: readonly StringComparator[] = ['=', '!=', 'LIKE', 'ILIKE']
export const LIST_COMPARATORS: readonly ListComparator[] = ['IN', 'NOT IN']
export const NULL_COMPARATORS: readonly NullComparator[] = ['IS NULL', 'IS NOT NULL']

const KEY_VALUE_COMPARATORS: readonly Comparator[] = [...STRING_COMPARATORS, ...NULL_COMPARATORS]
const STRING_LIST_COMPARATORS: readonly Comparator[] = [...STRING_COMPARATORS, ...LIST_COMPARATORS]
const OPERATORS: ReadonlySet<string> = new Set(NUMERIC_COMPARATORS)

/** The canonical string attributes of a run, in MLflow's order. */
export const STRING_RUN_ATTRIBUTES: readonly StringRunAttribute[] = [
  'run_id',
  'run_name',
  'user_id',
  'status',
  'artifact_uri',
]
export const NUMERIC_RUN_ATTRIBUTES: readonly NumericRunAttribute[] = ['start_time', 'end_time']

/** Alternative spellings of run attributes accepted in filters and order_by. */
export const RUN_ATTRIBUTE_ALIASES: Readonly<Record<string, StringRunAttribute | 'start_time'>> = {
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
}

/** The attribute keys a run filter or order_by accepts, as MLflow lists them in messages. */
export const RUN_ATTRIBUTE_KEYS: readonly string[] = [
  'run_id',
  'run_name',
  'user_id',
  'status',
  'start_time',
  'end_time',
  'artifact_uri',
  ...Object.keys(RUN_ATTRIBUTE_ALIASES),
]

export const DATASET_KEYS = ['name', 'digest', 'context'] as const
export type DatasetKey = (typeof DATASET_KEYS)[number]

export type RunEntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset'

const RUN_ENTITY_TYPES: Readonly<Record<string, RunEntityType>> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
}
const RUN_ENTITY_NAMES = "['metric', 'parameter', 'tag', 'attribute', 'dataset']"

/** How MLflow names each entity type in its messages. */
const ENTITY_LABEL: Readonly<Record<RunEntityType, string>> = {
  metric: 'metric',
  param: 'parameter',
  tag: 'tag',
  attribute: 'attribute',
  dataset: 'dataset',
}

export const EXPERIMENT_ATTRIBUTE_KEYS = ['name', 'creation_time', 'last_update_time'] as const

const RUN_IDENTIFIER =
  'an identifier such as metrics.<key>, params.<key>, tags.<key>, attributes.<key> or ' +
  'datasets.<key>'
const EXPERIMENT_IDENTIFIER = 'an identifier such as name, creation_time or tags.<key>'

/** Resolves `created` and the `run name` spellings; other keys are returned unchanged. */
export function resolveRunAttributeAlias(key: string): string {
  return RUN_ATTRIBUTE_ALIASES[key] ?? key
}

/** Resolves the `<type>` part of a run identifier; a bare key is an attribute. */
export function resolveRunEntityType(cursor: Cursor, id: RawIdentifier): RunEntityType {
  if (id.type === null) return 'attribute'
  const type = RUN_ENTITY_TYPES[id.type]
  if (type === undefined) {
    cursor.fail(
      id.typeStart,
      `Invalid entity type '${id.type}'. Valid values are ${RUN_ENTITY_NAMES}`,
    )
  }
  return type
}

/** Resolves an attribute key (aliases included) or fails with MLflow's message. */
export function resolveRunAttribute(cursor: Cursor, id: RawIdentifier): string {
  if (!RUN_ATTRIBUTE_KEYS.includes(id.key)) {
    cursor.fail(
      id.keyStart,
      `Invalid attribute key '${id.key}' specified. Valid keys are '${pySet(RUN_ATTRIBUTE_KEYS)}'`,
    )
  }
  return resolveRunAttributeAlias(id.key)
}

/** Reads any comparator; an unknown one fails with the comparators `allowed` for the key. */
export function readComparator(cursor: Cursor, allowed: readonly Comparator[]): Comparator {
  const token = cursor.peek()
  const expected = `a comparator (${allowed.join(', ')})`
  if (token.kind === 'op') {
    if (!OPERATORS.has(token.text)) cursor.unexpected(token, expected)
    cursor.next()
    return token.text as NumericComparator
  }
  if (token.kind !== 'word') return cursor.unexpected(token, expected)
  const word = token.text.toUpperCase()
  if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') {
    cursor.next()
    return word
  }
  if (word === 'NOT') {
    cursor.next()
    if (!cursor.isKeyword('IN')) cursor.unexpected(cursor.peek(), 'IN after NOT')
    cursor.next()
    return 'NOT IN'
  }
  if (word === 'IS') {
    cursor.next()
    const negated = cursor.isKeyword('NOT')
    if (negated) cursor.next()
    if (!cursor.isKeyword('NULL')) {
      cursor.unexpected(cursor.peek(), negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS')
    }
    cursor.next()
    return negated ? 'IS NOT NULL' : 'IS NULL'
  }
  return cursor.unexpected(token, expected)
}

export function checkComparator<C extends Comparator>(
  cursor: Cursor,
  token: Token,
  comparator: Comparator,
  allowed: readonly C[],
  subject: string,
): C {
  if (!(allowed as readonly Comparator[]).includes(comparator)) {
    cursor.fail(
      token.start,
      `Invalid comparator '${comparator}' for ${subject}; expected one of ${allowed.join(', ')}`,
    )
  }
  return comparator as C
}

export interface Read<T> {
  value: T
  /** The last token read. */
  token: Token
  end: number
}

export function readNumber(cursor: Cursor, mismatch: (token: Token) => string): Read<number> {
  const token = cursor.peek()
  if (token.kind === 'end') cursor.unexpected(token, 'a number')
  if (token.kind !== 'number') cursor.fail(token.start, mismatch(token))
  cursor.next()
  return { value: Number(token.text), token, end: token.end }
}

export function readString(cursor: Cursor, mismatch: (token: Token) => string): Read<string> {
  const token = cursor.peek()
  if (token.kind === 'squote' || token.kind === 'dquote') {
    cursor.next()
    return { value: token.value, token, end: token.end }
  }
  if (token.kind === 'end') cursor.unexpected(token, 'a quoted string')
  if (token.kind === 'word' || token.kind === 'backtick') {
    cursor.fail(
      token.start,
      'Parameter value is either not quoted or unidentified quote types used for string value ' +
        `${token.text}. Use either single or double quotes.`,
    )
  }
  return cursor.fail(token.start, mismatch(token))
}

export function readList(cursor: Cursor): Read<string[]> {
  cursor.expect('lparen', 'a parenthesised list of quoted strings')
  if (cursor.peek().kind === 'rparen') {
    cursor.fail(
      cursor.peek().start,
      'While parsing a list in the query, expected a non-empty list of string values, ' +
        'but got empty list',
    )
  }
  const values: string[] = []
  for (;;) {
    const item = cursor.peek()
    if (item.kind !== 'squote' && item.kind !== 'dquote') {
      cursor.unexpected(item, 'a quoted string in the list')
    }
    cursor.next()
    values.push(item.value)
    const separator = cursor.peek()
    if (separator.kind === 'rparen') {
      cursor.next()
      return { value: values, token: separator, end: separator.end }
    }
    if (separator.kind !== 'comma') cursor.unexpected(separator, "',' or ')'")
    cursor.next()
  }
}

/** MLflow drops ids with upper-case letters from `run_id IN (...)`: run ids are lower-case. */
function dropUpperCase(ids: string[]): string[] {
  return ids.filter((id) => id === id.toLowerCase())
}

const TAGS_PARAMS = 'tags and params'

function nullOnlyForTagsAndParams(
  cursor: Cursor,
  token: Token,
  label: string,
  key: string,
  allowed: string,
): never {
  return cursor.fail(
    token.start,
    `IS NULL / IS NOT NULL is only supported for ${allowed}, not for '${label}' '${key}'`,
  )
}

export function isNullComparator(comparator: Comparator): comparator is NullComparator {
  return comparator === 'IS NULL' || comparator === 'IS NOT NULL'
}

export function isListComparator(comparator: Comparator): comparator is ListComparator {
  return comparator === 'IN' || comparator === 'NOT IN'
}

/**
 * The rest of a metric comparison once its comparator is read: the comparator must be numeric
 * and the value a number. Shared by the run and logged-model grammars.
 */
export function metricClause(
  cursor: Cursor,
  token: Token,
  raw: Comparator,
  key: string,
  start: number,
): { type: 'metric'; key: string; comparator: NumericComparator; value: number; span: SourceSpan } {
  const comparator = checkComparator(cursor, token, raw, NUMERIC_COMPARATORS, `metric '${key}'`)
  const value = readNumber(
    cursor,
    (found) => `Expected numeric value type for metric. Found ${found.text}`,
  )
  return { type: 'metric', key, comparator, value: value.value, span: { start, end: value.end } }
}

function parseRunClause(cursor: Cursor): RunClause {
  const id = parseIdentifier(cursor, RUN_IDENTIFIER)
  const type = resolveRunEntityType(cursor, id)
  const start = id.start

  if (type === 'metric') {
    const token = cursor.peek()
    const raw = readComparator(cursor, NUMERIC_COMPARATORS)
    if (isNullComparator(raw)) nullOnlyForTagsAndParams(cursor, token, type, id.key, TAGS_PARAMS)
    return metricClause(cursor, token, raw, id.key, start)
  }

  if (type === 'param' || type === 'tag') {
    const label = ENTITY_LABEL[type]
    const token = cursor.peek()
    const raw = readComparator(cursor, KEY_VALUE_COMPARATORS)
    const comparator = checkComparator(
      cursor,
      token,
      raw,
      KEY_VALUE_COMPARATORS,
      `${label} '${id.key}'`,
    )
    if (isNullComparator(comparator)) {
      return { type, key: id.key, comparator, span: { start, end: cursor.previous().end } }
    }
    const value = readString(
      cursor,
      (found) =>
        `Expected a quoted string value for ${label} (e.g. 'my-value'). Got value ${found.text}`,
    )
    return {
      type,
      key: id.key,
      comparator: comparator as StringComparator,
      value: value.value,
      span: { start, end: value.end },
    }
  }

  if (type === 'dataset') {
    if (!(DATASET_KEYS as readonly string[]).includes(id.key)) {
      cursor.fail(
        id.keyStart,
        `Invalid dataset key '${id.key}' specified. Valid keys are '${pySet(DATASET_KEYS)}'`,
      )
    }
    const key = id.key as DatasetKey
    const token = cursor.peek()
    const raw = readComparator(cursor, STRING_LIST_COMPARATORS)
    if (isNullComparator(raw)) nullOnlyForTagsAndParams(cursor, token, type, key, TAGS_PARAMS)
    const comparator = checkComparator(
      cursor,
      token,
      raw,
      STRING_LIST_COMPARATORS,
      `dataset '${key}'`,
    )
    if (isListComparator(comparator)) {
      const list = readList(cursor)
      return { type, key, comparator, values: list.value, span: { start, end: list.end } }
    }
    const value = readString(
      cursor,
      (found) => `Expected a quoted string value for dataset attributes. Got value ${found.text}`,
    )
    return {
      type,
      key,
      comparator: comparator as StringComparator,
      value: value.value,
      span: { start, end: value.end },
    }
  }

  const key = resolveRunAttribute(cursor, id)
  const token = cursor.peek()
  if ((NUMERIC_RUN_ATTRIBUTES as readonly string[]).includes(key)) {
    const raw = readComparator(cursor, NUMERIC_COMPARATORS)
    if (isNullComparator(raw)) nullOnlyForTagsAndParams(cursor, token, type, id.key, TAGS_PARAMS)
    const comparator = checkComparator(
      cursor,
      token,
      raw,
      NUMERIC_COMPARATORS,
      `attribute '${key}'`,
    )
    const value = readNumber(
      cursor,
      (found) => `Expected numeric value type for numeric attribute: ${key}. Found ${found.text}`,
    )
    if (!Number.isSafeInteger(value.value)) {
      cursor.fail(
        value.token.start,
        `Expected an integer value for numeric attribute: ${key}. Found ${value.token.text}`,
      )
    }
    return {
      type,
      key: key as NumericRunAttribute,
      comparator,
      value: value.value,
      span: { start, end: value.end },
    }
  }
  const stringKey = key as StringRunAttribute
  const raw = readComparator(cursor, STRING_LIST_COMPARATORS)
  if (isNullComparator(raw)) nullOnlyForTagsAndParams(cursor, token, type, id.key, TAGS_PARAMS)
  const comparator = checkComparator(
    cursor,
    token,
    raw,
    STRING_LIST_COMPARATORS,
    `attribute '${key}'`,
  )
  if (isListComparator(comparator)) {
    if (stringKey !== 'run_id') {
      cursor.fail(
        cursor.peek().start,
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      )
    }
    const list = readList(cursor)
    return {
      type,
      key: 'run_id',
      comparator,
      values: dropUpperCase(list.value),
      span: { start, end: list.end },
    }
  }
  const value = readString(
    cursor,
    (found) => `Expected a quoted string value for attributes. Got value ${found.text}`,
  )
  return {
    type,
    key: stringKey,
    comparator: comparator as StringComparator,
    value: value.value,
    span: { start, end: value.end },
  }
}

function parseExperimentClause(cursor: Cursor): ExperimentClause {
  const id = parseIdentifier(cursor, EXPERIMENT_IDENTIFIER)
  const start = id.start
  let type: 'attribute' | 'tag'
  if (id.type === null || id.type === 'attribute') type = 'attribute'
  else if (id.type === 'tag' || id.type === 'tags') type = 'tag'
  else {
    return cursor.fail(
      id.typeStart,
      `Invalid entity type '${id.type}'. Valid entity types are ('attribute', 'tag', 'tags')`,
    )
  }

  if (type === 'tag') {
    const token = cursor.peek()
    const raw = readComparator(cursor, KEY_VALUE_COMPARATORS)
    const comparator = checkComparator(cursor, token, raw, KEY_VALUE_COMPARATORS, `tag '${id.key}'`)
    if (isNullComparator(comparator)) {
      return { type, key: id.key, comparator, span: { start, end: cursor.previous().end } }
    }
    const value = readString(
      cursor,
      (found) =>
        `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${found.text}`,
    )
    return {
      type,
      key: id.key,
      comparator: comparator as StringComparator,
      value: value.value,
      span: { start, end: value.end },
    }
  }

  if (!(EXPERIMENT_ATTRIBUTE_KEYS as readonly string[]).includes(id.key)) {
    cursor.fail(
      id.keyStart,
      `Invalid attribute key '${id.key}' specified. ` +
        `Valid keys are '${pySet(EXPERIMENT_ATTRIBUTE_KEYS)}'`,
    )
  }
  const token = cursor.peek()
  if (id.key === 'name') {
    const raw = readComparator(cursor, STRING_COMPARATORS)
    if (isNullComparator(raw)) nullOnlyForTagsAndParams(cursor, token, type, id.key, 'tags')
    const comparator = checkComparator(cursor, token, raw, STRING_COMPARATORS, "attribute 'name'")
    const value = readString(
      cursor,
      (found) => `Expected a quoted string value for attributes. Got value ${found.text}`,
    )
    return { type, key: 'name', comparator, value: value.value, span: { start, end: value.end } }
  }
  const key = id.key as 'creation_time' | 'last_update_time'
  const raw = readComparator(cursor, NUMERIC_COMPARATORS)
  if (isNullComparator(raw)) nullOnlyForTagsAndParams(cursor, token, type, key, 'tags')
  const comparator = checkComparator(cursor, token, raw, NUMERIC_COMPARATORS, `attribute '${key}'`)
  const value = readNumber(
    cursor,
    (found) => `Expected numeric value type for numeric attribute: ${key}. Found ${found.text}`,
  )
  return { type, key, comparator, value: value.value, span: { start, end: value.end } }
}

export function parseConjunction<T>(
  filter: string | undefined,
  parseClause: (cursor: Cursor) => T,
): T[] {
  if (filter === undefined || filter.trim() === '') return []
  const cursor = new Cursor(filter, `Invalid filter '${filter}'`)
  const clauses: T[] = []
  for (;;) {
    clauses.push(parseClause(cursor))
    const token = cursor.peek()
    if (token.kind === 'end') return clauses
    if (cursor.isKeyword('AND')) {
      cursor.next()
      continue
    }
    let hint: string | undefined
    if (cursor.isKeyword('OR')) hint = 'OR is not supported; join comparisons with AND'
    else if (token.kind === 'semicolon') hint = 'a filter is a single statement'
    else if (token.kind === 'lparen' || token.kind === 'rparen') {
      hint = 'parentheses are not supported'
    }
    cursor.unexpected(token, 'AND or the end of the filter', hint)
  }
}

/**
 * Parses a `search_runs` filter into a conjunction of clauses. An absent or blank filter gives
 * `[]`. Aliases are resolved (`created` → `start_time`, `run name` → `run_name`).
 * @throws INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseRunFilter(filter: string | undefined): RunClause[] {
  return parseConjunction(filter, parseRunClause)
}

/**
 * Parses a `search_experiments` filter: attributes `name`, `creation_time`, `last_update_time`
 * and `tags.<key>`.
 * @throws INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseExperimentFilter(filter: string | undefined): ExperimentClause[] {
  return parseConjunction(filter, parseExperimentClause)
}
