/**
 * migration: an `mlruns` folder of N metric points (runs of 5 metrics × 1,000 steps, 10 params
 * and 10 tags each) copied into the backend by the migration toolkit's `copyStore`. Each
 * repetition copies a freshly generated folder (untimed) into the same destination, merging
 * after the first. Measures metric points per second. The baseline walks the same folder with
 * plain fs reads and inserts the rows with better-sqlite3 alone.
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { openMetadataStore, type StoredMetric } from '../../index.js'
import { copyStore } from '../../migrate/copy/index.js'
import { widenExperimentIds } from '../../open-metadata-store.js'
import { openBaselineMetricsTable } from '../baseline.js'
import type { BackendContext, Workload, WorkloadSession } from '../types.js'
import { seededRandom, secondsSince } from './data.js'

const OUTPUT = 'migration'
const METRICS_PER_RUN = 5
const STEPS = 1000
const RUNS_PER_EXPERIMENT = 50

/** The shape of a generated store: `runs` runs of `metrics` × `steps` points. */
export interface MlrunsShape {
  runs: number
  metrics: number
  steps: number
}

/**
 * Writes an `mlruns` folder through the file store's transfer facet: experiments of up to 50
 * runs, each run with 10 params, 10 tags and `metrics` × `steps` points. Returns the points.
 */
export async function generateMlruns(
  root: string,
  shape: MlrunsShape,
  seed = 1,
  namePrefix = 'bench',
): Promise<number> {
  const store = await openMetadataStore(root)
  const transfer = store.transfer
  const random = seededRandom(seed)
  let points = 0
  try {
    for (let e = 0; e * RUNS_PER_EXPERIMENT < shape.runs; e += 1) {
      const experimentId = await transfer.newExperimentId()
      const location = pathToFileURL(path.join(root, experimentId)).href
      await transfer.putExperiment({
        experimentId,
        name: `${namePrefix}-${e}`,
        artifactLocation: location,
        lifecycleStage: 'active',
        creationTime: 1_700_000_000_000,
        lastUpdateTime: 1_700_000_000_000,
        tags: [{ key: 'purpose', value: 'migration benchmark' }],
      })
      const runs = Math.min(RUNS_PER_EXPERIMENT, shape.runs - e * RUNS_PER_EXPERIMENT)
      for (let r = 0; r < runs; r += 1) {
        const runId = randomBytes(16).toString('hex')
        await transfer.putRun({
          info: {
            runId,
            runName: `run-${e}-${r}`,
            experimentId,
            userId: 'bench',
            status: 'FINISHED',
            startTime: 1_700_000_000_000 + r,
            endTime: 1_700_000_100_000 + r,
            artifactUri: `${location}/${runId}/artifacts`,
            lifecycleStage: 'active',
            deletedTime: null,
          },
          params: Array.from({ length: 10 }, (_, i) => ({ key: `param_${i}`, value: `${i}` })),
          tags: Array.from({ length: 10 }, (_, i) => ({ key: `tag_${i}`, value: `v${i}` })),
          datasetInputs: [],
          metrics: (async function* (): AsyncIterable<StoredMetric[]> {
            for (let m = 0; m < shape.metrics; m += 1) {
              yield Array.from({ length: shape.steps }, (_, step) => ({
                key: `metric_${m}`,
                value: random(),
                timestamp: 1_700_000_000_000 + step * 100,
                step,
              }))
            }
          })(),
        })
        points += shape.metrics * shape.steps
      }
    }
  } finally {
    await store.close()
  }
  return points
}

function shapeFor(points: number): MlrunsShape {
  return {
    runs: Math.max(1, Math.round(points / (METRICS_PER_RUN * STEPS))),
    metrics: METRICS_PER_RUN,
    steps: STEPS,
  }
}

export const migrationWorkload: Workload = {
  name: 'migration',
  description: 'copyStore of a generated mlruns folder (5 metrics × 1,000 steps a run)',
  family: 'metadata',
  sizeUnit: 'points',
  defaultSizes: [100_000],
  outputs: [{ name: OUTPUT, unit: 'points/s' }],
  warmUp: false,

  async open(context: BackendContext): Promise<WorkloadSession> {
    const destination = await openMetadataStore(context.uri, {
      defaultArtifactRoot: `${context.scratchDir}/artifacts`,
    })
    let repetition = 0
    return {
      async prepare() {},
      async measure(size) {
        repetition += 1
        const root = path.join(context.scratchDir, `source-${repetition}`)
        await generateMlruns(root, shapeFor(size), repetition, `bench-${repetition}`)
        const source = await openMetadataStore(root)
        const start = performance.now()
        const summary = await copyStore(source.transfer, destination.transfer, {
          sourceLabel: root,
          merge: repetition > 1,
          widenExperimentIds: async () => {
            await widenExperimentIds(context.uri)
          },
        })
        const seconds = secondsSince(start)
        await source.close()
        await fs.rm(root, { recursive: true, force: true })
        return [{ output: OUTPUT, seconds, amount: summary.metricRows }]
      },
      close: () => destination.close(),
    }
  },

  async openBaseline(context: BackendContext): Promise<WorkloadSession> {
    const table = await openBaselineMetricsTable(context.scratchDir)
    let repetition = 0
    return {
      async prepare() {},
      async measure(size) {
        repetition += 1
        const root = path.join(context.scratchDir, `source-${repetition}`)
        await generateMlruns(root, shapeFor(size), repetition)
        const start = performance.now()
        let points = 0
        for (const experiment of await fs.readdir(root)) {
          if (!/^\d{18}$/.test(experiment)) continue
          for (const runId of await fs.readdir(path.join(root, experiment))) {
            const metricsDir = path.join(root, experiment, runId, 'metrics')
            const rows: StoredMetric[] = []
            for (const key of await fs.readdir(metricsDir).catch(() => [] as string[])) {
              const text = await fs.readFile(path.join(metricsDir, key), 'utf8')
              for (const line of text.split('\n')) {
                if (line === '') continue
                const [timestamp, value, step] = line.split(' ')
                rows.push({
                  key,
                  value: Number(value),
                  timestamp: Number(timestamp),
                  step: Number(step),
                })
              }
            }
            table.insertBatch(runId, rows)
            points += rows.length
          }
        }
        const seconds = secondsSince(start)
        await fs.rm(root, { recursive: true, force: true })
        return [{ output: OUTPUT, seconds, amount: points }]
      },
      close: async () => table.close(),
    }
  },
}
