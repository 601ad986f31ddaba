import { sql } from 'kysely'
import { MLFLOW_HEAD_REVISION } from './revisions.js'
import { readSchemaStatements } from './schema-file.js'
import { objectExists } from './inspect.js'
import type { TrackstoreMigration } from './migration.js'

const CREATES = /^CREATE\s+(TABLE|TRIGGER)\s+`?(\w+)`?/i

/**
 * Creates MLflow's complete schema at alembic head `7d34483879f0` from `schema/<dialect>.sql`
 * and writes the head revision into `alembic_version`, as MLflow's first start does.
 *
 * On SQLite and PostgreSQL the runner wraps it in a transaction, so it applies wholly or not at
 * all. MySQL commits each DDL statement on its own, so there the migration is resumable: a table
 * or trigger that already exists is skipped (each CREATE TABLE lists its indexes inline and so
 * is atomic), and the workspace row is inserted with INSERT IGNORE. A run that failed half-way
 * leaves the database `incomplete`; running the migrations again finishes it.
 */
export const mlflowHeadSchema: TrackstoreMigration = {
  name: '0001-mlflow-head-schema',
  description: `MLflow's schema at alembic head ${MLFLOW_HEAD_REVISION}`,
  baselineRevision: MLFLOW_HEAD_REVISION,
  async up({ db, dialect, transactional, logger }) {
    const statements = await readSchemaStatements(dialect)
    for (const statement of statements) {
      const created = CREATES.exec(statement)
      if (!transactional && created) {
        const kind = created[1]!.toLowerCase() as 'table' | 'trigger'
        if (await objectExists(db, dialect, kind, created[2]!)) {
          logger.debug(`Skipping existing ${kind} ${created[2]!}`)
          continue
        }
      }
      await sql.raw(statement).execute(db)
    }
    await db.deleteFrom('alembic_version').execute()
    await db.insertInto('alembic_version').values({ version_num: MLFLOW_HEAD_REVISION }).execute()
  },
}
