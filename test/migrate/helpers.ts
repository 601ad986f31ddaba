import { copyFile, chmod, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseTrackingUri } from '../../src/core/uri.js'
import { connectSql, type SqlLocation } from '../../src/metadata/sql/connect-sql.js'
import type { SqlConnection } from '../../src/metadata/sql/dialects/sql-dialect.js'
import { createTestDatabase, createTestSqlite, type TestDatabase } from '../support/databases.js'
import { REFERENCE_DIR, type Dialect } from './schema-introspection.js'

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgresql', 'mysql']

export function newDatabase(dialect: Dialect): Promise<TestDatabase> {
  return dialect === 'sqlite' ? createTestSqlite() : createTestDatabase(dialect)
}

export function connect(uri: string): Promise<SqlConnection> {
  return connectSql(parseTrackingUri(uri) as SqlLocation)
}

/** What the introspection helpers take: the SQLite file path, or the server URL. */
export function targetOf(uri: string): string {
  const location = parseTrackingUri(uri)
  return location.kind === 'sqlite' ? location.path : (location as { url: string }).url
}

/** Copies a read-only SQLite fixture into a fresh temporary folder, writable. */
export async function copyFixture(
  relative: string,
): Promise<{ path: string; uri: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-fixture-'))
  const file = path.join(dir, path.basename(relative))
  await copyFile(path.join(REFERENCE_DIR, relative), file)
  await chmod(file, 0o644)
  return {
    path: file,
    uri: `sqlite:///${file}`,
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
