import { describe, expect, it } from 'vitest'
import { checkArtifactPath, guessContentType } from '../../src/artifacts/index.js'
import { checkReadPath } from '../../src/artifacts/artifact-path.js'

describe('checkArtifactPath', () => {
  it.each(['', 'a', 'a/b', 'a.b/c d', '..a', 'a/..b', '.hidden', 'ü/📈'])('accepts %j', (path) => {
    if (path.startsWith('..')) {
      // MLflow refuses any path that starts with `..`, even `..a`.
      expect(() => checkArtifactPath(path)).toThrow(/Invalid artifact path/)
    } else {
      expect(checkArtifactPath(path)).toBe(path)
    }
  })

  it.each(['/', '//', '/tmp', '/bad_path', '.', '..', '../terrible_path', 'a/', 'a//b', './a'])(
    'refuses %j',
    (path) => {
      expect(() => checkArtifactPath(path)).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER_VALUE',
          message: expect.stringContaining(`Invalid artifact path: '${path}'`),
        }),
      )
    },
  )

  it('accepts one trailing slash when reading', () => {
    expect(checkReadPath('a/b/')).toBe('a/b')
    expect(() => checkReadPath('a//')).toThrow(/Invalid artifact path/)
    expect(() => checkReadPath('/')).toThrow(/Invalid artifact path/)
  })
})

describe('guessContentType', () => {
  it.each([
    ['a.txt', 'text/plain'],
    ['dir/PLOT.PNG', 'image/png'],
    ['model.tar.gz', 'application/gzip'],
    ['MLmodel', 'application/octet-stream'],
    ['.hidden', 'application/octet-stream'],
    ['x.unknownext', 'application/octet-stream'],
  ])('%s → %s', (name, type) => {
    expect(guessContentType(name)).toBe(type)
  })
})
