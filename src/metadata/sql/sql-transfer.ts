/**
 * The transfer facet over MLflow's SQL schema: exact reads in id order and exact, per-run
 * atomic writes (one transaction a run). Metric rows go in multi-row statements chunked under
 * the dialect's bind limit; latest_metrics is computed from the rows written.
 */
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { alreadyExists, notFound } from '../../core/errors.js'
import { loggedModelStatusCode, type Experiment, type StoredMetric } from '../metadata-store.js'
import type {
  PutOutcome,
  RunImport,
  StoreTransfer,
  TransferLoggedModel,
  TransferMarker,
  TransferReadOptions,
  TransferRun,
} from '../transfer.js'
import type { AnyTables, SqlDialect } from './dialects/sql-dialect.js'
import { inChunks, loadRuns } from './load-runs.js'
import { writeDatasetInput } from './sql-datasets.js'
import { insertRows } from './insert-rows.js'
import {
  isNewerMetric,
  LOGGED_MODEL_METRIC_KEY_COLUMNS,
  METRIC_KEY_COLUMNS,
  toExperiment,
  toId,
  toLoggedModelMetricRow,
  toMetricRow,
} from './rows.js'
import { SqlLoggedModels } from './sql-logged-models.js'
import type { LoggedModelsTable, RunsTable } from './tables.js'

/** trackstore's own key/value table, created by migration 0002; MLflow ignores it. */
const STATE_TABLE = 'trackstore_state'
const MARKER_KEY = 'transfer-marker'
const DEFAULT_EXPERIMENT_ID = '0'
const RUN_PAGE = 200
const MODEL_PAGE = 100
const METRIC_PAGE = 10_000
const INT32_MAX = 2_147_483_647n
const SQLITE_MAX_INTEGER = 9_223_372_036_854_775_807n

/** Tables that hold what transfers do not carry yet, by the name used in summaries. */
const UNSUPPORTED_TABLES: Record<string, string> = {
  traces: 'trace_info',
  assessments: 'assessments',
  spans: 'spans',
  evaluationDatasets: 'evaluation_datasets',
  scorers: 'scorers',
  webhooks: 'webhooks',
  jobs: 'jobs',
  gatewaySecrets: 'secrets',
  gatewayEndpoints: 'endpoints',
}

export class SqlTransfer implements StoreTransfer {
  readonly keepsMetricDatasets = false
  readonly #db: Kysely<AnyTables>
  readonly #dialect: SqlDialect
  readonly #assertWritable: () => void
  readonly #models: SqlLoggedModels

  constructor(db: Kysely<AnyTables>, dialect: SqlDialect, assertWritable: () => void) {
    this.#db = db
    this.#dialect = dialect
    this.#assertWritable = assertWritable
    // Only its reads (`load`) are used here; writes go through putLoggedModel.
    this.#models = new SqlLoggedModels(db, dialect, (what) => {
      throw new Error(`The transfer facet does not ${what}`)
    })
  }

  // SQL rows are always readable: the read options have nothing to report.
  async *experiments(_options?: TransferReadOptions): AsyncIterable<Experiment> {
    const rows = await this.#db
      .selectFrom('experiments')
      .selectAll()
      .orderBy('experiment_id')
      .execute()
    const tags = await this.#db
      .selectFrom('experiment_tags')
      .select(['experiment_id', 'key', 'value'])
      .orderBy('key')
      .execute()
    const byExperiment = new Map<string, { key: string; value: string }[]>()
    for (const tag of tags) {
      const id = toId(tag.experiment_id)
      const list = byExperiment.get(id) ?? []
      list.push({ key: tag.key, value: tag.value ?? '' })
      byExperiment.set(id, list)
    }
    for (const row of rows) {
      yield toExperiment(row, byExperiment.get(toId(row.experiment_id)) ?? [])
    }
  }

  async *runs(experimentId: string, _options?: TransferReadOptions): AsyncIterable<TransferRun> {
    let after = ''
    for (;;) {
      const rows = (await this.#db
        .selectFrom('runs')
        .selectAll()
        .where('experiment_id', '=', experimentId)
        .where('run_uuid', '>', after)
        .orderBy('run_uuid')
        .limit(RUN_PAGE)
        .execute()) as RunsTable[]
      if (rows.length === 0) return
      yield* await loadRuns(this.#db, rows)
      after = rows[rows.length - 1]!.run_uuid
    }
  }

  async *metricRows(runId: string, _experimentId?: string): AsyncIterable<StoredMetric[]> {
    for (let offset = 0; ; offset += METRIC_PAGE) {
      const rows = await this.#db
        .selectFrom('metrics')
        .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
        .where('run_uuid', '=', runId)
        .orderBy('key')
        .orderBy('timestamp')
        .orderBy('step')
        .orderBy('value')
        .limit(METRIC_PAGE)
        .offset(offset)
        .execute()
      if (rows.length > 0) {
        yield rows.map((row) => ({
          key: row.key,
          value: Number(row.is_nan) === 1 || row.is_nan === true ? NaN : Number(row.value),
          timestamp: Number(row.timestamp),
          step: Number(row.step),
        }))
      }
      if (rows.length < METRIC_PAGE) return
    }
  }

  async *loggedModels(_options?: TransferReadOptions): AsyncIterable<TransferLoggedModel> {
    let after = ''
    for (;;) {
      const rows = (await this.#db
        .selectFrom('logged_models')
        .selectAll()
        .where('model_id', '>', after)
        .orderBy('model_id')
        .limit(MODEL_PAGE)
        .execute()) as LoggedModelsTable[]
      if (rows.length === 0) return
      yield* await this.#models.load(this.#db, rows)
      after = rows[rows.length - 1]!.model_id
    }
  }

  async putLoggedModel(model: TransferLoggedModel): Promise<PutOutcome> {
    this.#assertWritable()
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('logged_models')
        .select(['model_id', 'experiment_id'])
        .where('model_id', '=', model.modelId)
        .executeTakeFirst()
      if (existing) {
        if (toId(existing.experiment_id) === model.experimentId) return 'exists'
        throw alreadyExists(
          `Cannot copy logged model ${model.modelId} into experiment ${model.experimentId}: ` +
            `a logged model with that id exists in experiment ${toId(existing.experiment_id)}`,
        )
      }
      const experiment = await trx
        .selectFrom('experiments')
        .select('experiment_id')
        .where('experiment_id', '=', model.experimentId)
        .executeTakeFirst()
      if (!experiment) {
        throw notFound(
          `Cannot copy logged model ${model.modelId}: experiment ${model.experimentId} ` +
            'does not exist',
        )
      }
      const runIds = [...new Set(model.metrics.map((metric) => metric.runId))]
      const found = await inChunks(runIds, (chunk) =>
        trx.selectFrom('runs').select('run_uuid').where('run_uuid', 'in', chunk).execute(),
      )
      const missing = runIds.filter((id) => !found.some((row) => row.run_uuid === id))
      if (missing.length > 0) {
        throw notFound(
          `Cannot copy logged model ${model.modelId}: its metrics name runs that do not exist ` +
            `(${missing.join(', ')})`,
        )
      }
      const experimentId = model.experimentId
      await trx
        .insertInto('logged_models')
        .values({
          model_id: model.modelId,
          experiment_id: experimentId,
          name: model.name,
          artifact_location: model.artifactLocation,
          creation_timestamp_ms: model.creationTimestamp,
          last_updated_timestamp_ms: model.lastUpdatedTimestamp,
          status: loggedModelStatusCode(model.status),
          lifecycle_stage: model.lifecycleStage,
          model_type: model.modelType,
          source_run_id: model.sourceRunId,
          status_message: model.statusMessage,
        })
        .execute()
      const dialect = this.#dialect
      const base = { model_id: model.modelId, experiment_id: experimentId }
      const params = model.params.map((p) => ({ ...base, param_key: p.key, param_value: p.value }))
      await insertRows(trx, dialect, 'logged_model_params', params)
      const tags = model.tags.map((t) => ({ ...base, tag_key: t.key, tag_value: t.value }))
      await insertRows(trx, dialect, 'logged_model_tags', tags)
      const metrics = model.metrics.map((metric) =>
        toLoggedModelMetricRow(model.modelId, experimentId, metric.runId, metric),
      )
      await insertRows(trx, dialect, 'logged_model_metrics', metrics, {
        kind: 'ignore',
        keys: LOGGED_MODEL_METRIC_KEY_COLUMNS,
      })
      return 'created'
    })
  }

  async unsupportedContent(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {}
    for (const [kind, table] of Object.entries(UNSUPPORTED_TABLES)) {
      const row = await this.#db
        .selectFrom(table)
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirst()
      const n = Number(row?.n ?? 0)
      if (n > 0) counts[kind] = n
    }
    return counts
  }

  async maxExperimentId(): Promise<bigint | null> {
    if (this.#dialect.name === 'sqlite') return SQLITE_MAX_INTEGER
    const query =
      this.#dialect.name === 'postgresql'
        ? sql<{ type: string }>`select data_type as type from information_schema.columns
            where table_schema = current_schema() and table_name = 'experiments'
            and column_name = 'experiment_id'`
        : sql<{ type: string }>`select data_type as type from information_schema.columns
            where table_schema = database() and table_name = 'experiments'
            and column_name = 'experiment_id'`
    const { rows } = await query.execute(this.#db)
    const type = String(rows[0]?.type ?? 'integer').toLowerCase()
    return type === 'bigint' ? SQLITE_MAX_INTEGER : INT32_MAX
  }

  async newExperimentId(): Promise<string> {
    const row = await this.#db
      .selectFrom('experiments')
      .select(sql<number | string | bigint | null>`max(experiment_id)`.as('id'))
      .executeTakeFirst()
    const max = row?.id === null || row?.id === undefined ? 0n : BigInt(row.id)
    return String(max < 1n ? 1n : max + 1n)
  }

  async isEmpty(): Promise<boolean> {
    const experiments = await this.#db
      .selectFrom('experiments')
      .select(['experiment_id', 'name'])
      .limit(2)
      .execute()
    const onlyDefault =
      experiments.length === 0 ||
      (experiments.length === 1 && toId(experiments[0]!.experiment_id) === '0')
    if (!onlyDefault) return false
    const run = await this.#db.selectFrom('runs').select('run_uuid').limit(1).execute()
    const tag = await this.#db.selectFrom('experiment_tags').select('key').limit(1).execute()
    return run.length === 0 && tag.length === 0
  }

  async putExperiment(experiment: Experiment): Promise<PutOutcome> {
    this.#assertWritable()
    return this.#db.transaction().execute(async (trx) => {
      const byId = await trx
        .selectFrom('experiments')
        .select(['experiment_id', 'name'])
        .where('experiment_id', '=', experiment.experimentId)
        .executeTakeFirst()
      const byName = await trx
        .selectFrom('experiments')
        .select(['experiment_id', 'name'])
        .where(this.#dialect.compareText(sql.ref('name'), '=', experiment.name))
        .executeTakeFirst()
      let outcome: PutOutcome = 'created'
      if (byId && byId.name === experiment.name) {
        outcome = 'exists'
        if (await this.#isUntouchedDefault(trx, experiment.experimentId)) {
          await trx
            .updateTable('experiments')
            .set({
              artifact_location: experiment.artifactLocation,
              lifecycle_stage: experiment.lifecycleStage,
              creation_time: experiment.creationTime,
              last_update_time: experiment.lastUpdateTime,
            })
            .where('experiment_id', '=', experiment.experimentId)
            .execute()
        }
      } else if (byId || byName) {
        const other = byId ?? byName!
        throw alreadyExists(
          `Cannot copy experiment ${experiment.experimentId} '${experiment.name}': experiment ` +
            `${toId(other.experiment_id)} '${other.name}' already holds that ` +
            (byId ? 'id' : 'name'),
        )
      } else {
        await trx
          .insertInto('experiments')
          .values({
            experiment_id: experiment.experimentId,
            name: experiment.name,
            artifact_location: experiment.artifactLocation,
            lifecycle_stage: experiment.lifecycleStage,
            creation_time: experiment.creationTime,
            last_update_time: experiment.lastUpdateTime,
            workspace: 'default',
          })
          .execute()
        await this.#dialect.syncExperimentIdGenerator(trx)
      }
      const tags = experiment.tags.map((tag) => ({
        key: tag.key,
        value: tag.value,
        experiment_id: experiment.experimentId,
      }))
      await insertRows(trx, this.#dialect, 'experiment_tags', tags, {
        kind: 'update',
        keys: ['key', 'experiment_id'],
        columns: ['value'],
      })
      return outcome
    })
  }

  /** The Default experiment as the store made it: no runs, no tags. */
  async #isUntouchedDefault(trx: Kysely<AnyTables>, experimentId: string): Promise<boolean> {
    if (experimentId !== DEFAULT_EXPERIMENT_ID) return false
    const run = await trx
      .selectFrom('runs')
      .select('run_uuid')
      .where('experiment_id', '=', experimentId)
      .limit(1)
      .execute()
    const tag = await trx
      .selectFrom('experiment_tags')
      .select('key')
      .where('experiment_id', '=', experimentId)
      .limit(1)
      .execute()
    return run.length === 0 && tag.length === 0
  }

  async putRun(run: RunImport): Promise<PutOutcome> {
    this.#assertWritable()
    const { info } = run
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('runs')
        .select(['run_uuid', 'experiment_id'])
        .where('run_uuid', '=', info.runId)
        .executeTakeFirst()
      if (existing) {
        if (toId(existing.experiment_id) === info.experimentId) return 'exists'
        throw alreadyExists(
          `Cannot copy run ${info.runId} into experiment ${info.experimentId}: a run with ` +
            `that id already exists in experiment ${toId(existing.experiment_id)}`,
        )
      }
      const experiment = await trx
        .selectFrom('experiments')
        .select('experiment_id')
        .where('experiment_id', '=', info.experimentId)
        .executeTakeFirst()
      if (!experiment) {
        throw notFound(
          `Cannot copy run ${info.runId}: experiment ${info.experimentId} does not exist`,
        )
      }
      await trx
        .insertInto('runs')
        .values({
          run_uuid: info.runId,
          name: info.runName,
          source_type: 'UNKNOWN',
          source_name: '',
          entry_point_name: '',
          user_id: info.userId,
          status: info.status,
          start_time: info.startTime,
          end_time: info.endTime,
          source_version: '',
          lifecycle_stage: info.lifecycleStage,
          artifact_uri: info.artifactUri,
          experiment_id: info.experimentId,
          deleted_time: info.deletedTime,
        })
        .execute()
      const dialect = this.#dialect
      const params = run.params.map((p) => ({ key: p.key, value: p.value, run_uuid: info.runId }))
      await insertRows(trx, dialect, 'params', params)
      const tags = run.tags.map((t) => ({ key: t.key, value: t.value, run_uuid: info.runId }))
      await insertRows(trx, dialect, 'tags', tags)
      await this.#putInputs(trx, info.experimentId, info.runId, run)
      const latest = new Map<string, ReturnType<typeof toMetricRow>>()
      for await (const batch of run.metrics) {
        const rows = batch.map((metric) => toMetricRow(dialect, info.runId, metric))
        for (const row of rows) {
          const current = latest.get(row.key)
          if (!current || isNewerMetric(row, current)) latest.set(row.key, row)
        }
        await insertRows(trx, dialect, 'metrics', rows, {
          kind: 'ignore',
          keys: METRIC_KEY_COLUMNS,
        })
      }
      await insertRows(trx, dialect, 'latest_metrics', [...latest.values()])
      return 'created'
    })
  }

  async #putInputs(
    trx: Kysely<AnyTables>,
    experimentId: string,
    runId: string,
    run: RunImport,
  ): Promise<void> {
    for (const input of run.datasetInputs) {
      await writeDatasetInput(trx, this.#dialect, experimentId, runId, input, false)
    }
    const edge = (sourceType: string, destinationType: string, modelId: string, step: number) => ({
      input_uuid: randomUUID().replaceAll('-', ''),
      source_type: sourceType,
      source_id: runId,
      destination_type: destinationType,
      destination_id: modelId,
      step,
    })
    const edges = [
      ...uniqueBy(run.modelInputs ?? [], (m) => m.modelId).map((m) =>
        edge('RUN_INPUT', 'MODEL_INPUT', m.modelId, 0),
      ),
      ...uniqueBy(run.modelOutputs ?? [], (m) => m.modelId).map((m) =>
        edge('RUN_OUTPUT', 'MODEL_OUTPUT', m.modelId, m.step),
      ),
    ]
    await insertRows(trx, this.#dialect, 'inputs', edges)
  }

  async runIds(experimentId: string): Promise<Set<string>> {
    const rows = await this.#db
      .selectFrom('runs')
      .select('run_uuid')
      .where('experiment_id', '=', experimentId)
      .execute()
    return new Set(rows.map((row) => row.run_uuid))
  }

  async readMarker(): Promise<TransferMarker | null> {
    const row = await this.#db
      .selectFrom(STATE_TABLE)
      .select('value')
      .where('key', '=', MARKER_KEY)
      .executeTakeFirst()
    return row ? (JSON.parse(String(row.value)) as TransferMarker) : null
  }

  async writeMarker(marker: TransferMarker): Promise<void> {
    this.#assertWritable()
    const insert = this.#db
      .insertInto(STATE_TABLE)
      .values({ key: MARKER_KEY, value: JSON.stringify(marker) })
    await this.#dialect.upsert(insert, ['key'], ['value']).execute()
  }
}

/** The first item of each key, in order (a model named twice as an input is one edge). */
function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>()
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)) !== undefined)
}
