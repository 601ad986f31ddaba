/**
 * The MetadataStore over MLflow's SQL schema, written once with Kysely for SQLite, PostgreSQL and
 * MySQL. What differs between them lives in `dialects/`. Behaviour follows MLflow's
 * SqlAlchemyStore (FORMATS.md §4.2).
 */
import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Transaction } from 'kysely'
import { appendToUriPath } from '../../core/artifact-uri.js'
import {
  TrackstoreError,
  alreadyExists,
  internalError,
  invalidParameter,
  notFound,
} from '../../core/errors.js'
import type { SchemaVersionError } from '../../core/errors.js'
import type { Logger } from '../../core/logger.js'
import type {
  CreateExperimentOptions,
  CreateLoggedModelOptions,
  CreateRunOptions,
  DatasetInput,
  KeyValue,
  LoggedModel,
  LoggedModelStatus,
  ModelInput,
  ModelOutput,
  SearchLoggedModelsOptions,
  Experiment,
  ExperimentTag,
  LogBatchOptions,
  MetadataStore,
  Metric,
  MetricHistoryOptions,
  Page,
  Param,
  Run,
  RunInfo,
  RunTag,
  SearchExperimentsOptions,
  SearchRunsOptions,
  StoreCapabilities,
  StoredMetric,
  UpdateRunInfoOptions,
  ViewType,
} from '../metadata-store.js'
import type { StoreTransfer } from '../transfer.js'
import { RUN_STATUSES } from '../metadata-store.js'
import { generateRunName } from '../run-names.js'
import {
  decodePageToken,
  encodePageToken,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  validateMaxResults,
  withDefaultExperimentOrder,
  withDefaultRunOrder,
} from '../search/index.js'
import {
  parseSqlExperimentId,
  sortByKey,
  validateArtifactLocation,
  validateBatch,
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateMetric,
  validateModelInputs,
  validateModelOutputs,
  validateParam,
  validateRunTag,
  type ValidationContext,
} from '../validation.js'
import type { AnyTables, SqlConnection, SqlDialect } from './dialects/sql-dialect.js'
import { insertRows } from './insert-rows.js'
import { writeDatasetInput } from './sql-datasets.js'
import { loadRuns } from './load-runs.js'
import { SqlLoggedModels } from './sql-logged-models.js'
import { SqlTransfer } from './sql-transfer.js'
import {
  isNewerMetric,
  METRIC_KEY_COLUMNS,
  toExperiment,
  toId,
  toMetricRow,
  toNumber,
  toRunInfo,
  toStoredMetric,
} from './rows.js'
import {
  applyExperimentFilter,
  applyExperimentOrder,
  applyRunFilter,
  applyRunOrder,
} from './search-compiler.js'
import type { RunsTable } from './tables.js'

type Db = Kysely<AnyTables> | Transaction<AnyTables>

const RUN_NAME_TAG = 'mlflow.runName'
const WORKSPACE = 'default'
export const DEFAULT_EXPERIMENT_ID = '0'
export const DEFAULT_EXPERIMENT_NAME = 'Default'

export interface SqlStoreOptions {
  /** Absolute artifact root; new experiments get `<root>/<id>`. */
  defaultArtifactRoot: string
  logger: Logger
  truncateLongValues: boolean
  /**
   * `null` when the schema is at the revision trackstore writes; otherwise the error every
   * write throws (reads still work).
   */
  readOnlyReason: SchemaVersionError | null
}

const lifecycleFilter = (viewType: ViewType | undefined): string[] =>
  viewType === 'DELETED_ONLY'
    ? ['deleted']
    : viewType === 'ALL'
      ? ['active', 'deleted']
      : ['active']

export class SqlMetadataStore implements MetadataStore {
  readonly capabilities: StoreCapabilities
  /** Exact reads and writes for the migration toolkit. */
  readonly transfer: StoreTransfer
  readonly #db: Kysely<AnyTables>
  readonly #dialect: SqlDialect
  readonly #connection: SqlConnection
  readonly #options: SqlStoreOptions
  readonly #validation: ValidationContext
  readonly #models: SqlLoggedModels

  constructor(connection: SqlConnection, options: SqlStoreOptions) {
    this.#connection = connection
    this.#db = connection.db
    this.#dialect = connection.dialect
    this.#options = options
    this.#validation = { truncateLongValues: options.truncateLongValues, logger: options.logger }
    this.capabilities = Object.freeze({
      kind: connection.dialect.name,
      canDeleteDefaultExperiment: true,
      experimentIdFormat: 'sequential',
      keepsDuplicateMetricRows: false,
      clampsInfinity: true,
      checksRunTagValueLength: true,
      checksExperimentTagValueLength: true,
      loggedModelMetricHistory: true,
      keepsLoggedModelMetricNaN: false,
    })
    this.#models = new SqlLoggedModels(this.#db, this.#dialect, (what, fn) => this.#write(what, fn))
    this.transfer = new SqlTransfer(this.#db, this.#dialect, () => this.#assertWritable())
  }

  /** Creates the Default experiment (id 0) when the store holds no experiment at all. */
  async initialize(): Promise<void> {
    if (this.#options.readOnlyReason) return
    const any = await this.#db.selectFrom('experiments').select('experiment_id').limit(1).execute()
    if (any.length > 0) return
    const now = Date.now()
    try {
      await this.#db
        .insertInto('experiments')
        .values({
          experiment_id: 0,
          name: DEFAULT_EXPERIMENT_NAME,
          artifact_location: appendToUriPath(this.#options.defaultArtifactRoot, '0'),
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
          workspace: WORKSPACE,
        })
        .execute()
    } catch (error) {
      // Another process created it between our check and our insert.
      const again = await this.#db.selectFrom('experiments').select('experiment_id').execute()
      if (again.length === 0) throw internalError('Could not create the Default experiment', error)
    }
  }

  async close(): Promise<void> {
    await this.#connection.close()
  }

  #assertWritable(): void {
    if (this.#options.readOnlyReason) throw this.#options.readOnlyReason
  }

  /** Runs `fn` in a transaction and turns driver errors into TrackstoreErrors. */
  async #write<T>(what: string, fn: (trx: Transaction<AnyTables>) => Promise<T>): Promise<T> {
    this.#assertWritable()
    try {
      return await this.#db.transaction().execute(fn)
    } catch (error) {
      if (error instanceof TrackstoreError) throw error
      throw internalError(`Failed to ${what}: ${(error as Error)?.message ?? error}`, error)
    }
  }

  // ---------------------------------------------------------------- experiments

  async #experimentRow(db: Db, experimentId: string) {
    const id = parseSqlExperimentId(experimentId)
    const row = await db
      .selectFrom('experiments')
      .selectAll()
      .where('experiment_id', '=', id)
      .executeTakeFirst()
    if (!row) throw notFound(`No Experiment with id=${experimentId} exists`)
    return row
  }

  async #experimentTags(
    db: Db,
    ids: (string | number | bigint)[],
  ): Promise<Map<string, ExperimentTag[]>> {
    const map = new Map<string, ExperimentTag[]>()
    if (ids.length === 0) return map
    const rows = await db
      .selectFrom('experiment_tags')
      .select(['experiment_id', 'key', 'value'])
      .where('experiment_id', 'in', ids)
      .execute()
    for (const row of rows) {
      const id = toId(row.experiment_id)
      const list = map.get(id) ?? []
      list.push({ key: row.key, value: row.value ?? '' })
      map.set(id, list)
    }
    for (const list of map.values()) sortByKey(list)
    return map
  }

  async #nameTaken(db: Db, name: string) {
    return db
      .selectFrom('experiments')
      .select(['experiment_id', 'lifecycle_stage'])
      .where(this.#dialect.compareText(ref('experiments.name'), '=', name))
      .executeTakeFirst()
  }

  async createExperiment(name: string, options: CreateExperimentOptions = {}): Promise<string> {
    validateExperimentName(name)
    validateArtifactLocation(options.artifactLocation)
    const tags = (options.tags ?? []).map((tag) => validateExperimentTag(tag))
    return this.#write('create experiment', async (trx) => {
      if (await this.#nameTaken(trx, name)) {
        throw alreadyExists(`Experiment(name=${name}) already exists.`)
      }
      const now = Date.now()
      const values = {
        name,
        artifact_location: options.artifactLocation ?? null,
        lifecycle_stage: 'active',
        creation_time: now,
        last_update_time: now,
        workspace: WORKSPACE,
      }
      let id: string
      if (this.#dialect.name === 'mysql') {
        const result = await trx.insertInto('experiments').values(values).executeTakeFirst()
        id = toId(result.insertId)
      } else {
        const row = await trx
          .insertInto('experiments')
          .values(values)
          .returning('experiment_id')
          .executeTakeFirstOrThrow()
        id = toId(row.experiment_id)
      }
      if (options.artifactLocation === undefined) {
        await trx
          .updateTable('experiments')
          .set({ artifact_location: appendToUriPath(this.#options.defaultArtifactRoot, id) })
          .where('experiment_id', '=', id)
          .execute()
      }
      const unique = new Map(tags.map((tag) => [tag.key, tag.value]))
      for (const [key, value] of unique) {
        await trx.insertInto('experiment_tags').values({ key, value, experiment_id: id }).execute()
      }
      return id
    })
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const row = await this.#experimentRow(this.#db, experimentId)
    const tags = await this.#experimentTags(this.#db, [row.experiment_id])
    return toExperiment(row, tags.get(toId(row.experiment_id)) ?? [])
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    const row = await this.#db
      .selectFrom('experiments')
      .selectAll()
      .where(this.#dialect.compareText(ref('experiments.name'), '=', name))
      .executeTakeFirst()
    if (!row) return null
    const tags = await this.#experimentTags(this.#db, [row.experiment_id])
    return toExperiment(row, tags.get(toId(row.experiment_id)) ?? [])
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<Page<Experiment>> {
    const maxResults = validateMaxResults(options.maxResults)
    const clauses = parseExperimentFilter(options.filter)
    const order = withDefaultExperimentOrder(parseExperimentOrderBy(options.orderBy))
    const offset = decodePageToken(options.pageToken)
    let query = this.#db
      .selectFrom('experiments')
      .selectAll('experiments')
      .where('experiments.lifecycle_stage', 'in', lifecycleFilter(options.viewType))
    query = applyExperimentFilter(query, clauses, this.#dialect)
    query = applyExperimentOrder(query, order)
    const rows = await query
      .limit(maxResults + 1)
      .offset(offset)
      .execute()
    const page = rows.slice(0, maxResults)
    const tags = await this.#experimentTags(
      this.#db,
      page.map((row) => row.experiment_id),
    )
    return {
      items: page.map((row) => toExperiment(row, tags.get(toId(row.experiment_id)) ?? [])),
      nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults) : null,
    }
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName)
    await this.#write('rename experiment', async (trx) => {
      const row = await this.#experimentRow(trx, experimentId)
      if (row.lifecycle_stage !== 'active') {
        throw invalidParameter(
          `Cannot rename a non-active experiment. Experiment ${experimentId} is deleted.`,
        )
      }
      const taken = await this.#nameTaken(trx, newName)
      if (taken && toId(taken.experiment_id) !== toId(row.experiment_id)) {
        throw alreadyExists(`Experiment(name=${newName}) already exists.`)
      }
      await trx
        .updateTable('experiments')
        .set({ name: newName, last_update_time: Date.now() })
        .where('experiment_id', '=', row.experiment_id)
        .execute()
    })
  }

  async #setExperimentStage(experimentId: string, stage: 'active' | 'deleted'): Promise<void> {
    await this.#write(
      stage === 'deleted' ? 'delete experiment' : 'restore experiment',
      async (trx) => {
        const row = await this.#experimentRow(trx, experimentId)
        // MLflow looks the experiment up among active ones to delete, deleted ones to restore.
        if (row.lifecycle_stage === stage) {
          throw notFound(`No Experiment with id=${experimentId} exists`)
        }
        const now = Date.now()
        await trx
          .updateTable('experiments')
          .set({ lifecycle_stage: stage, last_update_time: now })
          .where('experiment_id', '=', row.experiment_id)
          .execute()
        await trx
          .updateTable('runs')
          .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now : null })
          .where('experiment_id', '=', row.experiment_id)
          .where('lifecycle_stage', '=', stage === 'deleted' ? 'active' : 'deleted')
          .execute()
      },
    )
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.#setExperimentStage(experimentId, 'deleted')
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return this.#setExperimentStage(experimentId, 'active')
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    const { key, value } = validateExperimentTag(tag)
    await this.#write('set experiment tag', async (trx) => {
      const row = await this.#experimentRow(trx, experimentId)
      if (row.lifecycle_stage !== 'active') {
        throw invalidParameter(
          `The experiment ${experimentId} must be in the 'active' state. ` +
            `Current state is ${row.lifecycle_stage}.`,
        )
      }
      const insert = trx
        .insertInto('experiment_tags')
        .values({ key, value, experiment_id: row.experiment_id })
      await this.#dialect.upsert(insert, ['key', 'experiment_id'], ['value']).execute()
    })
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.#write('delete experiment tag', async (trx) => {
      const row = await this.#experimentRow(trx, experimentId)
      if (row.lifecycle_stage !== 'active') {
        throw invalidParameter(
          `The experiment ${experimentId} must be in the 'active' state. ` +
            `Current state is ${row.lifecycle_stage}.`,
        )
      }
      const result = await trx
        .deleteFrom('experiment_tags')
        .where('experiment_id', '=', row.experiment_id)
        .where('key', '=', key)
        .executeTakeFirst()
      if (Number(result.numDeletedRows) === 0) {
        throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`)
      }
    })
  }

  // ---------------------------------------------------------------- runs

  async #runRow(db: Db, runId: string): Promise<RunsTable> {
    const row =
      typeof runId === 'string'
        ? await db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst()
        : undefined
    if (!row) throw notFound(`Run with id=${runId} not found`)
    return row
  }

  async #lockedRunRow(db: Db, runId: string): Promise<RunsTable> {
    if (!this.#dialect.supportsRowLocks) return this.#runRow(db, runId)
    const row = await db
      .selectFrom('runs')
      .selectAll()
      .where('run_uuid', '=', runId)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw notFound(`Run with id=${runId} not found`)
    return row
  }

  /** The run, which must be active; inside a write its row is locked until the commit. */
  async #activeRun(db: Db, runId: string): Promise<RunsTable> {
    const row = db.isTransaction
      ? await this.#lockedRunRow(db, runId)
      : await this.#runRow(db, runId)
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      )
    }
    return row
  }

  async createRun(options: CreateRunOptions): Promise<Run> {
    const tags = (options.tags ?? []).map((tag) => validateRunTag(tag, this.#validation))
    const nameTag = tags.findLast((tag) => tag.key === RUN_NAME_TAG)?.value
    if (options.runName && nameTag !== undefined && options.runName !== nameTag) {
      throw invalidParameter(
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with " +
          `different values (run_name='${options.runName}', mlflow.runName='${nameTag}').`,
      )
    }
    const runName = options.runName || nameTag || generateRunName()
    const runId = randomUUID().replaceAll('-', '')
    const experimentId = options.experimentId ?? '0'
    // A new run has no metrics, params or inputs: it is built from the row written and the tags
    // read back (keys that the database's collation merges stay merged), not loaded again.
    return this.#write('create run', async (trx) => {
      const experiment = await this.#experimentRow(trx, experimentId)
      if (experiment.lifecycle_stage !== 'active') {
        throw invalidParameter(
          `The experiment ${experimentId} must be in the 'active' state. ` +
            `Current state is ${experiment.lifecycle_stage}.`,
        )
      }
      const row: RunsTable = {
        run_uuid: runId,
        name: runName,
        source_type: 'UNKNOWN',
        source_name: '',
        entry_point_name: '',
        user_id: options.userId ?? '',
        status: 'RUNNING',
        start_time: options.startTime ?? Date.now(),
        end_time: null,
        source_version: '',
        lifecycle_stage: 'active',
        artifact_uri: appendToUriPath(experiment.artifact_location ?? '', runId, 'artifacts'),
        experiment_id: experiment.experiment_id,
        deleted_time: null,
      }
      await trx.insertInto('runs').values(row).execute()
      const byKey = new Map(tags.map((tag) => [tag.key, tag.value]))
      byKey.set(RUN_NAME_TAG, runName)
      // The INSERT above already wrote the name: the tag write need not copy it again.
      await this.#upsertTags(
        trx,
        runId,
        [...byKey].map(([key, value]) => ({ key, value })),
        false,
      )
      const stored = await trx
        .selectFrom('tags')
        .select(['key', 'value'])
        .where('run_uuid', '=', runId)
        .execute()
      return {
        info: toRunInfo(row),
        data: {
          metrics: [],
          params: [],
          tags: sortByKey(stored.map(({ key, value }) => ({ key, value: value ?? '' }))),
        },
        inputs: { datasetInputs: [], modelInputs: [] },
        outputs: { modelOutputs: [] },
      }
    })
  }

  async getRun(runId: string): Promise<Run> {
    const row = await this.#runRow(this.#db, runId)
    const [run] = await loadRuns(this.#db, [row])
    return run!
  }

  async updateRunInfo(runId: string, update: UpdateRunInfoOptions): Promise<RunInfo> {
    if (update.status !== undefined && !RUN_STATUSES.includes(update.status)) {
      throw invalidParameter(
        `Invalid run status ${JSON.stringify(update.status)}: expected one of ` +
          RUN_STATUSES.join(', '),
      )
    }
    if (update.runName !== undefined)
      validateRunTag({ key: RUN_NAME_TAG, value: update.runName }, this.#validation)
    await this.#write('update run', async (trx) => {
      await this.#activeRun(trx, runId)
      const set: Partial<RunsTable> = {}
      if (update.status !== undefined) set.status = update.status
      if (update.endTime !== undefined) set.end_time = update.endTime
      if (update.runName) set.name = update.runName
      if (Object.keys(set).length > 0) {
        await trx.updateTable('runs').set(set).where('run_uuid', '=', runId).execute()
      }
      if (update.runName) {
        const tag = { key: RUN_NAME_TAG, value: update.runName }
        await this.#upsertTags(trx, runId, [tag], false)
      }
    })
    return toRunInfo(await this.#runRow(this.#db, runId))
  }

  async #setRunStage(runId: string, stage: 'active' | 'deleted'): Promise<void> {
    await this.#write(stage === 'deleted' ? 'delete run' : 'restore run', async (trx) => {
      const row = await this.#runRow(trx, runId)
      if (row.lifecycle_stage === stage) return
      await trx
        .updateTable('runs')
        .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? Date.now() : null })
        .where('run_uuid', '=', runId)
        .execute()
    })
  }

  deleteRun(runId: string): Promise<void> {
    return this.#setRunStage(runId, 'deleted')
  }

  restoreRun(runId: string): Promise<void> {
    return this.#setRunStage(runId, 'active')
  }

  // ---------------------------------------------------------------- metrics, params, tags

  async logMetric(runId: string, metric: Metric): Promise<void> {
    const validated = validateMetric(metric)
    await this.#write('log metric', async (trx) => {
      const run = await this.#activeRun(trx, runId)
      await this.#insertMetrics(trx, runId, [validated])
      await this.#models.insertMetrics(trx, runId, run.experiment_id!, [validated])
    })
  }

  /** Inserts metric rows (exact duplicates skipped) and moves latest_metrics forward. */
  async #insertMetrics(
    trx: Transaction<AnyTables>,
    runId: string,
    metrics: (Metric & { step: number })[],
  ): Promise<void> {
    if (metrics.length === 0) return
    const rows = metrics.map((metric) => toMetricRow(this.#dialect, runId, metric))
    await insertRows(trx, this.#dialect, 'metrics', rows, {
      kind: 'ignore',
      keys: METRIC_KEY_COLUMNS,
    })
    // The greatest (step, timestamp, value) of each key in this write…
    const newest = new Map<string, (typeof rows)[number]>()
    for (const row of rows) {
      const current = newest.get(row.key)
      if (!current || isNewerMetric(row, current)) newest.set(row.key, row)
    }
    // …replaces the stored latest value only when it is strictly greater.
    const stored = await trx
      .selectFrom('latest_metrics')
      .select(['key', 'value', 'timestamp', 'step'])
      .where('run_uuid', '=', runId)
      .where('key', 'in', [...newest.keys()])
      .execute()
    const storedByKey = new Map(stored.map((row) => [row.key, row]))
    const updates = [...newest.values()].filter((row) => {
      const current = storedByKey.get(row.key)
      return (
        !current ||
        isNewerMetric(row, {
          step: toNumber(current.step) ?? 0,
          timestamp: toNumber(current.timestamp) ?? 0,
          value: Number(current.value),
        })
      )
    })
    await insertRows(trx, this.#dialect, 'latest_metrics', updates, {
      kind: 'update',
      keys: ['key', 'run_uuid'],
      columns: ['value', 'timestamp', 'step', 'is_nan'],
    })
  }

  async #insertParams(trx: Transaction<AnyTables>, runId: string, params: Param[]) {
    if (params.length === 0) return
    const existing = await trx
      .selectFrom('params')
      .select(['key', 'value'])
      .where('run_uuid', '=', runId)
      .where(
        'key',
        'in',
        params.map((param) => param.key),
      )
      .execute()
    const existingByKey = new Map(existing.map((row) => [row.key, row.value]))
    const conflicts = params.filter(
      (param) => existingByKey.has(param.key) && existingByKey.get(param.key) !== param.value,
    )
    if (conflicts.length === 1 && params.length === 1) {
      const [param] = conflicts
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${param!.key}' was already ` +
          `logged with value='${existingByKey.get(param!.key)}' for run ID='${runId}'. ` +
          `Attempted logging new value '${param!.value}'.`,
      )
    }
    if (conflicts.length > 0) {
      const described = conflicts.map(
        (param) =>
          `{'key': '${param.key}', 'old_value': '${existingByKey.get(param.key)}', ` +
          `'new_value': '${param.value}'}`,
      )
      throw invalidParameter(
        `Changing param values is not allowed. Params were already logged='[${described.join(
          ', ',
        )}]' for run ID='${runId}'.`,
      )
    }
    const fresh = params.filter((param) => !existingByKey.has(param.key))
    const rows = [...new Map(fresh.map((param) => [param.key, param.value]))].map(
      ([key, value]) => ({ key, value, run_uuid: runId }),
    )
    await insertRows(trx, this.#dialect, 'params', rows, {
      kind: 'ignore',
      keys: ['key', 'run_uuid'],
    })
  }

  /**
   * Upserts tags (the last value of a key wins). Unless the caller has just written the name
   * itself, a `mlflow.runName` tag also sets runs.name, keeping the two in step.
   */
  async #upsertTags(
    trx: Transaction<AnyTables>,
    runId: string,
    tags: RunTag[],
    syncRunName = true,
  ) {
    if (tags.length === 0) return
    const byKey = new Map(tags.map((tag) => [tag.key, tag.value]))
    const rows = [...byKey].map(([key, value]) => ({ key, value, run_uuid: runId }))
    await insertRows(trx, this.#dialect, 'tags', rows, {
      kind: 'update',
      keys: ['key', 'run_uuid'],
      columns: ['value'],
    })
    const runName = byKey.get(RUN_NAME_TAG)
    if (syncRunName && runName !== undefined) {
      await trx.updateTable('runs').set({ name: runName }).where('run_uuid', '=', runId).execute()
    }
  }

  async logParam(runId: string, param: Param): Promise<void> {
    const validated = validateParam(param, this.#validation)
    await this.#write('log param', async (trx) => {
      await this.#activeRun(trx, runId)
      await this.#insertParams(trx, runId, [validated])
    })
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    const validated = validateRunTag(tag, this.#validation)
    await this.#write('set tag', async (trx) => {
      await this.#activeRun(trx, runId)
      await this.#upsertTags(trx, runId, [validated])
    })
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.#write('delete tag', async (trx) => {
      await this.#activeRun(trx, runId)
      const result = await trx
        .deleteFrom('tags')
        .where('run_uuid', '=', runId)
        .where('key', '=', key)
        .executeTakeFirst()
      if (Number(result.numDeletedRows) === 0) {
        throw notFound(`No tag with name: ${key} in run with id ${runId}`)
      }
    })
  }

  async logBatch(runId: string, batch: LogBatchOptions): Promise<void> {
    const { metrics, params, tags } = validateBatch(batch, this.#validation)
    await this.#write('log batch', async (trx) => {
      const run = await this.#activeRun(trx, runId)
      // Params first: a conflicting param aborts the whole batch before anything is written.
      await this.#insertParams(trx, runId, params)
      await this.#insertMetrics(trx, runId, metrics)
      await this.#models.insertMetrics(trx, runId, run.experiment_id!, metrics)
      await this.#upsertTags(trx, runId, tags)
    })
  }

  async getMetricHistory(
    runId: string,
    key: string,
    options: MetricHistoryOptions = {},
  ): Promise<Page<StoredMetric>> {
    await this.#runRow(this.#db, runId)
    const offset = decodePageToken(options.pageToken)
    const { maxResults } = options
    if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0)) {
      throw invalidParameter(
        `Invalid value ${maxResults} for parameter 'max_results' supplied. ` +
          'It must be a non-negative integer',
      )
    }
    if (maxResults === 0) return { items: [], nextPageToken: null }
    let query = this.#db
      .selectFrom('metrics')
      .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
      .where('run_uuid', '=', runId)
      .where('key', '=', key)
      .orderBy('timestamp')
      .orderBy('step')
      .orderBy('value')
    if (maxResults !== undefined) query = query.limit(maxResults + 1)
    if (offset > 0)
      query =
        maxResults === undefined ? query.limit(2 ** 53 - 1).offset(offset) : query.offset(offset)
    const rows = await query.execute()
    const page = maxResults === undefined ? rows : rows.slice(0, maxResults)
    return {
      items: page.map(toStoredMetric),
      nextPageToken:
        maxResults !== undefined && rows.length > maxResults
          ? encodePageToken(offset + maxResults)
          : null,
    }
  }

  // ---------------------------------------------------------------- search

  async searchRuns(options: SearchRunsOptions): Promise<Page<Run>> {
    const maxResults = validateMaxResults(options.maxResults)
    const clauses = parseRunFilter(options.filter)
    const order = withDefaultRunOrder(parseRunOrderBy(options.orderBy))
    const offset = decodePageToken(options.pageToken)
    const experimentIds = (options.experimentIds ?? []).map((id) => parseSqlExperimentId(id))
    if (experimentIds.length === 0) return { items: [], nextPageToken: null }
    let query = this.#db
      .selectFrom('runs')
      .selectAll('runs')
      .where('runs.experiment_id', 'in', experimentIds)
      .where('runs.lifecycle_stage', 'in', lifecycleFilter(options.viewType))
    query = applyRunFilter(query, clauses, this.#dialect)
    query = applyRunOrder(query, order)
    const rows = (await query
      .limit(maxResults + 1)
      .offset(offset)
      .execute()) as RunsTable[]
    const page = rows.slice(0, maxResults)
    return {
      items: await loadRuns(this.#db, page),
      nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults) : null,
    }
  }

  // ---------------------------------------------------------------- datasets

  async logInputs(runId: string, datasets?: DatasetInput[], models?: ModelInput[]): Promise<void> {
    const inputs = validateDatasetInputs(datasets)
    const modelIds = validateModelInputs(models)
    if (inputs.length === 0 && modelIds.length === 0) {
      await this.#activeRun(this.#db, runId)
      return
    }
    await this.#write('log inputs', async (trx) => {
      const run = await this.#activeRun(trx, runId)
      await this.#models.insertModelInputs(
        trx,
        runId,
        modelIds.map((modelId) => ({ modelId })),
      )
      for (const input of inputs) {
        await writeDatasetInput(trx, this.#dialect, run.experiment_id!, runId, input, true)
      }
    })
  }

  async logOutputs(runId: string, models: ModelOutput[]): Promise<void> {
    const outputs = validateModelOutputs(models)
    await this.#write('log outputs', async (trx) => {
      await this.#activeRun(trx, runId)
      await this.#models.insertModelOutputs(trx, runId, outputs)
    })
  }

  // ---------------------------------------------------------------- logged models

  createLoggedModel(options: CreateLoggedModelOptions): Promise<LoggedModel> {
    return this.#models.create(options)
  }

  getLoggedModel(modelId: string): Promise<LoggedModel> {
    return this.#models.get(modelId)
  }

  searchLoggedModels(options: SearchLoggedModelsOptions): Promise<Page<LoggedModel>> {
    return this.#models.search(options)
  }

  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.#models.finalize(modelId, status)
  }

  deleteLoggedModel(modelId: string): Promise<void> {
    return this.#models.delete(modelId)
  }

  setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void> {
    return this.#models.setTags(modelId, tags)
  }

  deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    return this.#models.deleteTag(modelId, key)
  }

  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void> {
    return this.#models.logParams(modelId, params)
  }
}

function ref(column: string) {
  return sql.ref(column)
}
