/**
 * Smoke test of the benchmark suite: every workload at tiny sizes on SQLite, the file store,
 * the raw baseline and local artifacts (PostgreSQL and MySQL when their servers answer, S3 and
 * GCS through the in-process emulators), then the JSON and HTML reports. Nothing here looks at
 * how fast anything was.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  formatTable,
  renderHtmlReport,
  REPORT_DATA_ID,
  runBenchmarks,
  WORKLOADS,
  type BenchReport,
} from '../../src/bench/index.js'
import { parseSize, parseSizes } from '../../src/cli/commands/bench.js'
import { MYSQL_URL, POSTGRES_URL, serverAvailable } from '../support/databases.js'
import { startGcsServer, type GcsTestServer } from '../support/gcs-server.js'
import { startS3Server, type S3TestServer } from '../support/s3-server.js'

const TINY: Record<string, number[]> = {
  ingest: [20, 40],
  'run-creation': [3],
  search: [10, 20],
  history: [15],
  artifacts: [1],
  migration: [5000],
}

let report: BenchReport
let s3: S3TestServer
let gcs: GcsTestServer
let scratchRoot: string
const saved: Record<string, string | undefined> = {}

function setEnv(name: string, value: string): void {
  saved[name] = process.env[name]
  process.env[name] = value
}

beforeAll(async () => {
  scratchRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'trackstore-bench-test-'))
  s3 = await startS3Server()
  gcs = await startGcsServer()
  const bucket = s3.createBucket()
  // The object stores read MLflow's variables and the SDKs' credentials from the environment;
  // this file runs in its own process.
  setEnv('MLFLOW_S3_ENDPOINT_URL', s3.endpoint)
  setEnv('AWS_ACCESS_KEY_ID', 'test')
  setEnv('AWS_SECRET_ACCESS_KEY', 'test')
  setEnv('AWS_REGION', 'us-east-1')
  setEnv('STORAGE_EMULATOR_HOST', gcs.url)
  const backends = ['baseline', 'sqlite', 'file', 'local', 's3', 'gcs']
  if (await serverAvailable('postgresql')) backends.push('postgresql')
  if (await serverAvailable('mysql')) backends.push('mysql')
  report = await runBenchmarks({
    backends,
    sizes: { byWorkload: TINY },
    repeat: 2,
    scratchRoot,
    settings: {
      postgresUrl: POSTGRES_URL,
      mysqlUrl: MYSQL_URL,
      s3Uri: `s3://${bucket}/bench`,
      gcsUri: `gs://${gcs.newBucket()}/bench`,
    },
  })
}, 300_000)

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  await s3?.stop()
  await gcs?.stop()
  if (scratchRoot) await fs.rm(scratchRoot, { recursive: true, force: true })
})

describe('trackstore bench', () => {
  it('records the machine and the versions', () => {
    expect(Number.isNaN(Date.parse(report.date))).toBe(false)
    const { machine, versions } = report
    expect(machine.cpu).toEqual(expect.any(String))
    expect(machine.cores).toBeGreaterThan(0)
    expect(machine.memory).toBeGreaterThan(0)
    expect(machine.os).toEqual(expect.any(String))
    expect(machine.node).toBe(process.version)
    for (const name of ['trackstore', 'kysely', 'better-sqlite3', 'pg', 'mysql2', 'sqlite']) {
      expect(versions[name], name).toMatch(/^\d+\.\d+/)
    }
    const backends = new Set(report.results.map((result) => result.backend))
    if (backends.has('postgresql')) expect(versions['postgres server']).toMatch(/^\d+/)
    if (backends.has('mysql')) {
      expect(versions['mariadb server'] ?? versions['mysql server']).toMatch(/^\d+/)
    }
  })

  it('measures every workload output on every backend that serves it, at every size', () => {
    const expected: string[] = []
    const metadata = ['sqlite', 'file', ...report.results.map((r) => r.backend)].filter(
      (backend, index, all) =>
        ['sqlite', 'file', 'postgresql', 'mysql'].includes(backend) &&
        all.indexOf(backend) === index,
    )
    for (const workload of WORKLOADS) {
      const backends =
        workload.family === 'artifacts'
          ? ['local', 's3', 'gcs']
          : [...(workload.openBaseline ? ['baseline'] : []), ...metadata]
      for (const output of workload.outputs) {
        for (const size of TINY[workload.name]!) {
          for (const backend of backends) expected.push(`${output.name}/${backend}/${size}`)
        }
      }
    }
    const found = report.results.map((r) => `${r.workload}/${r.backend}/${r.size}`)
    expect(found.sort()).toEqual(expected.sort())
    expect(report.skipped).toEqual([])
  })

  it('gives every result its fields, with rates in order', () => {
    for (const result of report.results) {
      expect(result.unit).toMatch(/\/s$/)
      expect(result.repeat).toBe(2)
      expect(result.min).toBeGreaterThan(0)
      expect(result.min).toBeLessThanOrEqual(result.median)
      expect(result.median).toBeLessThanOrEqual(result.max)
      expect(result.seconds.min).toBeLessThanOrEqual(result.seconds.max)
    }
  })

  it('compares ingest, history and migration with the raw baseline', () => {
    for (const result of report.results) {
      if (['ingest', 'history', 'migration'].includes(result.workload)) {
        expect(result.ratioToBaseline, `${result.workload}/${result.backend}`).toBeGreaterThan(0)
      } else {
        expect(result.ratioToBaseline).toBeUndefined()
      }
      if (result.backend === 'baseline') expect(result.ratioToBaseline).toBe(1)
    }
  })

  it('records the targets on SQLite only, where the issue sets them', () => {
    const targeted = report.results.filter((result) => result.target !== undefined)
    expect(targeted.map((r) => r.workload).sort()).toEqual(['ingest', 'ingest', 'run-creation'])
    for (const result of targeted) {
      expect(result.backend).toBe('sqlite')
      expect(typeof result.meetsTarget).toBe('boolean')
      expect(result.target!.description).not.toBe('')
    }
  })

  it('serialises to JSON and prints a table', () => {
    const parsed = JSON.parse(JSON.stringify(report)) as BenchReport
    expect(parsed).toEqual(report)
    const table = formatTable(report)
    for (const workload of ['ingest', 'run-creation', 'search', 'history', 'artifacts-upload']) {
      expect(table).toContain(workload)
    }
  })

  it('writes a self-contained HTML report with Chart.js and the data inline', async () => {
    const html = await renderHtmlReport(report)
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script[^>]+src=/)
    expect(html).not.toMatch(/<link[^>]+href=/)
    expect(html).toContain('Chart.js v4')
    expect(html).toContain("type: 'logarithmic'")
    const data = new RegExp(
      `<script type="application/json" id="${REPORT_DATA_ID}">(.*?)</script>`,
      's',
    ).exec(html)?.[1]
    expect(data).toBeDefined()
    expect(JSON.parse(data!)).toEqual(JSON.parse(JSON.stringify(report)))
    const scripts = html.match(/<script/g) ?? []
    expect(scripts).toHaveLength((html.match(/<\/script>/g) ?? []).length)
  })
})

describe('bench options', () => {
  it('reads sizes such as 10k for all workloads or for one', () => {
    expect(parseSize('10k')).toBe(10_000)
    expect(parseSize('2M')).toBe(2_000_000)
    expect(parseSize('1_000')).toBe(1_000)
    expect(() => parseSize('-1')).toThrow(/Invalid size/)
    expect(parseSizes(['1k,10k', 'search=100,100k'])).toEqual({
      all: [1_000, 10_000],
      byWorkload: { search: [100, 100_000] },
    })
  })

  it('refuses unknown workloads and backends', async () => {
    await expect(runBenchmarks({ workloads: ['nope'] })).rejects.toThrow(/Unknown workload 'nope'/)
    await expect(runBenchmarks({ backends: ['oracle'] })).rejects.toThrow(/Unknown backend/)
  })
})
