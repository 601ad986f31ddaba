/**
 * Pieces shared by the filter and order_by parsers: a token cursor that raises positioned
 * INVALID_PARAMETER_VALUE errors, identifier parsing, and Python-style value formatting for
 * messages that keep MLflow's wording.
 */
import { invalidParameter } from '../../core/errors.js'
import { describeToken, tokenize } from './tokenizer.js'
import type { Fail, Token, TokenKind } from './tokenizer.js'

export class Cursor {
  readonly fail: Fail
  private readonly tokens: Token[]
  private index = 0

  /** `label` names the input in messages, e.g. `Invalid filter 'x = 1'`. */
  constructor(source: string, label: string) {
    this.fail = (position, detail) => {
      throw invalidParameter(`${label} at position ${position}: ${detail}`)
    }
    this.tokens = tokenize(source, this.fail)
  }

  peek(offset = 0): Token {
    const last = this.tokens[this.tokens.length - 1] as Token
    return this.tokens[this.index + offset] ?? last
  }

  next(): Token {
    const token = this.peek()
    if (token.kind !== 'end') this.index += 1
    return token
  }

  /** The token read last (the first token when nothing was read yet). */
  previous(): Token {
    return this.tokens[Math.max(this.index - 1, 0)] as Token
  }

  atEnd(): boolean {
    return this.peek().kind === 'end'
  }

  /** True when the next token is the keyword `word` (case-insensitive). */
  isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset)
    return token.kind === 'word' && token.text.toUpperCase() === word
  }

  /** Fails at `token` with "unexpected token 'x'; expected <expected>". */
  unexpected(token: Token, expected: string, hint?: string): never {
    const suffix = hint === undefined ? '' : ` (${hint})`
    return this.fail(
      token.start,
      `unexpected ${describeToken(token)}; expected ${expected}${suffix}`,
    )
  }

  expect(kind: TokenKind, expected: string): Token {
    const token = this.peek()
    if (token.kind !== kind) this.unexpected(token, expected)
    return this.next()
  }
}

/** An identifier as written: `<type>.<key>` or a bare `<key>`, with quotes removed. */
export interface RawIdentifier {
  /** `null` for a bare key. */
  type: string | null
  key: string
  start: number
  typeStart: number
  keyStart: number
  end: number
}

/** Words that cannot be a bare identifier; quote a key that is spelled like one. */
const KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'LIKE',
  'ILIKE',
])
const QUOTED_NAME: ReadonlySet<TokenKind> = new Set(['backtick', 'dquote'])

/**
 * Reads `<type>.<key>` or `<key>`. A part may be quoted with backticks or double quotes; an
 * unquoted key may itself contain dots (`tags.mlflow.runName`).
 */
export function parseIdentifier(cursor: Cursor, expected: string): RawIdentifier {
  const first = cursor.peek()
  if (first.kind === 'word' && KEYWORDS.has(first.text.toUpperCase())) {
    cursor.unexpected(first, expected)
  }
  if (first.kind === 'word' && cursor.peek(1).kind !== 'dot') {
    cursor.next()
    const dot = first.text.indexOf('.')
    if (dot < 0) {
      return bare(first)
    }
    return {
      type: first.text.slice(0, dot),
      key: first.text.slice(dot + 1),
      start: first.start,
      typeStart: first.start,
      keyStart: first.start + dot + 1,
      end: first.end,
    }
  }
  if (first.kind === 'word' || QUOTED_NAME.has(first.kind)) {
    cursor.next()
    if (cursor.peek().kind !== 'dot') return bare(first)
    const dot = cursor.next()
    if (first.kind === 'word' && first.text.includes('.')) {
      cursor.unexpected(dot, 'a comparator')
    }
    const keyToken = cursor.peek()
    if (keyToken.kind !== 'word' && !QUOTED_NAME.has(keyToken.kind)) {
      cursor.unexpected(keyToken, 'a key after the dot, bare or quoted with ` or "')
    }
    cursor.next()
    return {
      type: first.value,
      key: keyToken.value,
      start: first.start,
      typeStart: first.start,
      keyStart: keyToken.start,
      end: keyToken.end,
    }
  }
  const hint = first.kind === 'lparen' ? 'parentheses are not supported' : undefined
  return cursor.unexpected(first, expected, hint)
}

function bare(token: Token): RawIdentifier {
  return {
    type: null,
    key: token.value,
    start: token.start,
    typeStart: token.start,
    keyStart: token.start,
    end: token.end,
  }
}

/** Python's `repr` of a string, as MLflow's messages print values. */
export function pyRepr(value: string): string {
  const quoteChar = value.includes("'") && !value.includes('"') ? '"' : "'"
  const escaped = value.replaceAll('\\', '\\\\')
  return quoteChar + (quoteChar === "'" ? escaped.replaceAll("'", "\\'") : escaped) + quoteChar
}

/** Python's `repr` of a list of strings: `['a', 'b']`. */
export function pyList(values: readonly string[]): string {
  return `[${values.map(pyRepr).join(', ')}]`
}

/** Python's `repr` of a set of strings, in the given order: `{'a', 'b'}`. */
export function pySet(values: readonly string[]): string {
  return `{${values.map(pyRepr).join(', ')}}`
}
