import { describe, expect, it } from 'vitest'
import {
  escapeLikeBackslashes,
  likeToRegExp,
  matchesIlike,
  matchesLike,
} from '../../../src/metadata/search/index.js'

describe('LIKE matching', () => {
  it.each([
    ['other', 'other', true],
    ['other', 'othe', false],
    ['other', 'other%', true],
    ['another', 'other%', false],
    ['another', '%other', true],
    ['anotherone', '%other', false],
    ['anotherone', '%other%', true],
    ['other', '%other%', true],
    ['abc', 'a_c', true],
    ['ac', 'a_c', false],
    ['abbc', 'a_c', false],
    ['', '%', true],
    ['x', '', false],
    ['', '', true],
  ])('%j LIKE %j is %s', (value, pattern, expected) => {
    expect(matchesLike(value, pattern)).toBe(expected)
  })

  it('is case-sensitive; ILIKE is not', () => {
    expect(matchesLike('Other', 'other')).toBe(false)
    expect(matchesLike('OTHER', '%th%')).toBe(false)
    expect(matchesIlike('Other', 'other')).toBe(true)
    expect(matchesIlike('OTHER', '%th%')).toBe(true)
    expect(matchesIlike('ÄBC', 'äbc')).toBe(true)
  })

  it('treats regular-expression characters literally', () => {
    expect(matchesLike('a.c', 'a.c')).toBe(true)
    expect(matchesLike('abc', 'a.c')).toBe(false)
    expect(matchesLike('a+b', 'a+b')).toBe(true)
    expect(matchesLike('aab', 'a+b')).toBe(false)
    expect(matchesLike('(x)[y]{z}|^$?*/', '(x)[y]{z}|^$?*/')).toBe(true)
    expect(matchesLike('x', '[x]')).toBe(false)
  })

  it('treats a backslash literally (no escape character)', () => {
    expect(matchesLike('a\\b', 'a\\b')).toBe(true)
    expect(matchesLike('a_b', 'a\\_b')).toBe(false)
    expect(matchesLike('a\\xb', 'a\\_b')).toBe(true)
  })

  it('lets % span newlines and _ match one code point', () => {
    expect(matchesLike('line1\nline2', 'line1%')).toBe(true)
    expect(matchesLike('a\nb', 'a_b')).toBe(true)
    expect(matchesLike('a😀b', 'a_b')).toBe(true)
  })

  it('compiles an anchored regular expression', () => {
    const regexp = likeToRegExp('a%b_')
    expect(regexp.test('axxbc')).toBe(true)
    expect(regexp.test('zaxxbc')).toBe(false)
    expect(likeToRegExp('AB', true).test('ab')).toBe(true)
  })

  it('doubles backslashes for databases that escape with them', () => {
    expect(escapeLikeBackslashes('a\\_b%')).toBe('a\\\\_b%')
    expect(escapeLikeBackslashes('plain')).toBe('plain')
  })
})
