/**
 * Multi-row INSERTs for the hot write paths (metrics, params, tags). Rows are chunked under the
 * dialect's bind limit. A chunk's SQL text depends only on its shape — table, columns, number of
 * rows, conflict clause — so it is compiled by Kysely once per shape and then reused with new
 * values: building and compiling a 1000-row statement costs more than SQLite takes to run it.
 */
import { CompiledQuery, type Kysely } from 'kysely'
import type { AnyInsert, AnyTables, SqlDialect } from './dialects/sql-dialect.js'
import { chunkRows } from './rows.js'

/** What to do with a row whose primary key exists. */
export type OnConflict =
  | { kind: 'fail' }
  | { kind: 'ignore'; keys: string[] }
  | { kind: 'update'; keys: string[]; columns: string[] }

type Row = Record<string, unknown>

/** Compiled SQL text by shape; bounded, the oldest shape goes first. */
const statements = new Map<string, string>()
const MAX_SHAPES = 512

function shapeOf(
  dialect: SqlDialect,
  table: string,
  columns: string[],
  count: number,
  conflict: OnConflict,
): string {
  const tail =
    conflict.kind === 'fail'
      ? ''
      : `${conflict.keys.join(',')}|${conflict.kind === 'update' ? conflict.columns.join(',') : ''}`
  return `${dialect.name}|${table}|${columns.join(',')}|${count}|${conflict.kind}|${tail}`
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}

/**
 * Inserts uniform rows (every row has the same keys, in the same order) into `table`.
 * An empty list does nothing.
 */
export async function insertRows(
  db: Kysely<AnyTables>,
  dialect: SqlDialect,
  table: string,
  rows: Row[],
  conflict: OnConflict = { kind: 'fail' },
): Promise<void> {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0]!)
  for (const chunk of chunkRows(rows, dialect.maxBindParameters)) {
    const values = chunk.flatMap((row) => columns.map((column) => row[column]))
    const shape = shapeOf(dialect, table, columns, chunk.length, conflict)
    const text = statements.get(shape)
    if (text !== undefined) {
      await db.executeQuery(CompiledQuery.raw(text, values))
      continue
    }
    let query: AnyInsert = db.insertInto(table as never).values(chunk as never)
    if (conflict.kind === 'ignore') query = dialect.ignoreDuplicates(query, conflict.keys)
    if (conflict.kind === 'update') query = dialect.upsert(query, conflict.keys, conflict.columns)
    const compiled = query.compile()
    // Reuse the text only when its parameters are exactly the row values in order.
    if (sameValues(compiled.parameters, values)) {
      if (statements.size >= MAX_SHAPES) statements.delete(statements.keys().next().value!)
      statements.set(shape, compiled.sql)
    }
    await db.executeQuery(compiled)
  }
}
