/**
 * SQL LIKE patterns evaluated in memory. `%` matches any run of characters (newlines included,
 * as in SQL), `_` exactly one character; every other character is literal, backslash included
 * (no escape character, as in SQLite and MLflow's in-memory matching). The match is anchored at
 * both ends. LIKE is case-sensitive, ILIKE is not.
 */

const REGEXP_SPECIAL = /[\\^$.*+?()[\]{}|/]/g

/** Escapes every character that has a meaning in a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(REGEXP_SPECIAL, '\\$&')
}

/** Compiles a LIKE pattern to an anchored regular expression. */
export function likeToRegExp(pattern: string, caseInsensitive = false): RegExp {
  let source = ''
  for (const char of pattern) {
    if (char === '%') source += '.*'
    else if (char === '_') source += '.'
    else source += escapeRegExp(char)
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su')
}

const cache = new Map<string, RegExp>()
const CACHE_LIMIT = 256

function cachedRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const id = `${caseInsensitive ? 'i' : 's'}${pattern}`
  let regexp = cache.get(id)
  if (regexp === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear()
    regexp = likeToRegExp(pattern, caseInsensitive)
    cache.set(id, regexp)
  }
  return regexp
}

/** `value LIKE pattern`, case-sensitive. */
export function matchesLike(value: string, pattern: string): boolean {
  return cachedRegExp(pattern, false).test(value)
}

/** `value ILIKE pattern`, case-insensitive. */
export function matchesIlike(value: string, pattern: string): boolean {
  return cachedRegExp(pattern, true).test(value)
}

/**
 * Doubles backslashes so that a LIKE pattern keeps the no-escape semantics above on databases
 * whose LIKE uses `\` as its default escape character (PostgreSQL, MySQL).
 */
export function escapeLikeBackslashes(pattern: string): string {
  return pattern.replaceAll('\\', '\\\\')
}
