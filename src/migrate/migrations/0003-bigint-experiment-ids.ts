import { sql, type Kysely } from 'kysely'
import type { AnyTables } from '../../metadata/sql/dialects/sql-dialect.js'
import type { TrackstoreMigration } from './migration.js'

/**
 * Every column of MLflow's head schema that holds an experiment id, with its nullability, and
 * on MySQL the foreign key that ties it to `experiments` (name and ON DELETE rule, as in
 * `schema/mysql.sql`). Evaluation datasets, jobs and the gateway's other tables name
 * experiments in VARCHAR columns (entity_associations), which hold any id already.
 */
const EXPERIMENT_ID_COLUMNS: readonly {
  table: string
  nullable: boolean
  foreignKey: string | null
  onDelete: 'CASCADE' | 'SET NULL' | null
}[] = [
  {
    table: 'experiment_tags',
    nullable: false,
    foreignKey: 'experiment_tags_ibfk_1',
    onDelete: null,
  },
  { table: 'runs', nullable: true, foreignKey: 'runs_ibfk_1', onDelete: null },
  {
    table: 'datasets',
    nullable: false,
    foreignKey: 'fk_datasets_experiment_id_experiments',
    onDelete: 'CASCADE',
  },
  {
    table: 'trace_info',
    nullable: false,
    foreignKey: 'fk_trace_info_experiment_id',
    onDelete: null,
  },
  { table: 'spans', nullable: false, foreignKey: 'fk_spans_experiment_id', onDelete: null },
  {
    table: 'logged_models',
    nullable: false,
    foreignKey: 'fk_logged_models_experiment_id',
    onDelete: 'CASCADE',
  },
  {
    table: 'logged_model_metrics',
    nullable: false,
    foreignKey: 'fk_logged_model_metrics_experiment_id',
    onDelete: null,
  },
  {
    table: 'logged_model_params',
    nullable: false,
    foreignKey: 'fk_logged_model_params_experiment_id',
    onDelete: null,
  },
  {
    table: 'logged_model_tags',
    nullable: false,
    foreignKey: 'fk_logged_model_tags_experiment_id',
    onDelete: null,
  },
  {
    table: 'scorers',
    nullable: false,
    foreignKey: 'fk_scorers_experiment_id',
    onDelete: 'CASCADE',
  },
  {
    table: 'online_scoring_configs',
    nullable: false,
    foreignKey: 'fk_online_scoring_configs_experiment_id',
    onDelete: null,
  },
  {
    table: 'endpoints',
    nullable: true,
    foreignKey: 'fk_endpoints_experiment_id',
    onDelete: 'SET NULL',
  },
  { table: 'issues', nullable: false, foreignKey: 'fk_issues_experiment_id', onDelete: 'CASCADE' },
]

/** The tables whose experiment id column 0003 widens, `experiments` first. */
export const WIDENED_TABLES: readonly string[] = Object.freeze([
  'experiments',
  ...EXPERIMENT_ID_COLUMNS.map((column) => column.table),
])

export const BIGINT_EXPERIMENT_IDS = '0003-bigint-experiment-ids'

async function foreignKeyExists(db: Kysely<AnyTables>, table: string, name: string) {
  const { rows } = await sql`select 1 from information_schema.table_constraints
    where constraint_schema = database() and table_name = ${table}
      and constraint_name = ${name} and constraint_type = 'FOREIGN KEY'`.execute(db)
  return rows.length > 0
}

/**
 * Widens every experiment id column to BIGINT on PostgreSQL (and the id sequence) and MySQL,
 * so the 18-digit ids of MLflow's file store keep their value in a SQL store. SQLite's INTEGER
 * already holds 64 bits: there the migration only records itself.
 *
 * Optional: it runs only when asked for (`trackstore db upgrade --widen-experiment-ids`, the
 * `widenExperimentIds` option of `openMetadataStore`, or a migration preserving ids that do not
 * fit). On MySQL, whose DDL commits statement by statement, each step checks what is already
 * done, so a run that stopped half-way finishes when run again.
 */
export const bigintExperimentIds: TrackstoreMigration = {
  name: BIGINT_EXPERIMENT_IDS,
  description: 'experiment id columns widened to BIGINT (18-digit file-store ids)',
  async up({ db, dialect }) {
    if (dialect === 'postgresql') {
      for (const table of WIDENED_TABLES) {
        await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN experiment_id TYPE BIGINT`.execute(
          db,
        )
      }
      await sql`ALTER SEQUENCE experiments_experiment_id_seq AS BIGINT`.execute(db)
      return
    }
    if (dialect !== 'mysql') return
    // A column a foreign key joins cannot change type: drop the keys, widen, add them back.
    for (const column of EXPERIMENT_ID_COLUMNS) {
      if (column.foreignKey && (await foreignKeyExists(db, column.table, column.foreignKey))) {
        await sql`ALTER TABLE ${sql.table(column.table)} DROP FOREIGN KEY ${sql.id(
          column.foreignKey,
        )}`.execute(db)
      }
    }
    await sql`ALTER TABLE experiments MODIFY experiment_id BIGINT NOT NULL AUTO_INCREMENT`.execute(
      db,
    )
    for (const column of EXPERIMENT_ID_COLUMNS) {
      const type = sql.raw(column.nullable ? 'BIGINT NULL' : 'BIGINT NOT NULL')
      await sql`ALTER TABLE ${sql.table(column.table)} MODIFY experiment_id ${type}`.execute(db)
    }
    for (const column of EXPERIMENT_ID_COLUMNS) {
      if (!column.foreignKey || (await foreignKeyExists(db, column.table, column.foreignKey))) {
        continue
      }
      const onDelete = sql.raw(column.onDelete ? ` ON DELETE ${column.onDelete}` : '')
      await sql`ALTER TABLE ${sql.table(column.table)} ADD CONSTRAINT ${sql.id(column.foreignKey)}
        FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id)${onDelete}`.execute(db)
    }
  },
}
