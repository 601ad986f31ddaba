/**
 * YAML as MLflow's file store writes and reads it (FORMATS.md §2.3): PyYAML's `safe_dump` with
 * the libyaml emitter, block style, sorted keys, `allow_unicode`, and PyYAML's YAML 1.1 rules
 * for which plain scalars mean something other than a string.
 *
 * Reading goes through the `yaml` library (its failsafe schema gives every scalar as text with
 * its style), and the plain scalars are then typed by the same YAML 1.1 resolver the writer
 * uses, so a value reads back exactly as PyYAML's SafeLoader reads it.
 *
 * Writing is done here rather than by the `yaml` library, because byte-exact output needs
 * libyaml's own choices, which no option of the library reproduces: libyaml folds long plain
 * and quoted scalars at the first single space after column 80 (the library folds before it),
 * and it escapes characters outside the Basic Multilingual Plane (`"\U0001F642"`) even with
 * `allow_unicode`. The documents MLflow writes are small (one mapping of scalars, at most one
 * nested mapping and the empty `[]` / `{}`), so the writer covers exactly that shape.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml'
import type { Node } from 'yaml'

/** A value in a meta.yaml file. Numbers are written as integers; non-integers are refused. */
export type YamlValue = string | number | bigint | boolean | null | YamlValue[] | YamlMapping
export interface YamlMapping {
  [key: string]: YamlValue
}

/** PyYAML's implicit resolvers (YAML 1.1), as regular expressions over a plain scalar. */
const RESOLVERS: [tag: 'bool' | 'float' | 'int' | 'null' | 'other', pattern: RegExp][] = [
  ['bool', /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/],
  [
    'float',
    new RegExp(
      '^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?' +
        '|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?' +
        '|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*' +
        '|[-+]?\\.(?:inf|Inf|INF)' +
        '|\\.(?:nan|NaN|NAN))$',
    ),
  ],
  [
    'int',
    new RegExp(
      '^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+' +
        '|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$',
    ),
  ],
  ['other', /^<<$/],
  ['null', /^(?:~|null|Null|NULL|)$/],
  [
    'other',
    new RegExp(
      '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}' +
        '|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}' +
        '(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$',
    ),
  ],
  ['other', /^=$/],
]

/** The YAML 1.1 type PyYAML gives a plain scalar, or `str` when no resolver claims it. */
function resolvePlain(text: string): 'bool' | 'float' | 'int' | 'null' | 'other' | 'str' {
  // Python's `$` also matches before a final line break.
  const subject = text.endsWith('\n') ? text.slice(0, -1) : text
  for (const [tag, pattern] of RESOLVERS) if (pattern.test(subject)) return tag
  return 'str'
}

// ---------------------------------------------------------------------------------------------
// Reading

function pythonInt(text: string): bigint | string {
  const clean = text.replaceAll('_', '')
  const negative = clean.startsWith('-')
  const body = clean.replace(/^[-+]/, '')
  let value: bigint
  if (body.includes(':')) {
    value = body.split(':').reduce((total, part) => total * 60n + BigInt(part), 0n)
  } else if (body.startsWith('0b')) value = BigInt(body)
  else if (body.startsWith('0x')) value = BigInt(body)
  else if (body.length > 1 && body.startsWith('0')) value = BigInt(`0o${body.slice(1)}`)
  else value = BigInt(body)
  return negative ? -value : value
}

function pythonFloat(text: string): number {
  const clean = text.replaceAll('_', '').toLowerCase()
  if (clean.endsWith('nan')) return NaN
  if (clean.endsWith('inf')) return clean.startsWith('-') ? -Infinity : Infinity
  if (clean.includes(':')) {
    const negative = clean.startsWith('-')
    const parts = clean.replace(/^[-+]/, '').split(':')
    const total = parts.reduce((sum, part) => sum * 60 + Number(part), 0)
    return negative ? -total : total
  }
  return Number(clean)
}

function toValue(node: Node | null): YamlValue {
  if (node === null) return null
  if (isMap(node)) {
    const result: YamlMapping = {}
    for (const pair of node.items) {
      const key = toValue(pair.key as Node | null)
      result[String(key)] = toValue(pair.value as Node | null)
    }
    return result
  }
  if (isSeq(node)) return node.items.map((item) => toValue(item as Node | null))
  if (isScalar(node)) {
    const text = String(node.value ?? '')
    if (node.type !== Scalar.PLAIN || node.tag === '!') return text
    if (node.tag !== undefined && node.tag !== 'tag:yaml.org,2002:str') {
      if (node.tag === 'tag:yaml.org,2002:null') return null
      if (node.tag === 'tag:yaml.org,2002:int') return pythonInt(text)
      if (node.tag === 'tag:yaml.org,2002:float') return pythonFloat(text)
      return text
    }
    if (node.tag === 'tag:yaml.org,2002:str') return text
    switch (resolvePlain(text)) {
      case 'null':
        return null
      case 'bool':
        return /^(?:yes|true|on)$/i.test(text)
      case 'int':
        return pythonInt(text)
      case 'float':
        return pythonFloat(text)
      default:
        return text
    }
  }
  throw new Error('aliases are not used in meta.yaml files')
}

/**
 * Parses a YAML document the way PyYAML's SafeLoader types it. Integers come back as `bigint`
 * (ids written by old MLflow versions may exceed 2^53). Throws on malformed YAML.
 *
 * Known limit: the `yaml` library misreads an explicit `? key` entry (a key over 128 bytes) when
 * libyaml folded that key onto a line starting with `-` or `:`; such keys only occur in the
 * informational `tags:` snapshot of an experiment, which the records layer can drop and retry.
 */
export function parseYaml(text: string): YamlValue {
  const simple = parseSimpleMapping(text)
  if (simple !== null) return simple
  // YAML 1.1 treats U+2028 and U+2029 as line breaks and the `yaml` library (YAML 1.2) does
  // not. PyYAML writes them raw only inside single-quoted scalars, where the spaces after them
  // are indentation (a content space after one forces double quotes), so those spaces go.
  const source = text.replace(/([\u2028\u2029]) +/g, '$1')
  const document = parseDocument(source, {
    schema: 'failsafe',
    uniqueKeys: false,
    prettyErrors: false,
    strict: false,
  })
  if (document.errors.length > 0) throw document.errors[0]!
  return toValue(document.contents as Node | null)
}

const SIMPLE_LINE = /^([A-Za-z_][A-Za-z0-9_]*): (.+)$/
const SIMPLE_PLAIN = /^(?:[A-Za-z0-9_./+~=(]|-(?! ))[A-Za-z0-9_./+\-~=():@ ]*$/
const SIMPLE_QUOTED = /^'((?:[^']|'')*)'$/

/**
 * The fast path for the common meta.yaml: one `key: value` per line, each value a plain scalar
 * of safe characters, a one-line single-quoted scalar, `[]` or `{}`. Such a line means exactly
 * its text (typed by the YAML 1.1 resolvers), so it is read without the general parser, which
 * costs about 0.3 ms per document. Anything else returns null and goes to the `yaml` library.
 */
function parseSimpleMapping(text: string): YamlMapping | null {
  if (!text.endsWith('\n')) return null
  const result: YamlMapping = {}
  const lines = text.split('\n')
  lines.pop()
  if (lines.length === 0) return null
  for (const line of lines) {
    const match = SIMPLE_LINE.exec(line)
    if (!match) return null
    const [, key, raw] = match as unknown as [string, string, string]
    if (raw === '[]') result[key] = []
    else if (raw === '{}') result[key] = {}
    else if (raw.startsWith("'")) {
      const quoted = SIMPLE_QUOTED.exec(raw)
      if (!quoted) return null
      result[key] = quoted[1]!.replaceAll("''", "'")
    } else {
      if (!SIMPLE_PLAIN.test(raw) || raw.endsWith(' ') || raw.endsWith(':') || raw.includes(': ')) {
        return null
      }
      switch (resolvePlain(raw)) {
        case 'null':
          result[key] = null
          break
        case 'bool':
          result[key] = /^(?:yes|true|on)$/i.test(raw)
          break
        case 'int':
          result[key] = pythonInt(raw)
          break
        case 'float':
          result[key] = pythonFloat(raw)
          break
        default:
          result[key] = raw
      }
    }
  }
  return result
}

// ---------------------------------------------------------------------------------------------
// Writing (libyaml's emitter, for block mappings of scalars)

const BEST_WIDTH = 80
const INDENT_STEP = 2
/** libyaml writes a key of more than 128 bytes as an explicit `? key` entry. */
const MAX_SIMPLE_KEY_BYTES = 128

const isBreak = (ch: string): boolean =>
  ch === '\n' || ch === '\r' || ch === '\u0085' || ch === '\u2028' || ch === '\u2029'

/** libyaml's IS_PRINTABLE: what may appear unescaped in a scalar. */
function isPrintable(ch: string): boolean {
  const code = ch.codePointAt(0)!
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff)
  )
}

interface ScalarAnalysis {
  multiline: boolean
  blockPlainAllowed: boolean
  singleQuotedAllowed: boolean
}

/** libyaml's `yaml_emitter_analyze_scalar`, reduced to what block context needs. */
function analyzeScalar(chars: string[]): ScalarAnalysis {
  if (chars.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true }
  }
  let blockIndicators = false
  let special = false
  let lineBreaks = false
  let leadingSpaceOrBreak = false
  let trailingSpaceOrBreak = false
  let breakSpace = false
  let spaceBreak = false
  let previousSpace = false
  let previousBreak = false
  const text = chars.join('')
  if (text.startsWith('---') || text.startsWith('...')) blockIndicators = true
  const blankAt = (i: number): boolean =>
    i >= chars.length || chars[i] === ' ' || chars[i] === '\t' || isBreak(chars[i]!)
  let precededByWhitespace = true
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i]!
    const followedByWhitespace = blankAt(i + 1)
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true
      if ((ch === '?' || ch === ':') && followedByWhitespace) blockIndicators = true
      if (ch === '-' && followedByWhitespace) blockIndicators = true
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true
      if (ch === '#' && precededByWhitespace) blockIndicators = true
    }
    if (!isPrintable(ch)) special = true
    if (isBreak(ch)) lineBreaks = true
    const last = i === chars.length - 1
    if (ch === ' ') {
      if (i === 0 || last) {
        if (i === 0) leadingSpaceOrBreak = true
        if (last) trailingSpaceOrBreak = true
      }
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreak(ch)) {
      if (i === 0) leadingSpaceOrBreak = true
      if (last) trailingSpaceOrBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
    precededByWhitespace = blankAt(i)
  }
  let blockPlainAllowed = true
  let singleQuotedAllowed = true
  if (leadingSpaceOrBreak || trailingSpaceOrBreak) blockPlainAllowed = false
  if (breakSpace) {
    blockPlainAllowed = false
    singleQuotedAllowed = false
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false
    singleQuotedAllowed = false
  }
  if (lineBreaks || blockIndicators) blockPlainAllowed = false
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed }
}

const DOUBLE_QUOTE_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
}

/** The libyaml emitter state that decides spaces, line breaks and folding. */
class Emitter {
  out = ''
  column = 0
  whitespace = true
  indention = true
  indent = -1

  put(text: string): void {
    this.out += text
    this.column += [...text].length
  }

  lineBreak(): void {
    this.out += '\n'
    this.column = 0
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0)
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.lineBreak()
    }
    while (this.column < indent) this.put(' ')
    this.whitespace = true
    this.indention = true
  }

  indicator(text: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    if (needWhitespace && !this.whitespace) this.put(' ')
    this.put(text)
    this.whitespace = whitespace
    this.indention = this.indention && indention
  }

  plain(chars: string[], allowBreaks: boolean): void {
    if (!this.whitespace && chars.length > 0) this.put(' ')
    let spaces = false
    for (let i = 0; i < chars.length; i += 1) {
      const ch = chars[i]!
      if (ch === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') {
          this.writeIndent()
        } else {
          this.put(ch)
        }
        spaces = true
      } else {
        this.put(ch)
        this.indention = false
        spaces = false
      }
    }
    this.whitespace = false
    this.indention = false
  }

  singleQuoted(chars: string[], allowBreaks: boolean): void {
    this.indicator("'", true)
    let spaces = false
    let breaks = false
    for (let i = 0; i < chars.length; i += 1) {
      const ch = chars[i]!
      if (ch === ' ') {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1 &&
          chars[i + 1] !== ' '
        ) {
          this.writeIndent()
        } else {
          this.put(ch)
        }
        spaces = true
      } else if (isBreak(ch)) {
        if (!breaks && ch === '\n') this.lineBreak()
        if (ch === '\n') this.lineBreak()
        else {
          this.out += ch
          this.column = 0
        }
        this.indention = true
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        this.put(ch === "'" ? "''" : ch)
        this.indention = false
        spaces = false
        breaks = false
      }
    }
    if (breaks) this.writeIndent()
    this.indicator("'", false)
  }

  doubleQuoted(chars: string[], allowBreaks: boolean): void {
    this.indicator('"', true)
    let spaces = false
    for (let i = 0; i < chars.length; i += 1) {
      const ch = chars[i]!
      const code = ch.codePointAt(0)!
      if (!isPrintable(ch) || code === 0xfeff || isBreak(ch) || ch === '"' || ch === '\\') {
        const short = DOUBLE_QUOTE_ESCAPES[code]
        if (short !== undefined) this.put(`\\${short}`)
        else {
          const hex = code.toString(16).toUpperCase()
          if (code <= 0xff) this.put(`\\x${hex.padStart(2, '0')}`)
          else if (code <= 0xffff) this.put(`\\u${hex.padStart(4, '0')}`)
          else this.put(`\\U${hex.padStart(8, '0')}`)
        }
        spaces = false
      } else if (ch === ' ') {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1
        ) {
          this.writeIndent()
          if (chars[i + 1] === ' ') this.put('\\')
        } else {
          this.put(ch)
        }
        spaces = true
      } else {
        this.put(ch)
        spaces = false
      }
    }
    this.indicator('"', false)
  }

  /** Writes one string scalar with the style libyaml would choose for it. */
  scalar(text: string, simpleKey: boolean, plainImplicit: boolean): void {
    const chars = [...text]
    const analysis = analyzeScalar(chars)
    let style: 'plain' | 'single' | 'double' = 'plain'
    if (simpleKey && analysis.multiline) style = 'double'
    if (style === 'plain') {
      if (!analysis.blockPlainAllowed) style = 'single'
      if (chars.length === 0 && simpleKey) style = 'single'
      if (!plainImplicit) style = 'single'
    }
    if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double'
    if (style === 'plain') this.plain(chars, !simpleKey)
    else if (style === 'single') this.singleQuoted(chars, !simpleKey)
    else this.doubleQuoted(chars, !simpleKey)
  }

  /** Emits a scalar value (string, integer, boolean or null) at one more indent level. */
  value(value: YamlValue, simpleKey = false): void {
    const saved = this.indent
    this.indent = this.indent < 0 ? INDENT_STEP : this.indent + INDENT_STEP
    if (value === null) this.scalar('null', simpleKey, true)
    else if (typeof value === 'boolean') this.scalar(value ? 'true' : 'false', simpleKey, true)
    else if (typeof value === 'bigint') this.scalar(value.toString(), simpleKey, true)
    else if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`)
      this.scalar(String(value), simpleKey, true)
    } else if (typeof value === 'string') {
      this.scalar(value, simpleKey, resolvePlain(value) === 'str')
    } else {
      throw new Error('nested collections are written by mapping()')
    }
    this.indent = saved
  }

  node(value: YamlValue): void {
    if (Array.isArray(value)) {
      if (value.length > 0) throw new Error('only empty lists appear in meta.yaml files')
      this.indicator('[', true, true)
      this.indicator(']', false)
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value)
      if (keys.length === 0) {
        this.indicator('{', true, true)
        this.indicator('}', false)
      } else {
        this.mapping(value)
      }
    } else {
      this.value(value)
    }
  }

  mapping(mapping: YamlMapping): void {
    const saved = this.indent
    this.indent = this.indent < 0 ? 0 : this.indent + INDENT_STEP
    for (const key of Object.keys(mapping).sort(compareCodePoints)) {
      this.writeIndent()
      const keyAnalysis = analyzeScalar([...key])
      const simple =
        !keyAnalysis.multiline && Buffer.byteLength(key, 'utf8') <= MAX_SIMPLE_KEY_BYTES
      if (simple) {
        this.value(key, true)
        this.indicator(':', false)
      } else {
        this.indicator('?', true, false, true)
        this.value(key)
        this.writeIndent()
        this.indicator(':', true, false, true)
      }
      this.node(mapping[key]!)
    }
    this.indent = saved
  }
}

/** Python sorts dictionary keys by code point; JavaScript's default sort uses UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const left = [...a]
  const right = [...b]
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!
    if (difference !== 0) return difference
  }
  return left.length - right.length
}

/** `yaml.safe_dump(mapping, default_flow_style=False, allow_unicode=True, sort_keys=True)`. */
export function dumpYaml(mapping: YamlMapping): string {
  const emitter = new Emitter()
  if (Object.keys(mapping).length === 0) return '{}\n'
  emitter.mapping(mapping)
  emitter.writeIndent()
  return emitter.out
}
