/**
 * The registry's transfer facet over MLflow's SQL tables (workspace `default`): registered
 * models in name order with every version (`Deleted_Internal` ones too), written exactly, one
 * transaction a registered model. MLflow's SQL schema has no column for a version's model id.
 */
import type { Kysely } from 'kysely'
import type { PutOutcome, TransferReadOptions } from '../../metadata/transfer.js'
import type { AnyTables, SqlDialect } from '../../metadata/sql/dialects/sql-dialect.js'
import { chunkRows, toNumber } from '../../metadata/sql/rows.js'
import { sortByKey } from '../../metadata/validation.js'
import { STAGE_DELETED_INTERNAL, WORKSPACE, canonicalStage } from '../registry-rules.js'
import type {
  RegistryTransfer,
  TransferModelVersion,
  TransferRegisteredModel,
} from '../registry-transfer.js'

const MODEL_PAGE = 100
const byCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export class SqlRegistryTransfer implements RegistryTransfer {
  readonly persistsModelVersionModelId = false
  readonly #db: Kysely<AnyTables>
  readonly #dialect: SqlDialect
  readonly #assertWritable: () => void

  constructor(db: Kysely<AnyTables>, dialect: SqlDialect, assertWritable: () => void) {
    this.#db = db
    this.#dialect = dialect
    this.#assertWritable = assertWritable
  }

  async *registeredModels(_options?: TransferReadOptions): AsyncIterable<TransferRegisteredModel> {
    let after: string | null = null
    for (;;) {
      let query = this.#db
        .selectFrom('registered_models')
        .selectAll()
        .where('workspace', '=', WORKSPACE)
        .orderBy('name')
        .limit(MODEL_PAGE)
      if (after !== null) query = query.where('name', '>', after)
      const rows = await query.execute()
      if (rows.length === 0) return
      const names = rows.map((row) => row.name)
      const inNames = <T extends keyof AnyTables & string>(table: T) =>
        this.#db
          .selectFrom(table)
          .selectAll()
          .where('workspace', '=', WORKSPACE)
          .where('name', 'in', names)
          .execute() as Promise<Record<string, unknown>[]>
      const [tags, aliases, versions, versionTags] = await Promise.all([
        inNames('registered_model_tags'),
        inNames('registered_model_aliases'),
        inNames('model_versions'),
        inNames('model_version_tags'),
      ])
      const text = (value: unknown): string | null =>
        value === null || value === undefined ? null : String(value)
      const models = rows.map((row) => ({
        name: row.name,
        creationTimestamp: toNumber(row.creation_time),
        lastUpdatedTimestamp: toNumber(row.last_updated_time),
        description: row.description,
        tags: sortByKey(
          tags
            .filter((tag) => tag.name === row.name)
            .map((tag) => ({ key: String(tag.key), value: text(tag.value) ?? '' })),
        ),
        aliases: aliases
          .filter((alias) => alias.name === row.name)
          .map((alias) => ({ alias: String(alias.alias), version: String(Number(alias.version)) }))
          .sort((a, b) => byCodePoints(a.alias, b.alias)),
        versions: versions
          .filter((version) => version.name === row.name)
          .sort((a, b) => Number(a.version) - Number(b.version))
          .map((version): TransferModelVersion => {
            const stage = text(version.current_stage) ?? 'None'
            const deleted = stage === STAGE_DELETED_INTERNAL
            return {
              name: row.name,
              version: String(Number(version.version)),
              creationTimestamp: toNumber(version.creation_time as number | null),
              lastUpdatedTimestamp: toNumber(version.last_updated_time as number | null),
              userId: text(version.user_id),
              currentStage: deleted ? 'None' : canonicalStage(stage),
              description: text(version.description),
              source: text(version.source),
              runId: text(version.run_id),
              runLink: text(version.run_link),
              status: text(version.status),
              statusMessage: text(version.status_message),
              storageLocation: text(version.storage_location),
              modelId: null,
              tags: sortByKey(
                versionTags
                  .filter(
                    (tag) =>
                      tag.name === row.name && Number(tag.version) === Number(version.version),
                  )
                  .map((tag) => ({ key: String(tag.key), value: text(tag.value) ?? '' })),
              ),
              deleted,
            }
          }),
      }))
      yield* models
      after = rows[rows.length - 1]!.name
    }
  }

  async putRegisteredModel(model: TransferRegisteredModel): Promise<PutOutcome> {
    this.#assertWritable()
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('registered_models')
        .select('name')
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', model.name)
        .executeTakeFirst()
      if (existing) return 'exists'
      const base = { name: model.name, workspace: WORKSPACE }
      await trx
        .insertInto('registered_models')
        .values({
          ...base,
          creation_time: model.creationTimestamp,
          last_updated_time: model.lastUpdatedTimestamp,
          description: model.description,
        })
        .execute()
      const { maxBindParameters } = this.#dialect
      const insert = async (table: keyof AnyTables & string, rows: Record<string, unknown>[]) => {
        for (const chunk of chunkRows(rows, maxBindParameters)) {
          await trx.insertInto(table).values(chunk).execute()
        }
      }
      await insert(
        'registered_model_tags',
        model.tags.map((tag) => ({ ...base, key: tag.key, value: tag.value })),
      )
      await insert(
        'model_versions',
        model.versions.map((version) => ({
          ...base,
          version: Number(version.version),
          creation_time: version.creationTimestamp,
          last_updated_time: version.lastUpdatedTimestamp,
          description: version.description,
          user_id: version.userId,
          current_stage: version.deleted ? STAGE_DELETED_INTERNAL : version.currentStage,
          source: version.source,
          run_id: version.runId,
          status: version.status,
          status_message: version.statusMessage,
          run_link: version.runLink,
          storage_location: version.storageLocation,
        })),
      )
      await insert(
        'model_version_tags',
        model.versions.flatMap((version) =>
          version.tags.map((tag) => ({
            ...base,
            version: Number(version.version),
            key: tag.key,
            value: tag.value,
          })),
        ),
      )
      await insert(
        'registered_model_aliases',
        model.aliases.map((alias) => ({
          ...base,
          alias: alias.alias,
          version: Number(alias.version),
        })),
      )
      return 'created'
    })
  }

  async isEmpty(): Promise<boolean> {
    const row = await this.#db.selectFrom('registered_models').select('name').limit(1).execute()
    return row.length === 0
  }
}
