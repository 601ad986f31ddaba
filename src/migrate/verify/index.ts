export { verifyStores } from './verify-stores.js'
export type {
  Difference,
  VerifyOptions,
  VerifyProgress,
  VerifyReport,
  VerifySide,
} from './verify-stores.js'
export { combine, lossinessOf } from './tolerance.js'
export type { Lossiness, Tolerated, ToleratedKind } from './tolerance.js'
