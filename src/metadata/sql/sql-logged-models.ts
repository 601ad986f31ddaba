/**
 * MLflow 3 logged models over the SQL schema (`logged_models`, `logged_model_metrics`,
 * `logged_model_params`, `logged_model_tags`) and the run↔model edges of the `inputs` table,
 * as MLflow's SqlAlchemyStore writes them (FORMATS.md §4.2). The SQL store delegates here.
 */
import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely'
import { appendToUriPath } from '../../core/artifact-uri.js'
import { invalidParameter, notFound } from '../../core/errors.js'
import {
  LOGGED_MODEL_STATUSES,
  loggedModelStatusCode,
  type CreateLoggedModelOptions,
  type KeyValue,
  type LoggedModel,
  type LoggedModelMetric,
  type LoggedModelStatus,
  type Metric,
  type ModelInput,
  type Page,
  type SearchLoggedModelsOptions,
} from '../metadata-store.js'
import { generateRunName } from '../run-names.js'
import {
  prepareLoggedModelSearch,
  encodeLoggedModelPageToken,
  matchesStringValue,
  sortLoggedModelMetrics,
  type LoggedModelClause,
  type LoggedModelOrderKey,
} from '../search/index.js'
import {
  parseSqlExperimentId,
  sortByKey,
  validateLoggedModelEntries,
  validateLoggedModelName,
  validateModelId,
} from '../validation.js'
import type { AnyTables, SqlDialect } from './dialects/sql-dialect.js'
import { inChunks } from './load-runs.js'
import { insertRows } from './insert-rows.js'
import {
  chunkRows,
  LOGGED_MODEL_METRIC_KEY_COLUMNS,
  toId,
  toLoggedModelMetricRow,
  toNumber,
} from './rows.js'
import type { LoggedModelsTable } from './tables.js'

type Db = Kysely<AnyTables> | Transaction<AnyTables>
type Write = <T>(what: string, fn: (trx: Transaction<AnyTables>) => Promise<T>) => Promise<T>

const STRING_COLUMNS = {
  name: 'name',
  model_id: 'model_id',
  model_type: 'model_type',
  source_run_id: 'source_run_id',
} as const

const modelNotFound = (modelId: string) => notFound(`Logged model with ID '${modelId}' not found.`)

function toStatus(code: number | string): LoggedModelStatus {
  return LOGGED_MODEL_STATUSES[Number(code)] ?? 'UNSPECIFIED'
}

/** A metric row's value: NaN was written as 0 (no is_nan column), NULL only by other writers. */
function readValue(value: number | string | null): number {
  return value === null ? NaN : Number(value)
}

export class SqlLoggedModels {
  constructor(
    private readonly db: Kysely<AnyTables>,
    private readonly dialect: SqlDialect,
    private readonly write: Write,
  ) {}

  private async row(db: Db, modelId: string, includeDeleted = false): Promise<LoggedModelsTable> {
    validateModelId(modelId)
    const row = await db
      .selectFrom('logged_models')
      .selectAll()
      .where('model_id', '=', modelId)
      .executeTakeFirst()
    if (!row || (!includeDeleted && row.lifecycle_stage === 'deleted')) {
      throw modelNotFound(modelId)
    }
    return row
  }

  /** Builds whole logged models from rows, keeping the rows' order. */
  async load(db: Db, rows: LoggedModelsTable[]): Promise<LoggedModel[]> {
    if (rows.length === 0) return []
    const ids = rows.map((row) => row.model_id)
    const [tags, params, metrics] = await Promise.all([
      inChunks(ids, (chunk) =>
        db
          .selectFrom('logged_model_tags')
          .select(['model_id', 'tag_key', 'tag_value'])
          .where('model_id', 'in', chunk)
          .execute(),
      ),
      inChunks(ids, (chunk) =>
        db
          .selectFrom('logged_model_params')
          .select(['model_id', 'param_key', 'param_value'])
          .where('model_id', 'in', chunk)
          .execute(),
      ),
      inChunks(ids, (chunk) =>
        db.selectFrom('logged_model_metrics').selectAll().where('model_id', 'in', chunk).execute(),
      ),
    ])
    const byModel = <T extends { model_id: string }>(list: T[]) => {
      const map = new Map<string, T[]>()
      for (const item of list) map.set(item.model_id, [...(map.get(item.model_id) ?? []), item])
      return map
    }
    const tagMap = byModel(tags)
    const paramMap = byModel(params)
    const metricMap = byModel(metrics)
    return rows.map((row) => ({
      modelId: row.model_id,
      experimentId: toId(row.experiment_id),
      name: row.name,
      artifactLocation: row.artifact_location,
      creationTimestamp: toNumber(row.creation_timestamp_ms) ?? 0,
      lastUpdatedTimestamp: toNumber(row.last_updated_timestamp_ms) ?? 0,
      status: toStatus(row.status),
      statusMessage: row.status_message,
      modelType: row.model_type,
      sourceRunId: row.source_run_id,
      lifecycleStage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      tags: sortByKey(
        (tagMap.get(row.model_id) ?? []).map((tag) => ({ key: tag.tag_key, value: tag.tag_value })),
      ),
      params: sortByKey(
        (paramMap.get(row.model_id) ?? []).map((param) => ({
          key: param.param_key,
          value: param.param_value,
        })),
      ),
      metrics: sortLoggedModelMetrics(
        (metricMap.get(row.model_id) ?? []).map((metric): LoggedModelMetric => ({
          key: metric.metric_name,
          value: readValue(metric.metric_value),
          timestamp: toNumber(metric.metric_timestamp_ms) ?? 0,
          step: toNumber(metric.metric_step) ?? 0,
          modelId: metric.model_id,
          runId: metric.run_id,
          datasetName: metric.dataset_name,
          datasetDigest: metric.dataset_digest,
        })),
      ),
    }))
  }

  async create(options: CreateLoggedModelOptions): Promise<LoggedModel> {
    const name = options.name === undefined ? generateRunName() : options.name
    validateLoggedModelName(name)
    const tags = validateLoggedModelEntries(options.tags, 'tags')
    const params = validateLoggedModelEntries(options.params, 'params')
    const experimentId = parseSqlExperimentId(options.experimentId)
    const modelId = `m-${randomUUID().replaceAll('-', '')}`
    await this.write('create logged model', async (trx) => {
      const experiment = await trx
        .selectFrom('experiments')
        .select(['experiment_id', 'artifact_location', 'lifecycle_stage'])
        .where('experiment_id', '=', experimentId)
        .executeTakeFirst()
      if (!experiment) throw notFound(`No Experiment with id=${options.experimentId} exists`)
      if (experiment.lifecycle_stage !== 'active') {
        throw invalidParameter(
          `The experiment ${options.experimentId} must be in the 'active' state. ` +
            `Current state is ${experiment.lifecycle_stage}.`,
        )
      }
      const now = Date.now()
      await trx
        .insertInto('logged_models')
        .values({
          model_id: modelId,
          experiment_id: experiment.experiment_id,
          name,
          artifact_location: appendToUriPath(
            experiment.artifact_location ?? '',
            'models',
            modelId,
            'artifacts',
          ),
          creation_timestamp_ms: now,
          last_updated_timestamp_ms: now,
          status: loggedModelStatusCode('PENDING'),
          lifecycle_stage: 'active',
          model_type: options.modelType ?? null,
          source_run_id: options.sourceRunId ?? null,
          status_message: null,
        })
        .execute()
      const experimentRef = experiment.experiment_id
      for (const chunk of chunkRows(
        params.map((p) => ({
          model_id: modelId,
          experiment_id: experimentRef,
          param_key: p.key,
          param_value: p.value,
        })),
        this.dialect.maxBindParameters,
      )) {
        await trx.insertInto('logged_model_params').values(chunk).execute()
      }
      for (const chunk of chunkRows(
        tags.map((t) => ({
          model_id: modelId,
          experiment_id: experimentRef,
          tag_key: t.key,
          tag_value: t.value,
        })),
        this.dialect.maxBindParameters,
      )) {
        await trx.insertInto('logged_model_tags').values(chunk).execute()
      }
    })
    return this.get(modelId)
  }

  async get(modelId: string): Promise<LoggedModel> {
    const [model] = await this.load(this.db, [await this.row(this.db, modelId)])
    return model!
  }

  async finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    if (!LOGGED_MODEL_STATUSES.includes(status)) {
      throw invalidParameter(
        `Invalid logged model status ${JSON.stringify(status)}: expected one of ` +
          LOGGED_MODEL_STATUSES.join(', '),
      )
    }
    await this.write('finalize logged model', async (trx) => {
      await this.row(trx, modelId)
      await trx
        .updateTable('logged_models')
        .set({ status: loggedModelStatusCode(status), last_updated_timestamp_ms: Date.now() })
        .where('model_id', '=', modelId)
        .execute()
    })
    return this.get(modelId)
  }

  async delete(modelId: string): Promise<void> {
    await this.write('delete logged model', async (trx) => {
      await this.row(trx, modelId)
      await trx
        .updateTable('logged_models')
        .set({ lifecycle_stage: 'deleted', last_updated_timestamp_ms: Date.now() })
        .where('model_id', '=', modelId)
        .execute()
    })
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    const valid = validateLoggedModelEntries(tags, 'tags')
    await this.write('set logged model tags', async (trx) => {
      const row = await this.row(trx, modelId)
      if (valid.length === 0) return
      const insert = trx.insertInto('logged_model_tags').values(
        valid.map((tag) => ({
          model_id: modelId,
          experiment_id: row.experiment_id,
          tag_key: tag.key,
          tag_value: tag.value,
        })),
      )
      await this.dialect.upsert(insert, ['model_id', 'tag_key'], ['tag_value']).execute()
    })
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.write('delete logged model tag', async (trx) => {
      await this.row(trx, modelId)
      const result = await trx
        .deleteFrom('logged_model_tags')
        .where('model_id', '=', modelId)
        .where('tag_key', '=', key)
        .executeTakeFirst()
      if (Number(result.numDeletedRows) === 0) {
        throw notFound(`No tag with key '${key}' found for model with ID '${modelId}'.`)
      }
    })
  }

  async logParams(modelId: string, params: KeyValue[]): Promise<void> {
    const valid = validateLoggedModelEntries(params, 'params')
    await this.write('log logged model params', async (trx) => {
      const row = await this.row(trx, modelId)
      if (valid.length === 0) return
      const existing = await trx
        .selectFrom('logged_model_params')
        .select(['param_key', 'param_value'])
        .where('model_id', '=', modelId)
        .where(
          'param_key',
          'in',
          valid.map((param) => param.key),
        )
        .execute()
      const known = new Map(existing.map((item) => [item.param_key, item.param_value]))
      for (const param of valid) {
        const old = known.get(param.key)
        if (old !== undefined && old !== param.value) {
          throw invalidParameter(
            `Changing param values is not allowed. Param with key='${param.key}' was already ` +
              `logged with value='${old}' for logged model ID='${modelId}'. Attempted logging ` +
              `new value '${param.value}'.`,
          )
        }
      }
      const fresh = valid.filter((param) => !known.has(param.key))
      if (fresh.length === 0) return
      await trx
        .insertInto('logged_model_params')
        .values(
          fresh.map((param) => ({
            model_id: modelId,
            experiment_id: row.experiment_id,
            param_key: param.key,
            param_value: param.value,
          })),
        )
        .execute()
    })
  }

  /**
   * Records the metrics that carry a model id for their logged models (inside the run's write).
   * @throws RESOURCE_DOES_NOT_EXIST when a model id names no logged model.
   */
  async insertMetrics(
    trx: Transaction<AnyTables>,
    runId: string,
    experimentId: number | string | bigint,
    metrics: (Metric & { step: number })[],
  ): Promise<void> {
    const withModel = metrics.filter((metric) => metric.modelId)
    if (withModel.length === 0) return
    const ids = [...new Set(withModel.map((metric) => validateModelId(metric.modelId)))]
    const found = await trx
      .selectFrom('logged_models')
      .select('model_id')
      .where('model_id', 'in', ids)
      .execute()
    const known = new Set(found.map((row) => row.model_id))
    const missing = ids.find((id) => !known.has(id))
    if (missing !== undefined) throw modelNotFound(missing)
    const rows = withModel.map((metric) =>
      toLoggedModelMetricRow(metric.modelId!, experimentId, runId, metric),
    )
    await insertRows(trx, this.dialect, 'logged_model_metrics', rows, {
      kind: 'ignore',
      keys: LOGGED_MODEL_METRIC_KEY_COLUMNS,
    })
  }

  /** RUN_INPUT → MODEL_INPUT edges, each recorded once. */
  async insertModelInputs(
    trx: Transaction<AnyTables>,
    runId: string,
    models: ModelInput[],
  ): Promise<void> {
    if (models.length === 0) return
    const rows = models.map((model) => ({
      input_uuid: randomUUID().replaceAll('-', ''),
      source_type: 'RUN_INPUT',
      source_id: runId,
      destination_type: 'MODEL_INPUT',
      destination_id: model.modelId,
      step: 0,
    }))
    await this.dialect
      .ignoreDuplicates(trx.insertInto('inputs').values(rows), [
        'source_type',
        'source_id',
        'destination_type',
        'destination_id',
      ])
      .execute()
  }

  /** RUN_OUTPUT → MODEL_OUTPUT edges; logging a model again replaces its step. */
  async insertModelOutputs(
    trx: Transaction<AnyTables>,
    runId: string,
    models: { modelId: string; step: number }[],
  ): Promise<void> {
    if (models.length === 0) return
    const rows = models.map((model) => ({
      input_uuid: randomUUID().replaceAll('-', ''),
      source_type: 'RUN_OUTPUT',
      source_id: runId,
      destination_type: 'MODEL_OUTPUT',
      destination_id: model.modelId,
      step: model.step,
    }))
    await this.dialect
      .upsert(
        trx.insertInto('inputs').values(rows),
        ['source_type', 'source_id', 'destination_type', 'destination_id'],
        ['step'],
      )
      .execute()
  }

  async search(options: SearchLoggedModelsOptions): Promise<Page<LoggedModel>> {
    const { datasets, maxResults, clauses, order, identity, offset } =
      prepareLoggedModelSearch(options)
    const experimentIds = identity.experimentIds.map((id) => parseSqlExperimentId(id))
    if (experimentIds.length === 0) return { items: [], nextPageToken: null }
    let query = this.db
      .selectFrom('logged_models as lm')
      .selectAll('lm')
      .where('lm.experiment_id', 'in', experimentIds)
      .where(sql<SqlBool>`(lm.lifecycle_stage IS NULL OR lm.lifecycle_stage != 'deleted')`)
    for (const clause of clauses) query = query.where(this.clause(clause, datasets))
    if (datasets.length > 0 && !clauses.some((clause) => clause.type === 'metric')) {
      query = query.where(
        sql<SqlBool>`EXISTS (SELECT 1 FROM logged_model_metrics m
          WHERE m.model_id = lm.model_id AND ${datasetMatch(datasets)})`,
      )
    }
    for (const key of order) {
      const value = orderValue(key)
      query = query
        .orderBy(sql`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`)
        .orderBy(sql`${value} ${sql.raw(key.ascending ? 'ASC' : 'DESC')}`)
    }
    const rows = (await query
      .limit(maxResults + 1)
      .offset(offset)
      .execute()) as LoggedModelsTable[]
    const page = rows.slice(0, maxResults)
    return {
      items: await this.load(this.db, page),
      nextPageToken:
        rows.length > maxResults ? encodeLoggedModelPageToken(identity, offset + maxResults) : null,
    }
  }

  private clause(clause: LoggedModelClause, datasets: SearchLoggedModelsOptions['datasets']) {
    switch (clause.type) {
      case 'metric': {
        const onDatasets =
          datasets && datasets.length > 0 ? sql`AND ${datasetMatch(datasets)}` : sql``
        return sql<SqlBool>`EXISTS (SELECT 1 FROM logged_model_metrics m
          WHERE m.model_id = lm.model_id AND m.metric_name = ${clause.key}
          AND m.metric_value ${sql.raw(clause.comparator)} ${clause.value} ${onDatasets})`
      }
      case 'param':
      case 'tag': {
        const [table, keyColumn, valueColumn] =
          clause.type === 'param'
            ? ['logged_model_params', 'param_key', 'param_value']
            : ['logged_model_tags', 'tag_key', 'tag_value']
        const match = this.dialect.compareText(
          sql.ref(`e.${valueColumn}`),
          clause.comparator,
          clause.value,
        )
        return sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.table(table)} e
          WHERE e.model_id = lm.model_id AND ${sql.ref(`e.${keyColumn}`)} = ${clause.key}
          AND ${match})`
      }
      case 'attribute': {
        if (clause.key === 'status') {
          const codes = LOGGED_MODEL_STATUSES.filter((status) =>
            matchesStringValue(status, clause as Parameters<typeof matchesStringValue>[1]),
          ).map(loggedModelStatusCode)
          if (codes.length === 0) return sql<SqlBool>`1 = 0`
          return sql<SqlBool>`lm.status IN (${sql.join(codes.map((code) => sql`${code}`))})`
        }
        if (clause.key === 'creation_timestamp' || clause.key === 'last_updated_timestamp') {
          return sql<SqlBool>`${sql.ref(`lm.${clause.key}_ms`)} ${sql.raw(clause.comparator)}
            ${clause.value}`
        }
        const column = sql.ref(`lm.${STRING_COLUMNS[clause.key]}`)
        if ('values' in clause) {
          if (clause.values.length === 0) {
            return clause.comparator === 'IN'
              ? sql<SqlBool>`1 = 0`
              : sql<SqlBool>`${column} IS NOT NULL`
          }
          const list = sql.join(clause.values.map((value) => sql`${value}`))
          return clause.comparator === 'IN'
            ? sql<SqlBool>`${column} IN (${list})`
            : sql<SqlBool>`${column} NOT IN (${list})`
        }
        const text = clause as Extract<LoggedModelClause, { value: string; type: 'attribute' }>
        return this.dialect.compareText(column, text.comparator, text.value)
      }
    }
  }
}

function datasetMatch(
  datasets: NonNullable<SearchLoggedModelsOptions['datasets']>,
): RawBuilder<SqlBool> {
  const alternatives = datasets.map((dataset) =>
    dataset.datasetDigest
      ? sql`(m.dataset_name = ${dataset.datasetName}
          AND m.dataset_digest = ${dataset.datasetDigest})`
      : sql`(m.dataset_name = ${dataset.datasetName})`,
  )
  return sql<SqlBool>`(${sql.join(alternatives, sql` OR `)})`
}

/** What an order key sorts by; a metric sorts by its latest value (timestamp, then step). */
function orderValue(key: LoggedModelOrderKey): RawBuilder<unknown> {
  if (key.type === 'attribute' && key.key === 'status') {
    // Sorted by name, as the file store sorts them, not by the stored integer.
    const cases = LOGGED_MODEL_STATUSES.map(
      (status) => sql`WHEN ${loggedModelStatusCode(status)} THEN ${status}`,
    )
    return sql`(CASE lm.status ${sql.join(cases, sql` `)} END)`
  }
  if (key.type === 'attribute') {
    const column =
      key.key === 'creation_timestamp' || key.key === 'last_updated_timestamp'
        ? `${key.key}_ms`
        : key.key
    return sql`${sql.ref(`lm.${column}`)}`
  }
  const name = key.datasetName ? sql`AND m.dataset_name = ${key.datasetName}` : sql``
  const digest = key.datasetDigest ? sql`AND m.dataset_digest = ${key.datasetDigest}` : sql``
  return sql`(SELECT m.metric_value FROM logged_model_metrics m
    WHERE m.model_id = lm.model_id AND m.metric_name = ${key.key} ${name} ${digest}
    ORDER BY m.metric_timestamp_ms DESC, m.metric_step DESC LIMIT 1)`
}
