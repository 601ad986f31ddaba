import { describe, expect, it } from 'vitest'
import { isTrackstoreError } from '../../../src/core/errors.js'
import {
  decodePageToken,
  encodePageToken,
  validateMaxResults,
} from '../../../src/metadata/search/index.js'

function errorOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(isTrackstoreError(error, 'INVALID_PARAMETER_VALUE')).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected a failure')
}

const tokenOf = (json: string): string => Buffer.from(json, 'utf8').toString('base64')

describe('encodePageToken', () => {
  it("matches MLflow's token byte for byte", () => {
    expect(encodePageToken(1000)).toBe('eyJvZmZzZXQiOiAxMDAwfQ==')
    expect(Buffer.from(encodePageToken(4), 'base64').toString('utf8')).toBe('{"offset": 4}')
  })

  it('round-trips through decodePageToken', () => {
    for (const offset of [1, 4, 999, 50000, 123456789]) {
      expect(decodePageToken(encodePageToken(offset))).toBe(offset)
    }
  })
})

describe('decodePageToken', () => {
  it.each([undefined, null, ''])('gives offset 0 for %j', (token) => {
    expect(decodePageToken(token)).toBe(0)
  })

  it('accepts compact JSON and a string offset, as Python does', () => {
    expect(decodePageToken(tokenOf('{"offset":7}'))).toBe(7)
    expect(decodePageToken(tokenOf('{"offset": "12"}'))).toBe(12)
    expect(decodePageToken(tokenOf('{"offset": 3, "extra": true}'))).toBe(3)
  })

  it('skips characters outside the base64 alphabet like Python', () => {
    expect(decodePageToken('eyJvZmZzZXQiOiAxMDAwfQ==\n')).toBe(1000)
  })

  it.each([
    ['invalid_token', 'Invalid page token, could not base64-decode'],
    ['abc', 'Invalid page token, could not base64-decode'],
    ['a=bc', 'Invalid page token, could not base64-decode'],
    ['aW52YWxpZA==', 'Invalid page token, decoded value=invalid'],
    [tokenOf('{"offset": 0}'), 'Invalid page token, parsed value={"offset":0}'],
    [tokenOf('{"other": 5}'), 'Invalid page token, parsed value={"other":5}'],
    [tokenOf('[1]'), 'Invalid page token, parsed value=[1]'],
    [tokenOf('null'), 'Invalid page token, parsed value=null'],
    [tokenOf('{"offset": 2.5}'), 'Invalid page token, not stringable 2.5'],
    [tokenOf('{"offset": "x"}'), 'Invalid page token, not stringable "x"'],
    [tokenOf('{"offset": true}'), 'Invalid page token, not stringable true'],
    [tokenOf('{"offset": 1e300}'), 'Invalid page token, not stringable 1e+300'],
    [tokenOf('{"offset": -5}'), 'Invalid page token, offset must be a positive integer, got -5'],
  ])('rejects %j', (token, message) => {
    expect(errorOf(() => decodePageToken(token))).toBe(message)
  })
})

describe('validateMaxResults', () => {
  it('returns the default when absent', () => {
    expect(validateMaxResults(undefined)).toBe(1000)
    expect(validateMaxResults(undefined, { defaultValue: 100 })).toBe(100)
  })

  it('accepts 1 through the maximum', () => {
    expect(validateMaxResults(1)).toBe(1)
    expect(validateMaxResults(50000)).toBe(50000)
    expect(validateMaxResults(10, { max: 10 })).toBe(10)
  })

  it.each([
    [0, 'Invalid value 0 for parameter'],
    [-1, 'Invalid value -1 for parameter'],
    [null, 'Invalid value None for parameter'],
    [1.5, 'Invalid value 1.5 for parameter'],
    [Number.NaN, 'Invalid value NaN for parameter'],
  ])('rejects %j as not positive', (value, start) => {
    expect(errorOf(() => validateMaxResults(value))).toBe(
      `${start} 'max_results' supplied. It must be a positive integer`,
    )
  })

  it('rejects values over the maximum', () => {
    expect(errorOf(() => validateMaxResults(1_000_000))).toBe(
      "Invalid value 1000000 for parameter 'max_results' supplied. It must be at most 50000",
    )
    expect(errorOf(() => validateMaxResults(11, { max: 10 }))).toBe(
      "Invalid value 11 for parameter 'max_results' supplied. It must be at most 10",
    )
  })
})
