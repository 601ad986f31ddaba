/**
 * run creation: N runs, each created with `createRun` and given 10 params, 10 tags and 10
 * metrics in one `logBatch`, one after the other as a sweep of short jobs would. Measures runs
 * per second.
 */
import { openMetadataStore, type LogBatchOptions } from '../../index.js'
import type { BackendContext, Workload, WorkloadSession } from '../types.js'
import { secondsSince, seededRandom } from './data.js'

const OUTPUT = 'run-creation'
const VALUES_PER_KIND = 10

/** The 30 values every run receives; values differ between runs, keys do not. */
function runValues(index: number, random: () => number): LogBatchOptions {
  const keys = Array.from({ length: VALUES_PER_KIND }, (_, k) => k)
  const timestamp = 1_700_000_000_000 + index
  return {
    params: keys.map((k) => ({ key: `param_${k}`, value: `value-${index}-${k}` })),
    tags: keys.map((k) => ({ key: `tag_${k}`, value: `tag-${index % 7}-${k}` })),
    metrics: keys.map((k) => ({ key: `metric_${k}`, value: random(), timestamp, step: 0 })),
  }
}

export const runCreationWorkload: Workload = {
  name: 'run-creation',
  description: 'createRun + logBatch of 10 params, 10 tags and 10 metrics, N times',
  family: 'metadata',
  sizeUnit: 'runs',
  defaultSizes: [100, 1_000],
  defaultSizeLimits: { file: 100, postgresql: 100, mysql: 100 },
  outputs: [{ name: OUTPUT, unit: 'runs/s' }],
  warmUp: false,

  async open(context: BackendContext): Promise<WorkloadSession> {
    const store = await openMetadataStore(context.uri, {
      defaultArtifactRoot: `${context.scratchDir}/artifacts`,
    })
    let repetition = 0
    let prepared: LogBatchOptions[] = []
    return {
      async prepare(size) {
        const random = seededRandom(size)
        prepared = Array.from({ length: size }, (_, index) => runValues(index, random))
      },
      async measure(size) {
        const experimentId = await store.createExperiment(`bench-runs-${size}-${repetition++}`)
        const start = performance.now()
        for (const values of prepared) {
          const run = await store.createRun({ experimentId })
          await store.logBatch(run.info.runId, values)
        }
        return [{ output: OUTPUT, seconds: secondsSince(start), amount: size }]
      },
      close: () => store.close(),
    }
  },
}
