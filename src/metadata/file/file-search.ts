/**
 * search_runs and search_experiments over the folder, evaluated in memory with the shared
 * evaluator (one parser, two evaluators). Unlike MLflow's FileStore, which reads every file of
 * every run before filtering, a search here reads each run's meta.yaml, then only the metric,
 * param and tag files its filter and order name, and loads whole runs for the returned page only.
 */
import type { Experiment, Page, Run, RunInfo, ViewType } from '../metadata-store.js'
import type {
  ExperimentClause,
  ExperimentOrderKey,
  RunClause,
  RunOrderKey,
} from '../search/index.js'
import {
  compareExperiments,
  compareRuns,
  encodePageToken,
  matchesExperiment,
  matchesRun,
} from '../search/index.js'
import { mapPool } from './fs-io.js'
import { TAGS_FOLDER } from './layout.js'
import type { RunLocation } from './layout.js'
import type { RunNeeds, StoreReader } from './store-reader.js'

export interface RunSearch {
  experimentIds: string[]
  viewType: ViewType
  clauses: RunClause[]
  order: RunOrderKey[]
  offset: number
  maxResults: number
}

const wants = (viewType: ViewType, stage: 'active' | 'deleted'): boolean =>
  viewType === 'ALL' || (viewType === 'ACTIVE_ONLY') === (stage === 'active')

/** The files a filter and an order need, beyond meta.yaml. */
export function runNeeds(clauses: readonly RunClause[], order: readonly RunOrderKey[]): RunNeeds {
  const needs: RunNeeds = {
    metrics: new Set(),
    params: new Set(),
    tags: new Set(),
    datasets: false,
  }
  for (const item of [...clauses, ...order]) {
    if (item.type === 'metric') needs.metrics.add(item.key)
    else if (item.type === 'param') needs.params.add(item.key)
    else if (item.type === 'tag') needs.tags.add(item.key)
    else if (item.type === 'dataset') needs.datasets = true
  }
  return needs
}

function page<T>(
  items: T[],
  offset: number,
  maxResults: number,
): { slice: T[]; next: string | null } {
  const end = offset + maxResults
  return {
    slice: items.slice(offset, end),
    next: end < items.length ? encodePageToken(end) : null,
  }
}

export async function searchRunsIn(reader: StoreReader, search: RunSearch): Promise<Page<Run>> {
  const experiments = await Promise.all(
    search.experimentIds.map((id) => reader.locateExperiment(id)),
  )
  const locations = (
    await Promise.all(
      experiments.map((experiment) =>
        experiment === null ? [] : reader.listRunLocations(experiment),
      ),
    )
  ).flat()

  // 1. meta.yaml of every run: lifecycle, attributes, start time.
  const infos = await mapPool(locations, async (location) => {
    try {
      return { location, info: await reader.readRunInfo(location) }
    } catch (error) {
      reader.warnSkipped('run', location.dir, error)
      return null
    }
  })
  const candidates = infos.filter(
    (entry): entry is { location: RunLocation; info: RunInfo } =>
      entry !== null && wants(search.viewType, entry.info.lifecycleStage),
  )

  // 2. only the files the filter and order name.
  const needs = runNeeds(search.clauses, search.order)
  const parts = await mapPool(candidates, async ({ location, info }) => {
    try {
      return { location, run: await reader.readRunPart(location, info, needs) }
    } catch (error) {
      reader.warnSkipped('run', location.dir, error)
      return null
    }
  })
  const matched = parts.filter(
    (part): part is { location: RunLocation; run: Run } =>
      part !== null && matchesRun(search.clauses, part.run),
  )
  const compare = compareRuns(search.order)
  matched.sort((a, b) => compare(a.run, b.run))

  // 3. whole runs for the page.
  const { slice, next } = page(matched, search.offset, search.maxResults)
  const runs = await mapPool(slice, async ({ location, run }) => {
    try {
      return await reader.readRun(location, run.info)
    } catch (error) {
      reader.warnSkipped('run', location.dir, error)
      return null
    }
  })
  return { items: runs.filter((run) => run !== null), nextPageToken: next }
}

export interface ExperimentSearch {
  viewType: ViewType
  clauses: ExperimentClause[]
  order: ExperimentOrderKey[]
  offset: number
  maxResults: number
}

export async function searchExperimentsIn(
  reader: StoreReader,
  search: ExperimentSearch,
): Promise<Page<Experiment>> {
  const locations = await reader.listExperimentLocations({
    active: search.viewType !== 'DELETED_ONLY',
    deleted: search.viewType !== 'ACTIVE_ONLY',
  })
  const records = await reader.readExperimentRecords(locations)
  const needsTags = search.clauses.some((clause) => clause.type === 'tag')
  const experiments = await mapPool(records, async ({ location, record }) => ({
    location,
    experiment: {
      ...record,
      tags: needsTags ? await reader.readKeyValues(location.dir, TAGS_FOLDER) : [],
    } as Experiment,
  }))
  const matched = experiments.filter(({ experiment }) =>
    matchesExperiment(search.clauses, experiment),
  )
  const compare = compareExperiments(search.order)
  matched.sort((a, b) => compare(a.experiment, b.experiment))
  const { slice, next } = page(matched, search.offset, search.maxResults)
  const items = await mapPool(slice, async ({ location, experiment }) =>
    needsTags
      ? experiment
      : { ...experiment, tags: await reader.readKeyValues(location.dir, TAGS_FOLDER) },
  )
  return { items, nextPageToken: next }
}
