/**
 * MLflow's page tokens and `max_results` checks (FORMATS.md §6). A token is the base64 of the
 * JSON text `{"offset": N}` written with Python's default separators, so tokens minted by
 * MLflow and by trackstore are interchangeable.
 */
import { invalidParameter } from '../../core/errors.js'

/** `SEARCH_MAX_RESULTS_DEFAULT` in MLflow. */
export const SEARCH_MAX_RESULTS_DEFAULT = 1000
/** `SEARCH_MAX_RESULTS_THRESHOLD` in MLflow. */
export const SEARCH_MAX_RESULTS_THRESHOLD = 50000

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const INTEGER_TEXT = /^\s*[-+]?\d+\s*$/

/** Encodes the offset of the next page, e.g. 1000 → `eyJvZmZzZXQiOiAxMDAwfQ==`. */
export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64')
}

/**
 * Decodes a page token into a start offset; an absent or empty token means 0.
 * As in MLflow, a token whose offset is 0 is invalid (MLflow treats it as falsy).
 * @throws INVALID_PARAMETER_VALUE "Invalid page token, …" for anything else that is not a
 *   positive integer offset.
 */
export function decodePageToken(token: string | null | undefined): number {
  if (token === undefined || token === null || token === '') return 0
  // Like Python's non-strict b64decode, characters outside the alphabet are skipped.
  const cleaned = token.replace(/[^A-Za-z0-9+/=]/g, '')
  if (!BASE64.test(cleaned) || /[^\p{ASCII}]/u.test(token)) {
    throw invalidParameter('Invalid page token, could not base64-decode')
  }
  let decoded: string
  let parsed: unknown
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cleaned, 'base64'))
  } catch (error) {
    throw invalidParameter('Invalid page token, could not base64-decode', error)
  }
  try {
    parsed = JSON.parse(decoded)
  } catch (error) {
    throw invalidParameter(`Invalid page token, decoded value=${decoded}`, error)
  }
  const offset =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).offset
      : undefined
  if (!offset) {
    throw invalidParameter(`Invalid page token, parsed value=${JSON.stringify(parsed)}`)
  }
  let value: number
  if (typeof offset === 'number') value = offset
  else if (typeof offset === 'string' && INTEGER_TEXT.test(offset)) value = Number(offset)
  else value = Number.NaN
  if (!Number.isSafeInteger(value)) {
    throw invalidParameter(`Invalid page token, not stringable ${JSON.stringify(offset)}`)
  }
  if (value <= 0) {
    throw invalidParameter(`Invalid page token, offset must be a positive integer, got ${value}`)
  }
  return value
}

export interface MaxResultsOptions {
  /** Used when `maxResults` is undefined. Default 1000. */
  defaultValue?: number
  /** The largest accepted value. Default 50000. */
  max?: number
}

/**
 * Checks `max_results` as MLflow does and returns the value to use. `null` stands for Python's
 * `None` and is rejected like MLflow's search_experiments does; `undefined` gives the default.
 * @throws INVALID_PARAMETER_VALUE "Invalid value N for parameter 'max_results' supplied. …"
 */
export function validateMaxResults(
  maxResults: number | null | undefined,
  {
    defaultValue = SEARCH_MAX_RESULTS_DEFAULT,
    max = SEARCH_MAX_RESULTS_THRESHOLD,
  }: MaxResultsOptions = {},
): number {
  if (maxResults === undefined) return defaultValue
  const shown = maxResults === null ? 'None' : String(maxResults)
  const prefix = `Invalid value ${shown} for parameter 'max_results' supplied.`
  if (maxResults === null || !Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidParameter(`${prefix} It must be a positive integer`)
  }
  if (maxResults > max) {
    throw invalidParameter(`${prefix} It must be at most ${max}`)
  }
  return maxResults
}
