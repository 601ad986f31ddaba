/**
 * `order_by` entries (`"<identifier> [ASC|DESC]"`) and MLflow's default orderings and
 * tie-breakers for runs and experiments (FORMATS.md §6).
 */
import { invalidParameter } from '../../core/errors.js'
import type { ExperimentOrderKey, RunAttribute, RunOrderKey } from './ast.js'
import { resolveRunAttribute, resolveRunEntityType } from './filter-parser.js'
import { Cursor, parseIdentifier, pyList, pySet } from './syntax.js'
import type { RawIdentifier } from './syntax.js'

export const EXPERIMENT_ORDER_KEYS: readonly ExperimentOrderKey['key'][] = [
  'name',
  'experiment_id',
  'creation_time',
  'last_update_time',
]

interface OrderEntry {
  cursor: Cursor
  id: RawIdentifier
  ascending: boolean
}

/** Reads `<identifier> [ASC|DESC]` (direction case-insensitive, ASC by default). */
function parseEntry(entry: string, expected: string): OrderEntry {
  const cursor = new Cursor(entry, `Invalid order_by clause '${entry}'`)
  const id = parseIdentifier(cursor, expected)
  const hasDirection = cursor.isKeyword('ASC') || cursor.isKeyword('DESC')
  const ascending = hasDirection ? cursor.next().text.toUpperCase() === 'ASC' : true
  if (!cursor.atEnd()) {
    const expected = hasDirection ? 'the end of the clause' : 'ASC, DESC or the end of the clause'
    cursor.unexpected(cursor.peek(), expected)
  }
  return { cursor, id, ascending }
}

function rejectDuplicates<K extends { type: string; key: string }>(
  keys: readonly K[],
  orderBy: readonly string[],
): void {
  const seen = new Set<string>()
  for (const { type, key } of keys) {
    const id = `${type}\u0000${key}`
    if (seen.has(id)) {
      throw invalidParameter(`\`order_by\` contains duplicate fields: ${pyList(orderBy)}`)
    }
    seen.add(id)
  }
}

/**
 * Parses `search_runs` order_by entries. Attribute aliases are resolved (`created` →
 * `start_time`, `run name` → `run_name`); datasets cannot be ordered.
 * @throws INVALID_PARAMETER_VALUE for a malformed entry, an unknown key or a field listed twice.
 */
export function parseRunOrderBy(orderBy: readonly string[] | undefined): RunOrderKey[] {
  if (orderBy === undefined) return []
  const keys = orderBy.map((entry): RunOrderKey => {
    const { cursor, id, ascending } = parseEntry(
      entry,
      'an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<key>',
    )
    const type = resolveRunEntityType(cursor, id)
    if (type === 'dataset') {
      return cursor.fail(
        id.typeStart,
        "Invalid order_by entity type 'dataset': datasets cannot be ordered",
      )
    }
    if (type === 'attribute') {
      return { type, key: resolveRunAttribute(cursor, id) as RunAttribute, ascending }
    }
    return { type, key: id.key, ascending }
  })
  rejectDuplicates(keys, orderBy)
  return keys
}

/**
 * Parses `search_experiments` order_by entries: `name`, `experiment_id`, `creation_time`,
 * `last_update_time`, bare or as `attribute.<key>`.
 * @throws INVALID_PARAMETER_VALUE for a malformed entry, an unknown key or a field listed twice.
 */
export function parseExperimentOrderBy(
  orderBy: readonly string[] | undefined,
): ExperimentOrderKey[] {
  if (orderBy === undefined) return []
  const keys = orderBy.map((entry): ExperimentOrderKey => {
    const { cursor, id, ascending } = parseEntry(
      entry,
      'an identifier such as name, experiment_id, creation_time or last_update_time',
    )
    if (id.type !== null && id.type !== 'attribute') {
      const entity = id.type === 'tag' || id.type === 'tags' ? 'tag' : id.type
      cursor.fail(id.typeStart, `Invalid order_by entity: ${entity}`)
    }
    if (!(EXPERIMENT_ORDER_KEYS as readonly string[]).includes(id.key)) {
      cursor.fail(
        id.keyStart,
        `Invalid attribute key '${id.key}' specified. ` +
          `Valid keys are '${pySet(EXPERIMENT_ORDER_KEYS)}'`,
      )
    }
    return { type: 'attribute', key: id.key as ExperimentOrderKey['key'], ascending }
  })
  rejectDuplicates(keys, orderBy)
  return keys
}

/**
 * MLflow's run ordering: the user's keys, then `start_time DESC` unless start_time is already
 * ordered, then `run_id ASC` as the final tie-breaker (unless run_id is already ordered).
 */
export function withDefaultRunOrder(keys: readonly RunOrderKey[]): RunOrderKey[] {
  const has = (key: RunAttribute): boolean =>
    keys.some((k) => k.type === 'attribute' && k.key === key)
  const result = [...keys]
  if (!has('start_time')) result.push({ type: 'attribute', key: 'start_time', ascending: false })
  if (!has('run_id')) result.push({ type: 'attribute', key: 'run_id', ascending: true })
  return result
}

/**
 * MLflow's experiment ordering: `creation_time DESC, experiment_id ASC` when no key is given;
 * otherwise the user's keys followed by the tie-breaker `experiment_id DESC` unless
 * experiment_id is already ordered.
 */
export function withDefaultExperimentOrder(
  keys: readonly ExperimentOrderKey[],
): ExperimentOrderKey[] {
  if (keys.length === 0) {
    return [
      { type: 'attribute', key: 'creation_time', ascending: false },
      { type: 'attribute', key: 'experiment_id', ascending: true },
    ]
  }
  const result = [...keys]
  if (!keys.some((k) => k.key === 'experiment_id')) {
    result.push({ type: 'attribute', key: 'experiment_id', ascending: false })
  }
  return result
}
