import fs from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { invalidParameter } from '../../core/errors.js'
import {
  DEFAULT_REPEAT,
  formatTable,
  renderHtmlReport,
  runBenchmarks,
  workloadNames,
  type SizeSelection,
} from '../../bench/index.js'
import type { CliIo } from '../io.js'

export interface BenchCommandOptions {
  workloads?: string
  backends?: string
  sizes?: string[]
  repeat?: string
  json?: boolean
  html?: string
  quiet?: boolean
}

const BACKENDS = 'baseline, sqlite, file, postgresql, mysql (metadata); local, s3, gcs (artifacts)'

/** `trackstore bench`: measure every backend on the same work, in one run. */
export function registerBenchCommands(program: Command, io: CliIo): void {
  program
    .command('bench')
    .description('benchmark the metadata and artifact backends on this machine')
    .option('--workloads <names>', `comma-separated, default all: ${workloadNames().join(', ')}`)
    .option('--backends <names>', `comma-separated, default every reachable one: ${BACKENDS}`)
    .addOption(
      new Option(
        '--sizes <sizes...>',
        'sizes for every workload (`1k,10k`) or for one (`search=1k,10k,100k`); repeatable',
      ),
    )
    .option(
      '--repeat <n>',
      'repetitions of each figure (min, median and max)',
      String(DEFAULT_REPEAT),
    )
    .option('--json', 'print the report as one JSON document instead of a table')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('-q, --quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      '\nPostgreSQL and MySQL: TRACKSTORE_BENCH_POSTGRES_URL and TRACKSTORE_BENCH_MYSQL_URL ' +
        '(default the local servers);\neach run creates and drops its own database there. ' +
        'S3 and GCS are measured when MLFLOW_S3_ENDPOINT_URL\nor STORAGE_EMULATOR_HOST is set ' +
        '(buckets: TRACKSTORE_BENCH_S3_URI, TRACKSTORE_BENCH_GCS_URI).',
    )
    .action((options: BenchCommandOptions) => bench(options, io))
}

/** `10k` → 10000, `2M` → 2000000. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim().replaceAll('_', ''))
  const factor = { '': 1, k: 1e3, m: 1e6 }[(match?.[2] ?? '').toLowerCase()]
  const value = match && factor ? Math.round(Number(match[1]) * factor) : NaN
  if (!Number.isInteger(value) || value <= 0) {
    throw invalidParameter(`Invalid size '${text}': expected a positive number such as 1000 or 10k`)
  }
  return value
}

export function parseSizes(values: readonly string[] | undefined): SizeSelection | undefined {
  if (values === undefined || values.length === 0) return undefined
  let all: number[] | undefined
  const byWorkload: Record<string, number[]> = {}
  for (const value of values) {
    const equals = value.indexOf('=')
    const list = (equals >= 0 ? value.slice(equals + 1) : value).split(',').map(parseSize)
    if (equals >= 0) byWorkload[value.slice(0, equals).trim()] = list
    else all = list
  }
  return { all, byWorkload }
}

function list(text: string | undefined): string[] | undefined {
  const items = text
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  return items && items.length > 0 ? items : undefined
}

export async function bench(options: BenchCommandOptions, io: CliIo): Promise<void> {
  const repeat = Number(options.repeat ?? DEFAULT_REPEAT)
  const prepared = new Set<string>()
  const report = await runBenchmarks({
    workloads: list(options.workloads),
    backends: list(options.backends),
    sizes: parseSizes(options.sizes),
    repeat,
    onProgress: ({ workload, size, phase }) => {
      const key = `${workload}/${size}`
      if (options.quiet || phase !== 'prepare' || prepared.has(key)) return
      prepared.add(key)
      io.err(`bench: ${workload}, size ${size}`)
    },
  })
  if (options.html) {
    await fs.writeFile(options.html, await renderHtmlReport(report))
    if (!options.quiet) io.err(`bench: wrote ${options.html}`)
  }
  io.out(options.json ? JSON.stringify(report, null, 2) : formatTable(report))
}
