export type * from './ast.js'
export {
  DATASET_KEYS,
  EXPERIMENT_ATTRIBUTE_KEYS,
  LIST_COMPARATORS,
  NULL_COMPARATORS,
  NUMERIC_COMPARATORS,
  NUMERIC_RUN_ATTRIBUTES,
  RUN_ATTRIBUTE_ALIASES,
  RUN_ATTRIBUTE_KEYS,
  STRING_COMPARATORS,
  STRING_RUN_ATTRIBUTES,
  parseExperimentFilter,
  parseRunFilter,
  resolveRunAttributeAlias,
} from './filter-parser.js'
export type { Comparator, DatasetKey } from './filter-parser.js'
export {
  EXPERIMENT_ORDER_KEYS,
  parseExperimentOrderBy,
  parseRunOrderBy,
  withDefaultExperimentOrder,
  withDefaultRunOrder,
} from './order-by.js'
export {
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
  decodePageToken,
  encodePageToken,
  validateMaxResults,
} from './page-token.js'
export type { MaxResultsOptions } from './page-token.js'
export {
  escapeLikeBackslashes,
  escapeRegExp,
  likeToRegExp,
  matchesIlike,
  matchesLike,
} from './like.js'
export {
  DATASET_CONTEXT_TAG,
  compareCodePoints,
  compareExperimentIds,
  compareExperiments,
  compareNumber,
  compareRuns,
  compareSortValues,
  compareString,
  matchesExperiment,
  matchesRun,
  runStringAttribute,
} from './evaluate.js'
export * from './logged-model-search.js'
export * from './registry-search.js'
