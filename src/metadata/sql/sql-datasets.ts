/**
 * Dataset inputs as MLflow's SQL store writes them: datasets de-duplicated per experiment on
 * (name, digest), one DATASET → RUN edge in `inputs` per run and dataset, the input tags on that
 * edge. Used by `logInputs` and by the transfer facet.
 */
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { DatasetInput } from '../metadata-store.js'
import type { AnyTables, SqlDialect } from './dialects/sql-dialect.js'

const newId = (): string => randomUUID().replaceAll('-', '')

/**
 * Writes one dataset input of a run. With `keepExisting`, a dataset already logged to the run
 * is left as it is, tags included (MLflow's rule for `log_inputs`).
 */
export async function writeDatasetInput(
  db: Kysely<AnyTables>,
  dialect: SqlDialect,
  experimentId: string | number | bigint,
  runId: string,
  { dataset, tags }: DatasetInput,
  keepExisting: boolean,
): Promise<void> {
  const found = await db
    .selectFrom('datasets')
    .select('dataset_uuid')
    .where('experiment_id', '=', experimentId)
    .where(dialect.compareText(sql.ref('name'), '=', dataset.name))
    .where(dialect.compareText(sql.ref('digest'), '=', dataset.digest))
    .executeTakeFirst()
  let datasetId = found?.dataset_uuid
  if (!datasetId) {
    datasetId = newId()
    await db
      .insertInto('datasets')
      .values({
        dataset_uuid: datasetId,
        experiment_id: experimentId,
        name: dataset.name,
        digest: dataset.digest,
        dataset_source_type: dataset.sourceType,
        dataset_source: dataset.source,
        dataset_schema: dataset.schema ?? null,
        dataset_profile: dataset.profile ?? null,
      })
      .execute()
  } else if (keepExisting) {
    const edge = await db
      .selectFrom('inputs')
      .select('input_uuid')
      .where('source_type', '=', 'DATASET')
      .where('source_id', '=', datasetId)
      .where('destination_type', '=', 'RUN')
      .where('destination_id', '=', runId)
      .executeTakeFirst()
    if (edge) return
  }
  const inputId = newId()
  await db
    .insertInto('inputs')
    .values({
      input_uuid: inputId,
      source_type: 'DATASET',
      source_id: datasetId,
      destination_type: 'RUN',
      destination_id: runId,
      step: 0,
    })
    .execute()
  if (tags.length > 0) {
    await db
      .insertInto('input_tags')
      .values(tags.map((tag) => ({ input_uuid: inputId, name: tag.key, value: tag.value })))
      .execute()
  }
}
