import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { invalidParameter } from './errors.js'

/** A tracking URI, resolved to the backend it selects. */
export type TrackingLocation =
  | { kind: 'sqlite'; uri: string; path: string }
  | { kind: 'postgresql'; uri: string; url: string }
  | { kind: 'mysql'; uri: string; url: string }
  | { kind: 'file'; uri: string; root: string }

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/

/**
 * Parses the tracking URIs MLflow users already have:
 * `sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite:///:memory:`,
 * `postgresql://user:pw@host:port/db`, `mysql://…` (SQLAlchemy driver suffixes such as
 * `+psycopg2` or `+pymysql` are accepted and ignored), and a plain path or `file:` URI for the
 * file store. Relative paths are resolved against `cwd`.
 */
export function parseTrackingUri(uri: string, cwd: string = process.cwd()): TrackingLocation {
  if (typeof uri !== 'string' || uri.trim() === '') {
    throw invalidParameter(`Invalid tracking URI ${JSON.stringify(uri)}: it must not be empty`)
  }
  const match = SCHEME.exec(uri)
  // A Windows drive letter (C:\…) is a path, not a scheme.
  if (!match || /^[a-zA-Z]:[\\/]/.test(uri)) {
    return { kind: 'file', uri, root: path.resolve(cwd, uri) }
  }
  const scheme = match[1]!.toLowerCase()
  const [base] = scheme.split('+')
  switch (base) {
    case 'file':
      return { kind: 'file', uri, root: fileUriToPath(uri, cwd) }
    case 'sqlite':
      return { kind: 'sqlite', uri, path: sqlitePath(uri, cwd) }
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgresql', uri, url: `postgresql:${uri.slice(match[0].length)}` }
    case 'mysql':
    case 'mariadb':
      return { kind: 'mysql', uri, url: `mysql:${uri.slice(match[0].length)}` }
    default:
      throw invalidParameter(
        `Unsupported tracking URI scheme '${scheme}' in ${JSON.stringify(uri)}: expected ` +
          `sqlite:, postgresql:, mysql:, file: or a plain path`,
      )
  }
}

function sqlitePath(uri: string, cwd: string): string {
  // SQLAlchemy: sqlite:// and sqlite:///:memory: are in-memory databases;
  // sqlite:///rel.db is relative, sqlite:////abs.db is absolute.
  const rest = uri.replace(SCHEME, '')
  if (rest === '//' || rest === '' || rest === '///:memory:') return ':memory:'
  if (!rest.startsWith('///')) {
    throw invalidParameter(
      `Invalid SQLite URI ${JSON.stringify(uri)}: expected sqlite:///relative.db, ` +
        `sqlite:////absolute.db or sqlite:///:memory:`,
    )
  }
  const withoutQuery = rest.slice(3).split('?')[0]!
  return path.resolve(cwd, decodeURIComponent(withoutQuery))
}

/** `file:///abs`, `file:/abs` and `file:relative` (MLflow accepts all three). */
export function fileUriToPath(uri: string, cwd: string = process.cwd()): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri.split('?')[0]!)
  const rest = decodeURIComponent(uri.slice('file:'.length).split('?')[0]!)
  return path.resolve(cwd, rest)
}

/** Hides the password of a connection URL, for logs and messages. */
export function redactUri(uri: string): string {
  return uri.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@')
}
