/**
 * Loads whole runs (info, latest metrics, params, tags, dataset and model inputs, model
 * outputs) for a set of run ids in a fixed number of queries, whatever the number of runs.
 */
import type { Kysely } from 'kysely'
import type { DatasetInput, ModelInput, ModelOutput, Run } from '../metadata-store.js'
import { sortByKey } from '../validation.js'
import type { AnyTables } from './dialects/sql-dialect.js'
import { toRunInfo, toStoredMetric } from './rows.js'
import type { RunsTable } from './tables.js'

/** Ids per `IN (…)` list; far under every dialect's bind limit. */
const ID_CHUNK = 500

export async function inChunks<T>(
  ids: string[],
  load: (chunk: string[]) => Promise<T[]>,
): Promise<T[]> {
  const results: T[] = []
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    results.push(...(await load(ids.slice(i, i + ID_CHUNK))))
  }
  return results
}

function group<T extends { run_uuid: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const row of rows) {
    const list = map.get(row.run_uuid)
    if (list) list.push(row)
    else map.set(row.run_uuid, [row])
  }
  return map
}

/** Dataset inputs of each run, in the order they were logged. */
async function loadInputs(
  db: Kysely<AnyTables>,
  runIds: string[],
): Promise<Map<string, DatasetInput[]>> {
  const rows = await inChunks(runIds, (chunk) =>
    db
      .selectFrom('inputs as i')
      .innerJoin('datasets as d', 'd.dataset_uuid', 'i.source_id')
      .select([
        'i.destination_id as run_uuid',
        'i.input_uuid',
        'd.name',
        'd.digest',
        'd.dataset_source_type',
        'd.dataset_source',
        'd.dataset_schema',
        'd.dataset_profile',
      ])
      .where('i.source_type', '=', 'DATASET')
      .where('i.destination_type', '=', 'RUN')
      .where('i.destination_id', 'in', chunk)
      .orderBy('d.name')
      .orderBy('d.digest')
      .execute(),
  )
  const inputIds = rows.map((row) => row.input_uuid)
  const tagRows = await inChunks(inputIds, (chunk) =>
    db
      .selectFrom('input_tags')
      .select(['input_uuid', 'name', 'value'])
      .where('input_uuid', 'in', chunk)
      .execute(),
  )
  const tagsByInput = new Map<string, { key: string; value: string }[]>()
  for (const tag of tagRows) {
    const list = tagsByInput.get(tag.input_uuid) ?? []
    list.push({ key: tag.name, value: tag.value })
    tagsByInput.set(tag.input_uuid, list)
  }
  const result = new Map<string, DatasetInput[]>()
  for (const row of rows) {
    const list = result.get(row.run_uuid) ?? []
    list.push({
      dataset: {
        name: row.name,
        digest: row.digest,
        sourceType: row.dataset_source_type,
        source: row.dataset_source,
        schema: row.dataset_schema,
        profile: row.dataset_profile,
      },
      tags: sortByKey(tagsByInput.get(row.input_uuid) ?? []),
    })
    result.set(row.run_uuid, list)
  }
  return result
}

/** Model inputs (RUN_INPUT → MODEL_INPUT) and outputs (RUN_OUTPUT → MODEL_OUTPUT) by run. */
async function loadModelEdges(db: Kysely<AnyTables>, runIds: string[]) {
  const rows = await inChunks(runIds, (chunk) =>
    db
      .selectFrom('inputs')
      .select(['source_type', 'source_id', 'destination_id', 'step'])
      .where('source_type', 'in', ['RUN_INPUT', 'RUN_OUTPUT'])
      .where('source_id', 'in', chunk)
      .where('destination_type', 'in', ['MODEL_INPUT', 'MODEL_OUTPUT'])
      .execute(),
  )
  rows.sort((a, b) => (a.destination_id < b.destination_id ? -1 : 1))
  const inputs = new Map<string, ModelInput[]>()
  const outputs = new Map<string, Required<ModelOutput>[]>()
  for (const row of rows) {
    if (row.source_type === 'RUN_INPUT') {
      const list = inputs.get(row.source_id) ?? []
      list.push({ modelId: row.destination_id })
      inputs.set(row.source_id, list)
    } else {
      const list = outputs.get(row.source_id) ?? []
      list.push({ modelId: row.destination_id, step: Number(row.step) })
      outputs.set(row.source_id, list)
    }
  }
  return { inputs, outputs }
}

/** Builds full runs from `runs` rows, keeping the rows' order. */
export async function loadRuns(db: Kysely<AnyTables>, runRows: RunsTable[]): Promise<Run[]> {
  if (runRows.length === 0) return []
  const ids = runRows.map((row) => row.run_uuid)
  const [metrics, params, tags, inputs, edges] = await Promise.all([
    inChunks(ids, (chunk) =>
      db
        .selectFrom('latest_metrics')
        .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
        .where('run_uuid', 'in', chunk)
        .execute(),
    ),
    inChunks(ids, (chunk) =>
      db
        .selectFrom('params')
        .select(['run_uuid', 'key', 'value'])
        .where('run_uuid', 'in', chunk)
        .execute(),
    ),
    inChunks(ids, (chunk) =>
      db
        .selectFrom('tags')
        .select(['run_uuid', 'key', 'value'])
        .where('run_uuid', 'in', chunk)
        .execute(),
    ),
    loadInputs(db, ids),
    loadModelEdges(db, ids),
  ])
  const metricsByRun = group(metrics)
  const paramsByRun = group(params)
  const tagsByRun = group(tags)
  return runRows.map((row) => ({
    info: toRunInfo(row),
    data: {
      metrics: sortByKey((metricsByRun.get(row.run_uuid) ?? []).map(toStoredMetric)),
      params: sortByKey(
        (paramsByRun.get(row.run_uuid) ?? []).map(({ key, value }) => ({ key, value })),
      ),
      tags: sortByKey(
        (tagsByRun.get(row.run_uuid) ?? []).map(({ key, value }) => ({ key, value: value ?? '' })),
      ),
    },
    inputs: {
      datasetInputs: inputs.get(row.run_uuid) ?? [],
      modelInputs: edges.inputs.get(row.run_uuid) ?? [],
    },
    outputs: { modelOutputs: edges.outputs.get(row.run_uuid) ?? [] },
  }))
}
