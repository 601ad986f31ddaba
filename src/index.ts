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
