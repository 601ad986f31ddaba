/** The model registry: its contract, shared rules and the two backends. */
export * from './registry-store.js'
export * from './registry-transfer.js'
export { STAGE_DELETED_INTERNAL } from './registry-rules.js'
export { FILE_REGISTRY_CAPABILITIES, FileModelRegistryStore } from './file/file-registry-store.js'
export { SqlModelRegistryStore } from './sql/sql-registry-store.js'
