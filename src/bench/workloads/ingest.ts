/**
 * ingest: one run receives `size` metric values through `logBatch`, 1,000 per call, as a
 * training loop that batches its metrics would send them. Measures metrics per second.
 */
import { randomUUID } from 'node:crypto'
import { openMetadataStore, type Metric } from '../../index.js'
import { openBaselineMetricsTable } from '../baseline.js'
import type { BackendContext, Workload, WorkloadSession } from '../types.js'
import { batches, METRIC_KEYS, secondsSince, trainingMetrics } from './data.js'

const OUTPUT = 'ingest'

export const ingestWorkload: Workload = {
  name: 'ingest',
  description: 'logBatch of N metrics into one run, 1,000 per call',
  family: 'metadata',
  sizeUnit: 'metrics',
  defaultSizes: [10_000, 100_000],
  outputs: [{ name: OUTPUT, unit: 'metrics/s' }],
  warmUp: true,

  async open(context: BackendContext): Promise<WorkloadSession> {
    const store = await openMetadataStore(context.uri, {
      defaultArtifactRoot: `${context.scratchDir}/artifacts`,
    })
    const experimentId = await store.createExperiment('bench-ingest')
    let prepared: Metric[][] = []
    return {
      async prepare(size) {
        prepared = batches(trainingMetrics(size, METRIC_KEYS, size))
      },
      async measure(size) {
        const run = await store.createRun({ experimentId })
        const start = performance.now()
        for (const batch of prepared) await store.logBatch(run.info.runId, { metrics: batch })
        return [{ output: OUTPUT, seconds: secondsSince(start), amount: size }]
      },
      close: () => store.close(),
    }
  },

  async openBaseline(context: BackendContext): Promise<WorkloadSession> {
    const table = await openBaselineMetricsTable(context.scratchDir)
    let prepared: Metric[][] = []
    return {
      async prepare(size) {
        prepared = batches(trainingMetrics(size, METRIC_KEYS, size))
      },
      async measure(size) {
        const runId = randomUUID().replaceAll('-', '')
        const start = performance.now()
        for (const batch of prepared) table.insertBatch(runId, batch)
        return [{ output: OUTPUT, seconds: secondsSince(start), amount: size }]
      },
      close: async () => table.close(),
    }
  },
}
