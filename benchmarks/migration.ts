/**
 * Migration throughput and peak memory: a generated `mlruns` folder of one million metric points
 * (200 runs × 5 metrics × 1,000 steps, 10 params and 10 tags each) copied by `copyStore` to
 * SQLite, PostgreSQL and MySQL, and between SQL backends; compared with a baseline that walks the
 * folder and inserts rows with each driver directly, with no trackstore code in the way. On
 * PostgreSQL the baseline is measured twice, multi-row INSERT and COPY FROM STDIN, which decides
 * how trackstore writes metric rows there.
 *
 *   npx tsc -p benchmarks/migration.tsconfig.json && node .bench/build/benchmarks/migration.js
 *   node .bench/build/benchmarks/migration.js --runs 50 --targets sqlite,postgresql
 *
 * Every figure is measured in a child process of its own, so the peak RSS reported is that of
 * one migration alone. PostgreSQL and MySQL: TRACKSTORE_BENCH_POSTGRES_URL and
 * TRACKSTORE_BENCH_MYSQL_URL (default the local servers); each figure gets a fresh database.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, promises as fs } from 'node:fs'
import { symlink, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateMlruns } from '../src/bench/workloads/migration.js'
import { copyStore } from '../src/migrate/copy/index.js'
import { openMetadataStore, widenExperimentIds } from '../src/open-metadata-store.js'

const POSTGRES_URL =
  process.env.TRACKSTORE_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const MYSQL_URL = process.env.TRACKSTORE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql'

interface Shape {
  runs: number
  metrics: number
  steps: number
}

interface Measured {
  seconds: number
  rows: number
  maxRssMiB: number
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? process.argv[at + 1]! : fallback
}

// -------------------------------------------------------------------------------------------
// The generated store

/** The store: 200 runs by default, written through the file store's transfer facet. */
function generate(root: string, shape: Shape): Promise<number> {
  return generateMlruns(root, shape)
}

// -------------------------------------------------------------------------------------------
// Child processes: one migration each

async function childCopy(from: string, to: string): Promise<Measured> {
  const source = await openMetadataStore(from, { createSchema: false })
  const destination = await openMetadataStore(to)
  const start = performance.now()
  try {
    const summary = await copyStore(source.transfer, destination.transfer, {
      sourceLabel: from,
      widenExperimentIds: async () => {
        await widenExperimentIds(to)
      },
    })
    return {
      seconds: (performance.now() - start) / 1000,
      rows: summary.metricRows,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    }
  } finally {
    await Promise.all([source.close(), destination.close()])
  }
}

interface RawRun {
  runId: string
  experimentId: string
  meta: Record<string, string>
  params: [string, string][]
  tags: [string, string][]
  metrics: [string, number, number, number][]
}

/** The folder walk of the baseline: plain fs reads and string splits, no trackstore code. */
async function* walk(root: string): AsyncIterable<RawRun> {
  const keyValues = async (dir: string): Promise<[string, string][]> => {
    const names = await fs.readdir(dir).catch(() => [] as string[])
    return Promise.all(
      names.map(
        async (name) => [name, await fs.readFile(path.join(dir, name), 'utf8')] as [string, string],
      ),
    )
  }
  for (const experimentId of await fs.readdir(root)) {
    if (!/^\d+$/.test(experimentId)) continue
    const experimentDir = path.join(root, experimentId)
    for (const runId of await fs.readdir(experimentDir)) {
      const runDir = path.join(experimentDir, runId)
      if (!/^[0-9a-f]{32}$/.test(runId)) continue
      const meta: Record<string, string> = {}
      for (const line of (await fs.readFile(path.join(runDir, 'meta.yaml'), 'utf8')).split('\n')) {
        const at = line.indexOf(': ')
        if (at > 0) meta[line.slice(0, at)] = line.slice(at + 2)
      }
      const metrics: [string, number, number, number][] = []
      for (const [key, text] of await keyValues(path.join(runDir, 'metrics'))) {
        for (const line of text.split('\n')) {
          if (line === '') continue
          const [timestamp, value, step] = line.split(' ')
          metrics.push([key, Number(value), Number(timestamp), Number(step)])
        }
      }
      yield {
        runId,
        experimentId,
        meta,
        params: await keyValues(path.join(runDir, 'params')),
        tags: await keyValues(path.join(runDir, 'tags')),
        metrics,
      }
    }
  }
}

const STATUS = ['', 'RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']

function runRow(run: RawRun): unknown[] {
  return [
    run.runId,
    run.meta.run_name ?? '',
    'UNKNOWN',
    '',
    '',
    run.meta.user_id ?? '',
    STATUS[Number(run.meta.status)] ?? 'RUNNING',
    Number(run.meta.start_time),
    Number(run.meta.end_time),
    '',
    'active',
    run.meta.artifact_uri ?? '',
    run.experimentId,
  ]
}

const RUN_COLUMNS =
  'run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, ' +
  'end_time, source_version, lifecycle_stage, artifact_uri, experiment_id'

/** Walk + raw inserts, one transaction a run, rows as the driver takes them fastest. */
async function childBaseline(from: string, to: string, mode: 'insert' | 'copy'): Promise<Measured> {
  // The schema (and experiments) come from trackstore, untimed: the baseline times rows only.
  const prepared = await openMetadataStore(to, { widenExperimentIds: !to.startsWith('sqlite') })
  const source = await openMetadataStore(from, { createSchema: false })
  for await (const experiment of source.transfer.experiments()) {
    await prepared.transfer.putExperiment(experiment)
  }
  await Promise.all([prepared.close(), source.close()])
  const start = performance.now()
  let rows = 0
  if (to.startsWith('sqlite')) {
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(to.slice('sqlite:///'.length))
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    const insertRun = db.prepare(`insert into runs (${RUN_COLUMNS}) values (${'?,'.repeat(12)}?)`)
    const insertParam = db.prepare('insert into params (key, value, run_uuid) values (?, ?, ?)')
    const insertTag = db.prepare('insert into tags (key, value, run_uuid) values (?, ?, ?)')
    const insertMetric = db.prepare(
      'insert into metrics (key, value, timestamp, step, is_nan, run_uuid) ' +
        'values (?, ?, ?, ?, 0, ?)',
    )
    const write = db.transaction((run: RawRun) => {
      insertRun.run(...runRow(run))
      for (const [key, value] of run.params) insertParam.run(key, value, run.runId)
      for (const [key, value] of run.tags) insertTag.run(key, value, run.runId)
      for (const [key, value, timestamp, step] of run.metrics) {
        insertMetric.run(key, value, timestamp, step, run.runId)
      }
    })
    for await (const run of walk(from)) {
      write(run)
      rows += run.metrics.length
    }
    db.close()
  } else if (to.startsWith('postgresql')) {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: to })
    await client.connect()
    const { from: copyFrom } = await import('pg-copy-streams')
    const { pipeline } = await import('node:stream/promises')
    const { Readable } = await import('node:stream')
    for await (const run of walk(from)) {
      await client.query('begin')
      await client.query(
        `insert into runs (${RUN_COLUMNS}) values (${runRow(run).map((_, i) => `$${i + 1}`)})`,
        runRow(run),
      )
      for (const [table, pairs] of [
        ['params', run.params],
        ['tags', run.tags],
      ] as const) {
        const values = pairs.flatMap(([key, value]) => [key, value, run.runId])
        await client.query(
          `insert into ${table} (key, value, run_uuid) values ` +
            pairs.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', '),
          values,
        )
      }
      if (mode === 'copy') {
        const stream = client.query(
          copyFrom('copy metrics (key, value, timestamp, step, is_nan, run_uuid) from stdin'),
        )
        const lines = run.metrics.map(
          ([key, value, timestamp, step]) =>
            `${key}\t${value}\t${timestamp}\t${step}\tf\t${run.runId}\n`,
        )
        await pipeline(Readable.from([lines.join('')]), stream)
      } else {
        for (let i = 0; i < run.metrics.length; i += 10_000) {
          const chunk = run.metrics.slice(i, i + 10_000)
          await client.query(
            'insert into metrics (key, value, timestamp, step, is_nan, run_uuid) values ' +
              chunk
                .map(
                  (_, j) =>
                    `($${j * 5 + 1}, $${j * 5 + 2}, $${j * 5 + 3}, $${j * 5 + 4}, false, ` +
                    `$${j * 5 + 5})`,
                )
                .join(', '),
            chunk.flatMap(([key, value, timestamp, step]) => [
              key,
              value,
              timestamp,
              step,
              run.runId,
            ]),
          )
        }
      }
      await client.query('commit')
      rows += run.metrics.length
    }
    await client.end()
  } else {
    const mysql = await import('mysql2/promise')
    const connection = await mysql.createConnection({ uri: to })
    for await (const run of walk(from)) {
      await connection.beginTransaction()
      await connection.query(`insert into runs (${RUN_COLUMNS}) values ?`, [[runRow(run)]])
      await connection.query('insert into params (`key`, value, run_uuid) values ?', [
        run.params.map(([key, value]) => [key, value, run.runId]),
      ])
      await connection.query('insert into tags (`key`, value, run_uuid) values ?', [
        run.tags.map(([key, value]) => [key, value, run.runId]),
      ])
      for (let i = 0; i < run.metrics.length; i += 10_000) {
        await connection.query(
          'insert into metrics (`key`, value, timestamp, step, is_nan, run_uuid) values ?',
          [run.metrics.slice(i, i + 10_000).map(([k, v, t, s]) => [k, v, t, s, 0, run.runId])],
        )
      }
      await connection.commit()
      rows += run.metrics.length
    }
    await connection.end()
  }
  return {
    seconds: (performance.now() - start) / 1000,
    rows,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }
}

// -------------------------------------------------------------------------------------------
// The parent: databases, children, the table

async function newDatabase(
  kind: string,
  scratch: string,
): Promise<{ uri: string; drop(): Promise<void> }> {
  const name = `ts_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  if (kind === 'sqlite') {
    const file = path.join(scratch, `${name}.db`)
    return { uri: `sqlite:///${file}`, drop: () => rm(file, { force: true }) }
  }
  if (kind === 'postgresql') {
    const { default: pg } = await import('pg')
    const admin = async (sql: string): Promise<void> => {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      await client.query(sql)
      await client.end()
    }
    await admin(`create database ${name}`)
    const url = new URL(POSTGRES_URL)
    url.pathname = `/${name}`
    return {
      uri: url.toString(),
      drop: () => admin(`drop database if exists ${name} with (force)`),
    }
  }
  const mysql = await import('mysql2/promise')
  const admin = async (sql: string): Promise<void> => {
    const connection = await mysql.createConnection({ uri: MYSQL_URL })
    await connection.query(sql)
    await connection.end()
  }
  await admin(`create database ${name} character set utf8mb4`)
  const url = new URL(MYSQL_URL)
  url.pathname = `/${name}`
  return { uri: url.toString(), drop: () => admin(`drop database if exists ${name}`) }
}

function runChild(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Measured)
        : reject(new Error(`child ${args.join(' ')} exited ${code}`)),
    )
  })
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url))
  // Compiled to .bench/build/benchmarks: the migrations look for schema/ beside src/.
  const schemaLink = path.resolve(here, '..', 'schema')
  if (!existsSync(schemaLink))
    await symlink(path.resolve(here, '..', '..', '..', 'schema'), schemaLink)

  if (process.argv[2] === '--child') {
    const [mode, from, to] = process.argv.slice(3) as [string, string, string]
    const result =
      mode === 'copy'
        ? await childCopy(from, to)
        : await childBaseline(from, to, mode === 'baseline-copy' ? 'copy' : 'insert')
    process.stdout.write(`${JSON.stringify(result)}\n`)
    return
  }

  const shape: Shape = {
    runs: Number(argument('runs', '200')),
    metrics: Number(argument('metrics', '5')),
    steps: Number(argument('steps', '1000')),
  }
  const targets = argument('targets', 'sqlite,postgresql,mysql').split(',')
  const scratch = await mkdtemp(path.join(tmpdir(), 'trackstore-bench-migration-'))
  const results: { figure: string; measured: Measured }[] = []
  try {
    const mlruns = path.join(scratch, 'mlruns')
    const started = performance.now()
    const points = await generate(mlruns, shape)
    process.stderr.write(
      `generated ${points.toLocaleString('en')} metric points in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    )
    const measure = async (figure: string, args: string[]): Promise<void> => {
      const measured = await runChild(args)
      results.push({ figure, measured })
      process.stderr.write(`${figure}: ${measured.seconds.toFixed(2)} s\n`)
    }
    const filled: Record<string, string> = {}
    for (const target of targets) {
      const mine = await newDatabase(target, scratch)
      await measure(`mlruns → ${target} (trackstore)`, ['copy', mlruns, mine.uri])
      filled[target] = mine.uri
      const raw = await newDatabase(target, scratch)
      await measure(`mlruns → ${target} (walk + raw INSERT)`, ['baseline', mlruns, raw.uri])
      await raw.drop()
      if (target === 'postgresql') {
        const copied = await newDatabase(target, scratch)
        await measure(`mlruns → ${target} (walk + raw COPY)`, ['baseline-copy', mlruns, copied.uri])
        await copied.drop()
      }
    }
    const sqlPairs: [string, string][] = [
      ['sqlite', 'postgresql'],
      ['postgresql', 'mysql'],
      ['mysql', 'sqlite'],
    ]
    for (const [from, to] of sqlPairs) {
      if (!filled[from] || !targets.includes(to)) continue
      const target = await newDatabase(to, scratch)
      await measure(`${from} → ${to} (trackstore)`, ['copy', filled[from], target.uri])
      await target.drop()
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  const lines = ['| migration | seconds | metric rows/s | peak RSS (MiB) |', '|---|---:|---:|---:|']
  for (const { figure, measured } of results) {
    lines.push(
      `| ${figure} | ${measured.seconds.toFixed(2)} | ` +
        `${Math.round(measured.rows / measured.seconds).toLocaleString('en')} | ` +
        `${Math.round(measured.maxRssMiB)} |`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

await main()
