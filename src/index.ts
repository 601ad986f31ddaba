export * from './core/errors.js'
export * from './core/logger.js'
export { parseTrackingUri, type TrackingLocation } from './core/uri.js'
export * from './metadata/metadata-store.js'
export {
  openMetadataStore,
  openModelRegistryStore,
  type OpenMetadataStoreOptions,
  type OpenModelRegistryStoreOptions,
} from './open-metadata-store.js'
export * from './registry/registry-store.js'
export * from './artifacts/index.js'
export type { PutOutcome, RunImport, StoreTransfer, TransferMarker } from './metadata/transfer.js'
export { widenExperimentIds } from './open-metadata-store.js'
export {
  copyStore,
  type CopyOptions,
  type CopyProgress,
  type CopySummary,
  type IdStrategy,
  type OnError,
} from './migrate/copy/index.js'
export {
  verifyStores,
  type Difference,
  type VerifyOptions,
  type VerifyReport,
} from './migrate/verify/index.js'
export { exportStore, importFile, type ExportOptions } from './migrate/jsonl/index.js'
