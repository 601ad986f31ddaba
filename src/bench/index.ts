/** The benchmark suite: the runner, its workloads and the report writers. */
export { benchSettingsFromEnv, type BenchSettings } from './backends.js'
export { renderHtmlReport, REPORT_DATA_ID } from './report/html.js'
export { formatTable, missedTargets } from './report/table.js'
export {
  DEFAULT_REPEAT,
  runBenchmarks,
  workloadNames,
  type BenchOptions,
  type BenchProgress,
  type SizeSelection,
} from './runner.js'
export type * from './types.js'
export { WORKLOADS } from './workloads/index.js'
