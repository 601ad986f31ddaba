/**
 * Server-canonical descriptions of a database's schema, as sorted lines, so that a database
 * trackstore migrated can be compared with one loaded from MLflow's own dump. Each dialect asks
 * the server itself (PRAGMAs, catalogs, SHOW CREATE TABLE) rather than comparing DDL text.
 * trackstore's own tables (trackstore_migrations, trackstore_state) are left out.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { MIGRATION_TABLE, STATE_TABLE } from '../../src/migrate/index.js'

/** trackstore's own tables, which MLflow's dumps do not have. */
const isTrackstoreTable = (table: string): boolean =>
  table === MIGRATION_TABLE || table === STATE_TABLE

export type Dialect = 'sqlite' | 'postgresql' | 'mysql'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const REFERENCE_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'mlflow-reference')

export function referenceDump(dialect: Dialect): string {
  return path.join(REFERENCE_DIR, 'schema', `${dialect}.sql`)
}

/** Loads MLflow's dump of a dialect into an empty database, with the driver alone. */
export async function loadReference(dialect: Dialect, target: string): Promise<void> {
  const text = await readFile(referenceDump(dialect), 'utf8')
  if (dialect === 'sqlite') {
    const db = new Database(target)
    try {
      db.exec(text)
    } finally {
      db.close()
    }
  } else if (dialect === 'postgresql') {
    const client = new pg.Client({ connectionString: target })
    await client.connect()
    try {
      await client.query(text)
    } finally {
      await client.end()
    }
  } else {
    // DELIMITER is a command of the mysql client, not SQL: the server splits the statements.
    const body = text
      .split('\n')
      .filter((line) => !line.startsWith('DELIMITER'))
      .join('\n')
      .replace(/;;$/gm, ';')
    const connection = await mysql.createConnection({ uri: target, multipleStatements: true })
    try {
      await connection.query(body)
    } finally {
      await connection.end()
    }
  }
}

/** Describes a schema as sorted lines; `target` is a SQLite path or a server URL. */
export function describeSchema(dialect: Dialect, target: string): Promise<string[]> {
  switch (dialect) {
    case 'sqlite':
      return Promise.resolve(describeSqlite(target))
    case 'postgresql':
      return describePostgres(target)
    case 'mysql':
      return describeMysql(target)
  }
}

/** Lines only in `ours` or only in `theirs`, labelled, for a readable failure. */
export function schemaDifferences(ours: string[], theirs: string[]): string[] {
  const mine = new Set(ours)
  const reference = new Set(theirs)
  return [
    ...ours.filter((line) => !reference.has(line)).map((line) => `only in trackstore: ${line}`),
    ...theirs.filter((line) => !mine.has(line)).map((line) => `only in MLflow:     ${line}`),
  ]
}

// ---------------------------------------------------------------------------------------------
// SQLite: PRAGMAs for columns, keys and indexes; the CREATE text for CHECK constraints,
// generated columns and the trigger, normalised (quotes, whitespace, case outside literals).

/** Folds case and whitespace outside string literals and drops identifier quotes. */
export function normaliseSql(text: string): string {
  let out = ''
  let inString = false
  for (const char of text) {
    if (char === "'") inString = !inString
    if (inString || char === "'") out += char
    else if (char !== '"' && char !== '`') out += /\s/.test(char) ? ' ' : char.toLowerCase()
  }
  return out
    .replace(/ +/g, ' ')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .replace(/ ,/g, ',')
    .trim()
}

/** The comma-separated items of a CREATE TABLE body, split at the top level. */
function tableItems(createSql: string): string[] {
  const body = createSql.slice(createSql.indexOf('(') + 1, createSql.lastIndexOf(')'))
  const items: string[] = []
  let depth = 0
  let inString = false
  let current = ''
  for (const char of body) {
    if (char === "'") inString = !inString
    if (!inString && char === '(') depth++
    if (!inString && char === ')') depth--
    if (!inString && depth === 0 && char === ',') {
      items.push(current)
      current = ''
    } else current += char
  }
  items.push(current)
  return items.map(normaliseSql).filter((item) => item !== '')
}

interface IndexListRow {
  name: string
  unique: number
  origin: string
  partial: number
}

function describeSqlite(file: string): string[] {
  const db = new Database(file, { readonly: true })
  const lines: string[] = []
  try {
    const objects = db
      .prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%'")
      .all() as { type: string; name: string; tbl_name: string; sql: string | null }[]
    for (const object of objects) {
      if (isTrackstoreTable(object.tbl_name)) continue
      if (object.type === 'trigger') {
        lines.push(`trigger ${object.name} ${normaliseSql(object.sql ?? '')}`)
      }
      if (object.type !== 'table') continue
      const table = object.name
      lines.push(`table ${table}`)
      for (const column of db.prepare(`pragma table_xinfo("${table}")`).all()) {
        lines.push(`column ${table} ${JSON.stringify(column)}`)
      }
      for (const key of db.prepare(`pragma foreign_key_list("${table}")`).all()) {
        lines.push(`foreign key ${table} ${JSON.stringify(key)}`)
      }
      const indexes = db.prepare(`pragma index_list("${table}")`).all() as IndexListRow[]
      for (const index of indexes) {
        // seq is the position in the list, which depends on creation order only.
        const { name, unique, origin, partial } = index
        lines.push(`index ${table} ${JSON.stringify({ name, unique, origin, partial })}`)
        for (const column of db.prepare(`pragma index_xinfo("${index.name}")`).all()) {
          lines.push(`index column ${index.name} ${JSON.stringify(column)}`)
        }
      }
      for (const item of tableItems(object.sql ?? '')) {
        if (/^(constraint|check|primary|unique|foreign)\b/.test(item)) {
          lines.push(`constraint ${table} ${item}`)
        } else if (item.includes(' generated ')) {
          lines.push(`generated column ${table} ${item}`)
        }
      }
    }
  } finally {
    db.close()
  }
  return lines.sort()
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: information_schema and the pg_get_*def functions.

/**
 * pg_get_constraintdef prints a CHECK created as `col IN (...)` with the casts of the original
 * statement, and the same CHECK reloaded from pg_dump's text with the casts moved (see the
 * reference README). Casts and parentheses are dropped so the two compare equal; the exact text
 * is checked separately against the dump.
 */
export function normalisePostgresCheck(definition: string): string {
  return definition
    .replace(/::[a-z ]+(\[\])?/g, '')
    .replace(/[()]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

async function describePostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const lines: string[] = []
  const skip = (table: string): boolean => isTrackstoreTable(table)
  try {
    const columns = await client.query(
      `select table_name, ordinal_position, column_name, data_type, character_maximum_length,
          numeric_precision, is_nullable, column_default, is_identity, is_generated,
          generation_expression
        from information_schema.columns where table_schema = 'public'`,
    )
    for (const row of columns.rows) {
      if (!skip(row.table_name)) lines.push(`column ${row.table_name} ${JSON.stringify(row)}`)
    }
    const constraints = await client.query(
      `select conrelid::regclass::text as table_name, conname, contype,
          pg_get_constraintdef(oid) as definition
        from pg_constraint where connamespace = 'public'::regnamespace`,
    )
    for (const row of constraints.rows) {
      if (skip(row.table_name)) continue
      const definition =
        row.contype === 'c' ? normalisePostgresCheck(row.definition) : row.definition
      lines.push(`constraint ${row.table_name} ${row.conname} ${row.contype} ${definition}`)
    }
    const indexes = await client.query(
      `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'`,
    )
    for (const row of indexes.rows) {
      if (!skip(row.tablename))
        lines.push(`index ${row.tablename} ${row.indexname} ${row.indexdef}`)
    }
    const triggers = await client.query(
      `select tgrelid::regclass::text as table_name, tgname, pg_get_triggerdef(oid) as definition
        from pg_trigger where not tgisinternal`,
    )
    for (const row of triggers.rows) lines.push(`trigger ${row.table_name} ${row.definition}`)
    const functions = await client.query(
      `select proname, pg_get_functiondef(oid) as definition
        from pg_proc where pronamespace = 'public'::regnamespace`,
    )
    for (const row of functions.rows) lines.push(`function ${row.proname} ${row.definition}`)
    const sequences = await client.query(
      `select s.sequencename, s.data_type::text, s.start_value, s.min_value, s.max_value,
          s.increment_by, s.cycle, s.cache_size, t.relname as owner_table, a.attname as owner_column
        from pg_sequences s
        join pg_class c on c.relname = s.sequencename and c.relkind = 'S'
        left join pg_depend d on d.objid = c.oid and d.deptype in ('a', 'i')
          and d.refobjsubid > 0
        left join pg_class t on t.oid = d.refobjid
        left join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
        where s.schemaname = 'public'`,
    )
    for (const row of sequences.rows) lines.push(`sequence ${JSON.stringify(row)}`)
    const tables = await client.query(`select tablename from pg_tables where schemaname = 'public'`)
    for (const row of tables.rows) if (!skip(row.tablename)) lines.push(`table ${row.tablename}`)
  } finally {
    await client.end()
  }
  return lines.sort()
}

// ---------------------------------------------------------------------------------------------
// MariaDB / MySQL: SHOW CREATE TABLE with its key and constraint lines sorted (InnoDB lists
// indexes in creation order) and AUTO_INCREMENT=N removed; triggers from information_schema.

async function describeMysql(url: string): Promise<string[]> {
  const connection = await mysql.createConnection({ uri: url })
  const lines: string[] = []
  try {
    const [tables] = (await connection.query(
      `select table_name as name from information_schema.tables where table_schema = database()`,
    )) as unknown as [{ name: string }[]]
    for (const { name } of tables) {
      if (isTrackstoreTable(name)) continue
      const [rows] = (await connection.query(`show create table \`${name}\``)) as unknown as [
        Record<string, string>[],
      ]
      const text = rows[0]!['Create Table']!.replace(/ AUTO_INCREMENT=\d+/, '')
      const body = text.split('\n')
      const keys: string[] = []
      const ordered: string[] = []
      for (const line of body) {
        const bare = line.trim().replace(/,$/, '')
        if (/^(PRIMARY KEY|UNIQUE KEY|KEY|CONSTRAINT)\b/.test(bare)) keys.push(bare)
        else ordered.push(bare)
      }
      ordered.forEach((line, position) => lines.push(`table ${name} ${position} ${line}`))
      for (const key of keys.sort()) lines.push(`key ${name} ${key}`)
    }
    const [triggers] = (await connection.query(
      `select trigger_name, event_manipulation, event_object_table, action_timing,
          action_orientation, action_statement
        from information_schema.triggers where trigger_schema = database()`,
    )) as unknown as [Record<string, string>[]]
    for (const trigger of triggers) {
      const statement = (trigger.action_statement ?? trigger.ACTION_STATEMENT ?? '').trim()
      lines.push(`trigger ${JSON.stringify({ ...trigger, action_statement: statement })}`)
    }
  } finally {
    await connection.end()
  }
  return lines.sort()
}
