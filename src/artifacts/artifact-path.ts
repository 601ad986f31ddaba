import { invalidParameter } from '../core/errors.js'

/**
 * MLflow's rule for artifact paths (`verify_artifact_path`): a path must equal its own POSIX
 * normalisation and must not be `.`, start with `..` or start with `/`. The empty string is the
 * root. Returns the path unchanged or throws INVALID_PARAMETER_VALUE.
 */
export function checkArtifactPath(path: string | undefined): string {
  if (path === undefined || path === '') return ''
  if (!isNormalisedRelative(path)) {
    throw invalidParameter(
      `Invalid artifact path: '${path}'. Artifact paths must be relative and normalised: ` +
        "no leading '/', no '.' or '..' segments, no empty segments",
    )
  }
  return path
}

/**
 * {@link checkArtifactPath} for reading operations, which also accept one trailing `/`
 * (`listArtifacts('dir/')` answers as `listArtifacts('dir')`).
 */
export function checkReadPath(path: string | undefined): string {
  if (path !== undefined && path.length > 1 && path.endsWith('/') && !path.endsWith('//')) {
    return checkArtifactPath(path.slice(0, -1))
  }
  return checkArtifactPath(path)
}

function isNormalisedRelative(path: string): boolean {
  if (path.startsWith('/') || path.startsWith('..') || path.includes('\0')) return false
  const segments = path.split('/')
  // `..` is refused anywhere: first it escapes the root, later it is not normalised.
  return segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..')
}

/** Joins non-empty POSIX segments: `joinPath('a', '', 'b/c')` is `a/b/c`. */
export function joinPath(...parts: (string | undefined)[]): string {
  return parts.filter((part) => part !== undefined && part !== '').join('/')
}

/** The last segment of a POSIX path. */
export function baseName(path: string): string {
  const index = path.lastIndexOf('/')
  return index < 0 ? path : path.slice(index + 1)
}

/**
 * The key prefix of an object store root, from the path part of `s3://bucket/prefix` or
 * `gs://bucket/prefix`: leading and trailing slashes dropped, the rest checked like an artifact
 * path. Throws INVALID_PARAMETER_VALUE naming the URI.
 */
export function rootPrefix(uri: string, path: string): string {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '')
  if (trimmed !== '' && !isNormalisedRelative(trimmed)) {
    throw invalidParameter(`Invalid artifact URI '${uri}': the path '${path}' is not normalised`)
  }
  return trimmed
}

/** Orders listings by path, comparing UTF-16 code units (as Python's `sorted` for ASCII). */
export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0
}

/** Whether a key, relative to a store's root, is a valid artifact path (the root excluded). */
export function isArtifactPath(path: string): boolean {
  return path !== '' && isNormalisedRelative(path)
}
