/**
 * The lexer of MLflow's search grammar. Token boundaries follow what MLflow's `sqlparse`-based
 * parser sees: quoted text may contain a doubled quote or a backslash-escaped quote without ending,
 * and, as in MLflow, the value of a quoted token is the raw text between its outer quotes.
 */

export type TokenKind =
  | 'word'
  | 'backtick'
  | 'dquote'
  | 'squote'
  | 'number'
  | 'op'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'dot'
  | 'semicolon'
  | 'end'

export interface Token {
  kind: TokenKind
  /** The token as written, quotes included. */
  text: string
  /** Quoted tokens: the raw text between the quotes. Other tokens: the text itself. */
  value: string
  /** 0-based offset of the first character. */
  start: number
  /** Offset just past the last character. */
  end: number
}

/** Reports a lexing or parsing error at a 0-based offset; never returns. */
export type Fail = (position: number, detail: string) => never

/** A bare name: letters, digits and `_`, not starting with a digit; dots join several names. */
const WORD = /[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}\p{N}_]+)*/uy
/** Integers, decimals (`1.`, `.5`) and exponents, optionally negative. */
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\p{L}\p{N}_.])/uy
const OPERATOR = /[<>=!]+/y
const WHITESPACE = /\s+/y

const QUOTES: Record<string, TokenKind> = { "'": 'squote', '"': 'dquote', '`': 'backtick' }
const PUNCTUATION: Record<string, TokenKind> = {
  '(': 'lparen',
  ')': 'rparen',
  ',': 'comma',
  ';': 'semicolon',
}
const NAME_LIKE: ReadonlySet<TokenKind> = new Set(['word', 'backtick', 'dquote'])

function matchAt(pattern: RegExp, input: string, position: number): string | null {
  pattern.lastIndex = position
  const match = pattern.exec(input)
  return match === null ? null : match[0]
}

/** Finds the end (exclusive) of the quoted token opening at `start`, or -1 when unterminated. */
function quotedEnd(input: string, start: number, quote: string): number {
  let i = start + 1
  while (i < input.length) {
    const char = input[i]
    if (char === '\\' && quote !== '`' && i + 1 < input.length) {
      i += 2
    } else if (char === quote) {
      if (input[i + 1] === quote) i += 2
      else return i + 1
    } else {
      i += 1
    }
  }
  return -1
}

/** Splits `input` into tokens, ending with one `end` token. */
export function tokenize(input: string, fail: Fail): Token[] {
  const tokens: Token[] = []
  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    const text = input.slice(start, end)
    tokens.push({ kind, text, value: value ?? text, start, end })
  }
  let i = 0
  while (i < input.length) {
    const char = input[i] as string
    const space = matchAt(WHITESPACE, input, i)
    if (space !== null) {
      i += space.length
      continue
    }
    const quoteKind = QUOTES[char]
    if (quoteKind !== undefined) {
      const end = quotedEnd(input, i, char)
      if (end < 0)
        fail(i, `unterminated quoted text starting with ${char}; expected a closing ${char}`)
      push(quoteKind, i, end, input.slice(i + 1, end - 1))
      i = end
      continue
    }
    const punctuation = PUNCTUATION[char]
    if (punctuation !== undefined) {
      push(punctuation, i, i + 1)
      i += 1
      continue
    }
    const previous = tokens[tokens.length - 1]
    const afterName = previous !== undefined && NAME_LIKE.has(previous.kind) && previous.end === i
    if (char === '.' && afterName) {
      push('dot', i, i + 1)
      i += 1
      continue
    }
    const word = matchAt(WORD, input, i)
    if (word !== null) {
      push('word', i, i + word.length)
      i += word.length
      continue
    }
    const number = matchAt(NUMBER, input, i)
    if (number !== null) {
      push('number', i, i + number.length)
      i += number.length
      continue
    }
    const operator = matchAt(OPERATOR, input, i)
    if (operator !== null) {
      push('op', i, i + operator.length)
      i += operator.length
      continue
    }
    if (char === '.') {
      push('dot', i, i + 1)
      i += 1
      continue
    }
    fail(i, `unexpected character '${char}'`)
  }
  push('end', input.length, input.length)
  return tokens
}

/** How a token is named in error messages. */
export function describeToken(token: Token): string {
  if (token.kind === 'end') return 'end of input'
  return token.text.includes("'") ? `token "${token.text}"` : `token '${token.text}'`
}
