export { copyStore } from './copy-store.js'
export { rewriteExperimentLocation } from './locations.js'
export type {
  RegistryDestination,
  RegistrySource,
  Collision,
  CopyOptions,
  CopyProgress,
  CopySummary,
  Counter,
  IdStrategy,
  OnError,
  TransferDestination,
  TransferSource,
} from './types.js'
