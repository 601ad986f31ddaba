import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { SqlDialectName } from '../../metadata/sql/dialects/sql-dialect.js'
import { internalError } from '../../core/errors.js'

/**
 * The package's `schema/` folder. This module sits three levels below the package root both as
 * `src/migrate/migrations/schema-file.ts` and as `dist/migrate/migrations/schema-file.js`.
 */
export const SCHEMA_DIR = fileURLToPath(new URL('../../../schema/', import.meta.url))

/** The path of the DDL file for a dialect: `schema/sqlite.sql`, `postgresql.sql` or `mysql.sql`. */
export function schemaFilePath(dialect: SqlDialectName): string {
  return fileURLToPath(new URL(`../../../schema/${dialect}.sql`, import.meta.url))
}

/**
 * Splits a schema file into statements by the rule written at the top of each file: a statement
 * is a run of non-blank lines, statements are separated by blank lines, lines starting with `--`
 * are comments, and the trailing semicolon is dropped. The rule needs no SQL parsing, so the
 * semicolons inside trigger and function bodies are safe.
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = []
  for (const block of text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
    const lines = block.split('\n').filter((line) => !line.trimStart().startsWith('--'))
    const statement = lines.join('\n').trim().replace(/;$/, '').trimEnd()
    if (statement !== '') statements.push(statement)
  }
  return statements
}

/** Reads and splits `schema/<dialect>.sql`. */
export async function readSchemaStatements(dialect: SqlDialectName): Promise<string[]> {
  const file = schemaFilePath(dialect)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw internalError(
      `Cannot read trackstore's schema file ${file}: is the package complete?`,
      error,
    )
  }
  return splitStatements(text)
}
