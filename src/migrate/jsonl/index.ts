export { exportStore, importFile, type ExportOptions } from './export-import.js'
export {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  EXPORT_VERSIONS_READ,
  type EndRecord,
  type ExperimentRecord,
  type ExportRecord,
  type HeaderRecord,
  type LoggedModelRecord,
  type RegisteredModelRecord,
  type MetricRowTuple,
  type MetricsRecord,
  type RunRecord,
} from './format.js'
export { JsonlReader } from './jsonl-reader.js'
export { isExportFile, JsonlWriter } from './jsonl-writer.js'
