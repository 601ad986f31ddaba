/**
 * The MetadataStore conformance suite. Every backend runs it through one call:
 *
 *   describeMetadataStoreConformance('sqlite', factory)
 *
 * where `factory` opens a fresh, empty store per call. Backend differences are read from
 * `store.capabilities`, never from the backend's name. Each area opens one store in `beforeAll`
 * and isolates its tests by unique experiment names; only tests that need an empty store get one.
 */
import { describe } from 'vitest'
import { describeDatasets } from './datasets.js'
import { describeExperiments } from './experiments.js'
import type { StoreFactory } from './harness.js'
import { describeLogBatch } from './log-batch.js'
import { describeLoggedModels } from './logged-models.js'
import { describeMetrics } from './metrics.js'
import { describeParamsAndTags } from './params-and-tags.js'
import { describeRuns } from './runs.js'
import { describeSearchExperiments } from './search-experiments.js'
import { describeSearchRunsOrder } from './search-runs-order.js'
import { describeSearchRunsFilters } from './search-runs.js'

export type { StoreFactory, StoreFactoryOptions, StoreHandle } from './harness.js'

export function describeMetadataStoreConformance(name: string, factory: StoreFactory): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    describeExperiments(factory)
    describeRuns(factory)
    describeMetrics(factory)
    describeParamsAndTags(factory)
    describeLogBatch(factory)
    describeSearchRunsFilters(factory)
    describeSearchRunsOrder(factory)
    describeSearchExperiments(factory)
    describeDatasets(factory)
    describeLoggedModels(factory)
  })
}
