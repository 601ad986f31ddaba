/**
 * Numbers as Python writes and reads them in metric lines (FORMATS.md §2.6): `str(float)` is
 * the shortest text that reads back to the same double, in fixed notation for decimal exponents
 * from -4 to 15 and in scientific notation (`1e-05`, `1e+16`) outside, with `nan`, `inf`,
 * `-inf` and `-0.0` spelled as Python spells them.
 *
 * JavaScript has one number type, so trackstore cannot tell `42` from `42.0`. It always writes
 * the float form (`42.0`), which is what MLflow writes for every value logged through its
 * client or REST API: both turn metric values into floats before they reach the store. Files
 * holding the int form (`42`, written by code calling the Python store directly) read back as
 * the same number.
 */

/** Python's `repr(float)` / `str(float)`. */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (value === Infinity) return 'inf'
  if (value === -Infinity) return '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  // With no argument toExponential gives the shortest digits that read back to the same
  // double, which is also what Python's repr chooses.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e')
  const exponent = Number(exponentText)
  const sign = value < 0 ? '-' : ''
  const digits = mantissa.replace('-', '').replace('.', '')
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const magnitude = String(Math.abs(exponent)).padStart(2, '0')
    return `${sign}${head}e${exponent < 0 ? '-' : '+'}${magnitude}`
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0')
  const fraction = digits.slice(exponent + 1)
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`
}

const DECIMAL =
  /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i

/**
 * Python's `float(text)`: surrounding whitespace is ignored, `nan`/`inf`/`infinity` in any case
 * with an optional sign, underscores between digits. Returns `null` for anything else.
 */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?(?:e[-+]\d+)?$/

export function parsePythonFloat(text: string): number | null {
  // What Python's str(float) prints, the common case, needs one check.
  if (PLAIN_DECIMAL.test(text)) return Number(text)
  const trimmed = text.trim()
  const special = SPECIAL.exec(trimmed)
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN
    return special[1] === '-' ? -Infinity : Infinity
  }
  if (!DECIMAL.test(trimmed)) return null
  return Number(trimmed.replaceAll('_', ''))
}

/** Python's `int(text)` for the integer fields of a metric line (timestamp, step). */
export function parsePythonInt(text: string): number | null {
  if (/^-?\d{1,15}$/.test(text)) return Number(text)
  const trimmed = text.trim()
  if (!/^[+-]?\d(?:_?\d)*$/.test(trimmed)) return null
  const value = Number(trimmed.replaceAll('_', ''))
  return Number.isSafeInteger(value) ? value : null
}
