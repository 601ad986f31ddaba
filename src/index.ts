export * from './core/errors.js'
export * from './core/logger.js'
export * from './metadata/metadata-store.js'
