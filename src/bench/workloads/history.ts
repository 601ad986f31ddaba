/**
 * history: `getMetricHistory` of one metric with N points, logged beforehand (untimed) in
 * batches of 1,000. Measures points read per second; the report also shows the time of one read.
 */
import { randomUUID } from 'node:crypto'
import { openMetadataStore } from '../../index.js'
import { openBaselineMetricsTable } from '../baseline.js'
import type { BackendContext, Workload, WorkloadSession } from '../types.js'
import { batches, secondsSince, trainingMetrics } from './data.js'

const OUTPUT = 'history'
const KEY = 'loss'

function checkLength(found: number, expected: number): void {
  if (found !== expected) {
    throw new Error(`the history held ${found} points where ${expected} were logged`)
  }
}

export const historyWorkload: Workload = {
  name: 'history',
  description: 'getMetricHistory of one metric with N points',
  family: 'metadata',
  sizeUnit: 'points',
  defaultSizes: [10_000, 100_000],
  outputs: [{ name: OUTPUT, unit: 'points/s' }],
  warmUp: true,

  async open(context: BackendContext): Promise<WorkloadSession> {
    const store = await openMetadataStore(context.uri, {
      defaultArtifactRoot: `${context.scratchDir}/artifacts`,
    })
    const experimentId = await store.createExperiment('bench-history')
    const runs = new Map<number, string>()
    return {
      async prepare(size) {
        const run = await store.createRun({ experimentId })
        for (const batch of batches(trainingMetrics(size, [KEY], size))) {
          await store.logBatch(run.info.runId, { metrics: batch })
        }
        runs.set(size, run.info.runId)
      },
      async measure(size) {
        const start = performance.now()
        const page = await store.getMetricHistory(runs.get(size)!, KEY)
        const seconds = secondsSince(start)
        checkLength(page.items.length, size)
        return [{ output: OUTPUT, seconds, amount: size }]
      },
      close: () => store.close(),
    }
  },

  async openBaseline(context: BackendContext): Promise<WorkloadSession> {
    const table = await openBaselineMetricsTable(context.scratchDir)
    const runs = new Map<number, string>()
    return {
      async prepare(size) {
        const runId = randomUUID().replaceAll('-', '')
        for (const batch of batches(trainingMetrics(size, [KEY], size))) {
          table.insertBatch(runId, batch)
        }
        runs.set(size, runId)
      },
      async measure(size) {
        const start = performance.now()
        const rows = table.history(runs.get(size)!, KEY)
        const seconds = secondsSince(start)
        checkLength(rows.length, size)
        return [{ output: OUTPUT, seconds, amount: size }]
      },
      close: async () => table.close(),
    }
  },
}
