/**
 * Artifact locations built as MLflow builds them (`mlflow/utils/uri.py`): segments are appended
 * to the path part of a URI, keeping its query and fragment; plain paths are joined as POSIX
 * paths; relative local locations are made absolute once, when a store opens.
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { invalidParameter } from './errors.js'

const URI = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/s

interface UriParts {
  scheme: string
  authority: string | undefined
  path: string
  query: string
  fragment: string
}

function splitUri(uri: string): UriParts | null {
  // A Windows drive letter is a path, not a scheme.
  if (/^[a-zA-Z]:[\\/]/.test(uri)) return null
  const match = URI.exec(uri)
  if (!match) return null
  return {
    scheme: match[1]!,
    authority: match[2] === undefined ? undefined : match[3]!,
    path: match[4] ?? '',
    query: match[5] ?? '',
    fragment: match[6] ?? '',
  }
}

function joinPosix(prefix: string, suffix: string): string {
  const tail = suffix.replace(/^\/+/, '')
  if (prefix === '') return tail
  if (tail === '') return prefix
  return prefix.endsWith('/') ? `${prefix}${tail}` : `${prefix}/${tail}`
}

/**
 * MLflow's `append_to_uri_path`: `s3://b/root?x=1` + `1`, `run`, `artifacts` gives
 * `s3://b/root/1/run/artifacts?x=1`.
 */
export function appendToUriPath(uri: string, ...segments: string[]): string {
  const suffix = segments.reduce(joinPosix, '')
  const parts = splitUri(uri)
  if (!parts) return joinPosix(uri, suffix)
  if (parts.query.includes('..')) {
    throw invalidParameter(
      `Invalid URI query string in ${JSON.stringify(uri)}: '..' is not allowed`,
    )
  }
  const newPath = joinPosix(parts.path, suffix)
  const needsSlashes = parts.authority === undefined && parts.scheme === 'file'
  const authority =
    parts.authority !== undefined ? `//${parts.authority}` : needsSlashes ? '//' : ''
  const pathPart = needsSlashes && !newPath.startsWith('/') ? `/${newPath}` : newPath
  return `${parts.scheme}:${authority}${pathPart}${parts.query}${parts.fragment}`
}

/**
 * `resolve_uri_if_local`: a relative plain path becomes an absolute path; `file:relative`
 * becomes `file:///abs/relative`; anything else is returned unchanged.
 */
export function resolveUriIfLocal(uri: string, cwd: string = process.cwd()): string {
  const parts = splitUri(uri)
  if (!parts) return path.resolve(cwd, uri)
  if (parts.scheme === 'file' && parts.authority === undefined && !parts.path.startsWith('/')) {
    const absolute = pathToFileURL(path.resolve(cwd, parts.path)).href
    return `${absolute}${parts.query}${parts.fragment}`
  }
  return uri
}

/** Whether an artifact location is on local disk (a plain path or a `file:` URI). */
export function isLocalUri(uri: string): boolean {
  const parts = splitUri(uri)
  return parts === null || parts.scheme === 'file'
}
