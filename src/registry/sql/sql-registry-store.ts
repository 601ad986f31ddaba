/**
 * The model registry over MLflow's SQL tables (`registered_models`, `model_versions`,
 * `registered_model_tags`, `model_version_tags`, `registered_model_aliases`, all in workspace
 * `default`), on SQLite, PostgreSQL and MySQL, as MLflow's SqlAlchemyStore writes them. Renames
 * rely on the schema's ON UPDATE CASCADE foreign keys; deleted versions are kept as
 * `Deleted_Internal` rows with their fields redacted, so their numbers are never reused.
 */
import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely'
import { TrackstoreError, alreadyExists, internalError } from '../../core/errors.js'
import type { SchemaVersionError } from '../../core/errors.js'
import type { KeyValue, Page } from '../../metadata/metadata-store.js'
import {
  MODEL_VERSION_MAX_RESULTS,
  REGISTERED_MODEL_MAX_RESULTS,
  decodePageToken,
  encodePageToken,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  validateRegistryMaxResults,
  type ModelVersionClause,
  type ModelVersionOrderField,
  type RegistryOrderKey,
} from '../../metadata/search/index.js'
import type {
  AnyTables,
  SqlConnection,
  SqlDialect,
} from '../../metadata/sql/dialects/sql-dialect.js'
import { toNumber } from '../../metadata/sql/rows.js'
import type { ModelVersionsTable, RegisteredModelsTable } from '../../metadata/sql/tables.js'
import { sortByKey } from '../../metadata/validation.js'
import {
  STAGE_DELETED_INTERNAL,
  WORKSPACE,
  aliasNotFound,
  canonicalStage,
  checkArchiveExisting,
  latestVersions,
  modelVersionNotFound,
  parseModelsUri,
  registeredModelNotFound,
  validateAlias,
  validateModelName,
  validateRegistryTag,
  validateVersion,
} from '../registry-rules.js'
import type {
  CreateModelVersionOptions,
  CreateRegisteredModelOptions,
  ModelRegistryStore,
  ModelVersion,
  ModelVersionStage,
  RegisteredModel,
  RegistryCapabilities,
  RegistrySearchOptions,
} from '../registry-store.js'

import { SqlRegistryTransfer } from './sql-registry-transfer.js'

type Db = Kysely<AnyTables> | Transaction<AnyTables>

const VERSION_COLUMNS: Record<ModelVersionOrderField, string> = {
  name: 'name',
  version_number: 'version',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
}

export interface SqlRegistryOptions {
  /** `null` when the schema is at trackstore's revision; otherwise what every write throws. */
  readOnlyReason: SchemaVersionError | null
}

export class SqlModelRegistryStore implements ModelRegistryStore {
  readonly capabilities: RegistryCapabilities
  readonly transfer: SqlRegistryTransfer
  readonly #db: Kysely<AnyTables>
  readonly #dialect: SqlDialect

  constructor(
    readonly connection: SqlConnection,
    private readonly options: SqlRegistryOptions,
  ) {
    this.#db = connection.db
    this.#dialect = connection.dialect
    this.capabilities = Object.freeze({
      kind: connection.dialect.name,
      persistsModelVersionModelId: false,
    })
    this.transfer = new SqlRegistryTransfer(this.#db, this.#dialect, () => {
      if (this.options.readOnlyReason) throw this.options.readOnlyReason
    })
  }

  async close(): Promise<void> {
    await this.connection.close()
  }

  async #write<T>(what: string, fn: (trx: Transaction<AnyTables>) => Promise<T>): Promise<T> {
    if (this.options.readOnlyReason) throw this.options.readOnlyReason
    try {
      return await this.#db.transaction().execute(fn)
    } catch (error) {
      if (error instanceof TrackstoreError) throw error
      throw internalError(`Failed to ${what}: ${(error as Error)?.message ?? error}`, error)
    }
  }

  #nameIs(name: string) {
    return this.#dialect.compareText(sql.ref('name'), '=', name)
  }

  async #modelRow(db: Db, name: string): Promise<RegisteredModelsTable> {
    validateModelName(name)
    const row = await db
      .selectFrom('registered_models')
      .selectAll()
      .where('workspace', '=', WORKSPACE)
      .where(this.#nameIs(name))
      .executeTakeFirst()
    if (!row) throw registeredModelNotFound(name)
    return row
  }

  async #versionRow(db: Db, name: string, version: string): Promise<ModelVersionsTable> {
    const row = await db
      .selectFrom('model_versions')
      .selectAll()
      .where('workspace', '=', WORKSPACE)
      .where(this.#nameIs(name))
      .where('version', '=', Number(version))
      .executeTakeFirst()
    if (!row || row.current_stage === STAGE_DELETED_INTERNAL) {
      throw modelVersionNotFound(name, version)
    }
    return row
  }

  /** Versions with their tags and aliases, keeping the rows' order. */
  async #loadVersions(db: Db, rows: ModelVersionsTable[]): Promise<ModelVersion[]> {
    if (rows.length === 0) return []
    const names = [...new Set(rows.map((row) => row.name))]
    const [tags, aliases] = await Promise.all([
      db
        .selectFrom('model_version_tags')
        .selectAll()
        .where('workspace', '=', WORKSPACE)
        .where('name', 'in', names)
        .execute(),
      db
        .selectFrom('registered_model_aliases')
        .selectAll()
        .where('workspace', '=', WORKSPACE)
        .where('name', 'in', names)
        .execute(),
    ])
    const id = (name: string, version: number | string) => `${name}\u0000${Number(version)}`
    const tagMap = new Map<string, KeyValue[]>()
    for (const tag of tags) {
      const key = id(tag.name, tag.version)
      tagMap.set(key, [...(tagMap.get(key) ?? []), { key: tag.key, value: tag.value ?? '' }])
    }
    const aliasMap = new Map<string, string[]>()
    for (const alias of aliases) {
      const key = id(alias.name, alias.version)
      aliasMap.set(key, [...(aliasMap.get(key) ?? []), alias.alias])
    }
    return rows.map((row) => ({
      name: row.name,
      version: String(Number(row.version)),
      creationTimestamp: toNumber(row.creation_time),
      lastUpdatedTimestamp: toNumber(row.last_updated_time),
      userId: row.user_id,
      currentStage: canonicalStage(row.current_stage ?? 'None'),
      description: row.description,
      source: row.source,
      runId: row.run_id,
      runLink: row.run_link,
      status: row.status,
      statusMessage: row.status_message,
      storageLocation: row.storage_location,
      modelId: null,
      tags: sortByKey(tagMap.get(id(row.name, row.version)) ?? []),
      aliases: (aliasMap.get(id(row.name, row.version)) ?? []).sort(),
    }))
  }

  async #loadModels(db: Db, rows: RegisteredModelsTable[]): Promise<RegisteredModel[]> {
    if (rows.length === 0) return []
    const names = rows.map((row) => row.name)
    const [tags, aliases, versionRows] = await Promise.all([
      db
        .selectFrom('registered_model_tags')
        .selectAll()
        .where('workspace', '=', WORKSPACE)
        .where('name', 'in', names)
        .execute(),
      db
        .selectFrom('registered_model_aliases')
        .selectAll()
        .where('workspace', '=', WORKSPACE)
        .where('name', 'in', names)
        .execute(),
      db
        .selectFrom('model_versions')
        .selectAll()
        .where('workspace', '=', WORKSPACE)
        .where('name', 'in', names)
        .where('current_stage', '!=', STAGE_DELETED_INTERNAL)
        .execute(),
    ])
    const versions = await this.#loadVersions(db, versionRows)
    return rows.map((row) => ({
      name: row.name,
      creationTimestamp: toNumber(row.creation_time),
      lastUpdatedTimestamp: toNumber(row.last_updated_time),
      description: row.description,
      tags: sortByKey(
        tags
          .filter((tag) => tag.name === row.name)
          .map((tag) => ({ key: tag.key, value: tag.value ?? '' })),
      ),
      aliases: aliases
        .filter((alias) => alias.name === row.name)
        .map((alias) => ({ alias: alias.alias, version: String(Number(alias.version)) }))
        .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0)),
      latestVersions: latestVersions(versions.filter((version) => version.name === row.name)),
    }))
  }

  async #touch(trx: Transaction<AnyTables>, name: string, now: number): Promise<void> {
    await trx
      .updateTable('registered_models')
      .set({ last_updated_time: now })
      .where('workspace', '=', WORKSPACE)
      .where(this.#nameIs(name))
      .execute()
  }

  // ---------------------------------------------------------------- registered models

  async createRegisteredModel(
    name: string,
    options: CreateRegisteredModelOptions = {},
  ): Promise<RegisteredModel> {
    validateModelName(name)
    const tags = new Map(
      (options.tags ?? []).map((tag) => [validateRegistryTag(tag).key, tag.value]),
    )
    await this.#write('create registered model', async (trx) => {
      const taken = await trx
        .selectFrom('registered_models')
        .select('name')
        .where('workspace', '=', WORKSPACE)
        .where(this.#nameIs(name))
        .executeTakeFirst()
      if (taken) throw alreadyExists(`Registered Model (name=${name}) already exists.`)
      const now = Date.now()
      await trx
        .insertInto('registered_models')
        .values({
          name,
          creation_time: now,
          last_updated_time: now,
          description: options.description ?? null,
          workspace: WORKSPACE,
        })
        .execute()
      if (tags.size > 0) {
        await trx
          .insertInto('registered_model_tags')
          .values([...tags].map(([key, value]) => ({ key, value, name, workspace: WORKSPACE })))
          .execute()
      }
    })
    return this.getRegisteredModel(name)
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const [model] = await this.#loadModels(this.#db, [await this.#modelRow(this.#db, name)])
    return model!
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(newName, 'new_name')
    await this.#write('rename registered model', async (trx) => {
      await this.#modelRow(trx, name)
      if (newName !== name) {
        const taken = await trx
          .selectFrom('registered_models')
          .select('name')
          .where('workspace', '=', WORKSPACE)
          .where(this.#nameIs(newName))
          .executeTakeFirst()
        if (taken) throw alreadyExists(`Registered Model (name=${newName}) already exists.`)
      }
      const now = Date.now()
      // The foreign keys cascade the new name to versions, tags and aliases.
      await trx
        .updateTable('registered_models')
        .set({ name: newName, last_updated_time: now })
        .where('workspace', '=', WORKSPACE)
        .where(this.#nameIs(name))
        .execute()
      await trx
        .updateTable('model_versions')
        .set({ last_updated_time: now })
        .where('workspace', '=', WORKSPACE)
        .where(this.#nameIs(newName))
        .execute()
    })
    return this.getRegisteredModel(newName)
  }

  async updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel> {
    await this.#write('update registered model', async (trx) => {
      await this.#modelRow(trx, name)
      await trx
        .updateTable('registered_models')
        .set({ description, last_updated_time: Date.now() })
        .where('workspace', '=', WORKSPACE)
        .where(this.#nameIs(name))
        .execute()
    })
    return this.getRegisteredModel(name)
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.#write('delete registered model', async (trx) => {
      const row = await this.#modelRow(trx, name)
      for (const table of [
        'model_version_tags',
        'registered_model_aliases',
        'model_versions',
        'registered_model_tags',
        'registered_models',
      ] as const) {
        await trx
          .deleteFrom(table)
          .where('workspace', '=', WORKSPACE)
          .where('name', '=', row.name)
          .execute()
      }
    })
  }

  async searchRegisteredModels(
    options: RegistrySearchOptions = {},
  ): Promise<Page<RegisteredModel>> {
    const maxResults = validateRegistryMaxResults(options.maxResults, REGISTERED_MODEL_MAX_RESULTS)
    const clauses = parseRegisteredModelFilter(options.filter)
    const order = parseRegisteredModelOrderBy(options.orderBy)
    const offset = decodePageToken(options.pageToken)
    let query = this.#db
      .selectFrom('registered_models as rm')
      .selectAll('rm')
      .where('rm.workspace', '=', WORKSPACE)
    for (const clause of clauses) {
      if (clause.type === 'attribute') {
        query = query.where(
          this.#dialect.compareText(sql.ref('rm.name'), clause.comparator, clause.value),
        )
      } else {
        const match = this.#dialect.compareText(sql.ref('t.value'), clause.comparator, clause.value)
        query = query.where(
          sql<SqlBool>`EXISTS (SELECT 1 FROM registered_model_tags t
            WHERE t.workspace = rm.workspace
            AND t.name = rm.name AND t.key = ${clause.key} AND ${match})`,
        )
      }
    }
    query = applyOrder(query, 'rm', order)
    const rows = (await query
      .limit(maxResults + 1)
      .offset(offset)
      .execute()) as RegisteredModelsTable[]
    return {
      items: await this.#loadModels(this.#db, rows.slice(0, maxResults)),
      nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults) : null,
    }
  }

  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    await this.#modelRow(this.#db, name)
    const rows = await this.#db
      .selectFrom('model_versions')
      .selectAll()
      .where('workspace', '=', WORKSPACE)
      .where(this.#nameIs(name))
      .where('current_stage', '!=', STAGE_DELETED_INTERNAL)
      .execute()
    return latestVersions(await this.#loadVersions(this.#db, rows), stages)
  }

  async setRegisteredModelTag(name: string, tag: KeyValue): Promise<void> {
    const valid = validateRegistryTag(tag)
    await this.#write('set registered model tag', async (trx) => {
      const row = await this.#modelRow(trx, name)
      const insert = trx
        .insertInto('registered_model_tags')
        .values({ ...valid, name: row.name, workspace: WORKSPACE })
      await this.#dialect.upsert(insert, ['workspace', 'key', 'name'], ['value']).execute()
    })
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.#write('delete registered model tag', async (trx) => {
      const row = await this.#modelRow(trx, name)
      await trx
        .deleteFrom('registered_model_tags')
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', row.name)
        .where('key', '=', key)
        .execute()
    })
  }

  // ---------------------------------------------------------------- model versions

  async createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion> {
    const { name, source } = options
    validateModelName(name)
    validateModelName(source, 'source')
    const tags = new Map(
      (options.tags ?? []).map((tag) => [validateRegistryTag(tag).key, tag.value]),
    )
    const referenced = parseModelsUri(source)
    const storageLocation = referenced
      ? await this.getModelVersionDownloadUri(referenced.name, referenced.version)
      : source
    const version = await this.#write('create model version', async (trx) => {
      const model = await this.#modelRow(trx, name)
      const last = await trx
        .selectFrom('model_versions')
        .select(sql<number | string | null>`MAX(version)`.as('max'))
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', model.name)
        .executeTakeFirst()
      const next = (toNumber(last?.max ?? null) ?? 0) + 1
      const now = Date.now()
      await trx
        .insertInto('model_versions')
        .values({
          name: model.name,
          version: next,
          creation_time: now,
          last_updated_time: now,
          description: options.description ?? null,
          user_id: null,
          current_stage: 'None',
          source,
          run_id: options.runId ?? null,
          status: 'READY',
          status_message: null,
          run_link: options.runLink ?? null,
          storage_location: storageLocation,
          workspace: WORKSPACE,
        })
        .execute()
      if (tags.size > 0) {
        await trx
          .insertInto('model_version_tags')
          .values(
            [...tags].map(([key, value]) => ({
              key,
              value,
              name: model.name,
              version: next,
              workspace: WORKSPACE,
            })),
          )
          .execute()
      }
      await this.#touch(trx, model.name, now)
      return String(next)
    })
    return this.getModelVersion(name, version)
  }

  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    validateModelName(name)
    const row = await this.#versionRow(this.#db, name, validateVersion(version))
    const [loaded] = await this.#loadVersions(this.#db, [row])
    return loaded!
  }

  async updateModelVersion(
    name: string,
    version: string | number,
    description: string | null,
  ): Promise<ModelVersion> {
    validateModelName(name)
    const number = validateVersion(version)
    await this.#write('update model version', async (trx) => {
      await this.#versionRow(trx, name, number)
      await trx
        .updateTable('model_versions')
        .set({ description, last_updated_time: Date.now() })
        .where('workspace', '=', WORKSPACE)
        .where(this.#nameIs(name))
        .where('version', '=', Number(number))
        .execute()
    })
    return this.getModelVersion(name, number)
  }

  async transitionModelVersionStage(
    name: string,
    version: string | number,
    stage: string,
    archiveExistingVersions = false,
  ): Promise<ModelVersion> {
    validateModelName(name)
    const number = validateVersion(version)
    const target: ModelVersionStage = canonicalStage(stage)
    checkArchiveExisting(target, archiveExistingVersions)
    await this.#write('transition model version stage', async (trx) => {
      await this.#versionRow(trx, name, number)
      const now = Date.now()
      if (archiveExistingVersions) {
        await trx
          .updateTable('model_versions')
          .set({ current_stage: 'Archived', last_updated_time: now })
          .where('workspace', '=', WORKSPACE)
          .where(this.#nameIs(name))
          .where('version', '!=', Number(number))
          .where('current_stage', '=', target)
          .execute()
      }
      await trx
        .updateTable('model_versions')
        .set({ current_stage: target, last_updated_time: now })
        .where('workspace', '=', WORKSPACE)
        .where(this.#nameIs(name))
        .where('version', '=', Number(number))
        .execute()
      await this.#touch(trx, name, now)
    })
    return this.getModelVersion(name, number)
  }

  async deleteModelVersion(name: string, version: string | number): Promise<void> {
    validateModelName(name)
    const number = validateVersion(version)
    await this.#write('delete model version', async (trx) => {
      const row = await this.#versionRow(trx, name, number)
      const now = Date.now()
      await trx
        .deleteFrom('registered_model_aliases')
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', row.name)
        .where('version', '=', Number(number))
        .execute()
      // MLflow keeps the row (so the number is never reused) with its fields redacted.
      await trx
        .updateTable('model_versions')
        .set({
          current_stage: STAGE_DELETED_INTERNAL,
          last_updated_time: now,
          description: null,
          user_id: null,
          source: 'REDACTED-SOURCE-PATH',
          run_id: 'REDACTED-RUN-ID',
          run_link: 'REDACTED-RUN-LINK',
          status_message: null,
        })
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', row.name)
        .where('version', '=', Number(number))
        .execute()
      await this.#touch(trx, row.name, now)
    })
  }

  async searchModelVersions(options: RegistrySearchOptions = {}): Promise<Page<ModelVersion>> {
    const maxResults = validateRegistryMaxResults(options.maxResults, MODEL_VERSION_MAX_RESULTS)
    const clauses = parseModelVersionFilter(options.filter)
    const order = parseModelVersionOrderBy(options.orderBy)
    const offset = decodePageToken(options.pageToken)
    let query = this.#db
      .selectFrom('model_versions as mv')
      .selectAll('mv')
      .where('mv.workspace', '=', WORKSPACE)
      .where('mv.current_stage', '!=', STAGE_DELETED_INTERNAL)
    for (const clause of clauses) query = query.where(this.#versionClause(clause))
    query = applyOrder(query, 'mv', order)
    const rows = (await query
      .limit(maxResults + 1)
      .offset(offset)
      .execute()) as ModelVersionsTable[]
    return {
      items: await this.#loadVersions(this.#db, rows.slice(0, maxResults)),
      nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults) : null,
    }
  }

  #versionClause(clause: ModelVersionClause) {
    if (clause.type === 'tag') {
      const match = this.#dialect.compareText(sql.ref('t.value'), clause.comparator, clause.value)
      return sql<SqlBool>`EXISTS (SELECT 1 FROM model_version_tags t
        WHERE t.workspace = mv.workspace
        AND t.name = mv.name AND t.version = mv.version AND t.key = ${clause.key} AND ${match})`
    }
    if ('values' in clause) {
      if (clause.values.length === 0) return sql<SqlBool>`1 = 0`
      return sql<SqlBool>`mv.run_id IN (${sql.join(clause.values.map((value) => sql`${value}`))})`
    }
    if (clause.key === 'version_number') {
      return sql<SqlBool>`mv.version ${sql.raw(clause.comparator)} ${clause.value}`
    }
    const column = clause.key === 'source_path' ? 'mv.source' : `mv.${clause.key}`
    return this.#dialect.compareText(sql.ref(column), clause.comparator, clause.value)
  }

  async getModelVersionDownloadUri(name: string, version: string | number): Promise<string> {
    const found = await this.getModelVersion(name, version)
    return found.storageLocation || found.source || ''
  }

  async setModelVersionTag(name: string, version: string | number, tag: KeyValue): Promise<void> {
    const valid = validateRegistryTag(tag)
    validateModelName(name)
    const number = validateVersion(version)
    await this.#write('set model version tag', async (trx) => {
      const row = await this.#versionRow(trx, name, number)
      const insert = trx.insertInto('model_version_tags').values({
        ...valid,
        name: row.name,
        version: Number(number),
        workspace: WORKSPACE,
      })
      await this.#dialect
        .upsert(insert, ['workspace', 'key', 'name', 'version'], ['value'])
        .execute()
    })
  }

  async deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void> {
    validateModelName(name)
    const number = validateVersion(version)
    await this.#write('delete model version tag', async (trx) => {
      const row = await this.#versionRow(trx, name, number)
      await trx
        .deleteFrom('model_version_tags')
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', row.name)
        .where('version', '=', Number(number))
        .where('key', '=', key)
        .execute()
    })
  }

  async setRegisteredModelAlias(
    name: string,
    alias: string,
    version: string | number,
  ): Promise<void> {
    validateModelName(name)
    validateAlias(alias)
    const number = validateVersion(version)
    await this.#write('set registered model alias', async (trx) => {
      const row = await this.#versionRow(trx, name, number)
      const insert = trx.insertInto('registered_model_aliases').values({
        alias,
        version: Number(number),
        name: row.name,
        workspace: WORKSPACE,
      })
      await this.#dialect.upsert(insert, ['workspace', 'name', 'alias'], ['version']).execute()
    })
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateAlias(alias)
    await this.#write('delete registered model alias', async (trx) => {
      const row = await this.#modelRow(trx, name)
      await trx
        .deleteFrom('registered_model_aliases')
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', row.name)
        .where('alias', '=', alias)
        .execute()
    })
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateAlias(alias)
    const model = await this.#modelRow(this.#db, name)
    const row = await this.#db
      .selectFrom('registered_model_aliases')
      .select('version')
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', model.name)
      .where('alias', '=', alias)
      .executeTakeFirst()
    if (!row) throw aliasNotFound(alias)
    return this.getModelVersion(model.name, String(row.version))
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applyOrder<Q extends { orderBy: (...args: any[]) => Q }>(
  query: Q,
  table: string,
  keys: RegistryOrderKey<ModelVersionOrderField>[],
): Q {
  let q = query
  for (const key of keys) {
    const column = sql.ref(`${table}.${VERSION_COLUMNS[key.key]}`)
    q = q
      .orderBy(sql`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`)
      .orderBy(sql`${column} ${sql.raw(key.ascending ? 'ASC' : 'DESC')}`)
  }
  return q
}
