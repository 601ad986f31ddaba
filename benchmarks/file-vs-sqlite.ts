/**
 * The file store against the SQLite store on 1,000 runs, through the public API only:
 * ingest (one run, its params, tags and metric history per logBatch), a filtered and ordered
 * top-100 search (MLflow's own FileStore takes 1.4-1.7 s for it on the reference machine), and
 * metric history reads.
 *
 * Run from the repository root (the repo has no TypeScript runner, so compile first):
 *   npx tsc -p tsconfig.json --noEmit false --outDir .bench && ln -sfn ../schema .bench/schema
 *   node .bench/benchmarks/file-vs-sqlite.js [runs]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openMetadataStore } from '../src/index.js'
import type { MetadataStore } from '../src/index.js'

const RUNS = Number(process.argv[2] ?? 1000)
const STEPS = 20
const REPEATS = 7
const OPTIMIZERS = ['adam', 'sgd', 'rmsprop']

interface Timings {
  ingestSeconds: number
  searchMs: number
  searchCount: number
  historyMs: number
  getRunMs: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function timed<T>(action: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now()
  const result = await action()
  return [performance.now() - start, result]
}

async function measure(store: MetadataStore): Promise<Timings> {
  const experimentId = await store.createExperiment('bench')
  const runIds: string[] = []
  const [ingestMs] = await timed(async () => {
    for (let i = 0; i < RUNS; i += 1) {
      const run = await store.createRun({
        experimentId,
        runName: `run-${i}`,
        startTime: 1_700_000_000_000 + i * 1000,
        userId: 'bench',
      })
      runIds.push(run.info.runId)
      const seed = (i * 7919) % 1000
      await store.logBatch(run.info.runId, {
        params: [
          { key: 'optimizer', value: OPTIMIZERS[i % 3]! },
          { key: 'lr', value: String(0.001 * (1 + (i % 10))) },
          { key: 'layers', value: String(2 + (i % 4)) },
        ],
        tags: [
          { key: 'team', value: i % 2 === 0 ? 'a' : 'b' },
          { key: 'mlflow.source.name', value: 'bench.py' },
        ],
        metrics: Array.from({ length: STEPS }, (_, step) => [
          { key: 'loss', value: (seed / 1000) * (1 - step / (2 * STEPS)), timestamp: step, step },
          { key: 'acc', value: ((seed * 3) % 1000) / 1000 + step / 1000, timestamp: step, step },
        ]).flat(),
      })
    }
  })

  const search = () =>
    store.searchRuns({
      experimentIds: [experimentId],
      filter: "metrics.loss < 0.5 AND params.optimizer = 'adam'",
      orderBy: ['metrics.acc DESC'],
      maxResults: 100,
    })
  await search()
  const searchTimes: number[] = []
  let searchCount = 0
  for (let i = 0; i < REPEATS; i += 1) {
    const [ms, page] = await timed(search)
    searchTimes.push(ms)
    searchCount = page.items.length
  }

  const sample = runIds.filter((_, i) => i % 10 === 0)
  const historyTimes: number[] = []
  const getRunTimes: number[] = []
  for (let i = 0; i < REPEATS; i += 1) {
    const [historyMs] = await timed(async () => {
      for (const runId of sample) await store.getMetricHistory(runId, 'loss')
    })
    historyTimes.push(historyMs / sample.length)
    const [getRunMs] = await timed(async () => {
      for (const runId of sample) await store.getRun(runId)
    })
    getRunTimes.push(getRunMs / sample.length)
  }
  return {
    ingestSeconds: ingestMs / 1000,
    searchMs: median(searchTimes),
    searchCount,
    historyMs: median(historyTimes),
    getRunMs: median(getRunTimes),
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-bench-'))
  try {
    const results: Record<string, Timings> = {}
    const file = await openMetadataStore(path.join(dir, 'mlruns'))
    results.file = await measure(file)
    await file.close()
    const sqlite = await openMetadataStore(`sqlite:///${path.join(dir, 'mlflow.db')}`, {
      defaultArtifactRoot: path.join(dir, 'artifacts'),
    })
    results.sqlite = await measure(sqlite)
    await sqlite.close()
    console.log(`${RUNS} runs, ${STEPS} steps of 2 metrics, 3 params, 2 tags each`)
    console.table(
      Object.fromEntries(
        Object.entries(results).map(([name, t]) => [
          name,
          {
            'ingest (s)': t.ingestSeconds.toFixed(2),
            'search top-100 (ms)': t.searchMs.toFixed(1),
            'runs returned': t.searchCount,
            'history per run (ms)': t.historyMs.toFixed(2),
            'getRun (ms)': t.getRunMs.toFixed(2),
          },
        ]),
      ),
    )
    const speedup = 1400 / results.file!.searchMs
    console.log(`file-store search vs MLflow FileStore (1.4 s): ${speedup.toFixed(1)}x faster`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
