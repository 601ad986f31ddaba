/**
 * search: `searchRuns` with a metric and a param filter, ordered by a metric, top 100, over an
 * experiment of N runs. The runs are built once per backend (untimed) and grown from one size
 * to the next. Measures searches per second; the report also shows the time of one search.
 */
import { openMetadataStore, type MetadataStore } from '../../index.js'
import type { BackendContext, Workload, WorkloadSession } from '../types.js'
import { secondsSince, seededRandom } from './data.js'

const OUTPUT = 'search'
const MODELS = ['resnet', 'vit', 'mlp', 'xgboost']
/** About one run in eight matches: half pass the metric filter, a quarter the param filter. */
export const SEARCH_FILTER = "metrics.accuracy > 0.5 AND params.model = 'resnet'"
export const SEARCH_ORDER = ['metrics.loss ASC']
export const SEARCH_LIMIT = 100
/** Runs built side by side while preparing (untimed), to keep large sizes affordable. */
const BUILDERS = 4

async function addRuns(
  store: MetadataStore,
  experimentId: string,
  from: number,
  to: number,
): Promise<void> {
  let next = from
  const build = async (): Promise<void> => {
    while (next < to) {
      const index = next++
      const random = seededRandom(index + 1)
      const run = await store.createRun({ experimentId, startTime: 1_700_000_000_000 + index })
      await store.logBatch(run.info.runId, {
        metrics: [
          { key: 'accuracy', value: random(), timestamp: 1_700_000_000_000, step: 0 },
          { key: 'loss', value: random(), timestamp: 1_700_000_000_000, step: 0 },
        ],
        params: [
          { key: 'model', value: MODELS[index % MODELS.length]! },
          { key: 'learning_rate', value: String(Math.round(random() * 1000) / 1e4) },
        ],
      })
    }
  }
  await Promise.all(Array.from({ length: BUILDERS }, build))
}

export const searchWorkload: Workload = {
  name: 'search',
  description:
    'searchRuns with a metric and a param filter, ordered by a metric, top 100, over N runs',
  family: 'metadata',
  sizeUnit: 'runs',
  defaultSizes: [1_000, 10_000, 100_000],
  defaultSizeLimits: { file: 1_000, postgresql: 1_000, mysql: 1_000 },
  outputs: [{ name: OUTPUT, unit: 'searches/s' }],
  warmUp: true,

  async open(context: BackendContext): Promise<WorkloadSession> {
    const store = await openMetadataStore(context.uri, {
      defaultArtifactRoot: `${context.scratchDir}/artifacts`,
    })
    const experimentId = await store.createExperiment('bench-search')
    let built = 0
    return {
      async prepare(size) {
        if (size < built) throw new Error('search sizes must be prepared in ascending order')
        await addRuns(store, experimentId, built, size)
        built = size
      },
      async measure() {
        const start = performance.now()
        const page = await store.searchRuns({
          experimentIds: [experimentId],
          filter: SEARCH_FILTER,
          orderBy: SEARCH_ORDER,
          maxResults: SEARCH_LIMIT,
        })
        const seconds = secondsSince(start)
        if (page.items.length === 0) throw new Error('the benchmark search found no run')
        return [{ output: OUTPUT, seconds, amount: 1 }]
      },
      close: () => store.close(),
    }
  },
}
