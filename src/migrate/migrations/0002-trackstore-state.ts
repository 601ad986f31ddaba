import type { TrackstoreMigration } from './migration.js'

/** trackstore's own key/value table (transfer markers of `trackstore migrate`). */
export const STATE_TABLE = 'trackstore_state'

/**
 * Creates `trackstore_state`, where trackstore keeps what it must remember inside a database,
 * such as the marker that lets an interrupted `trackstore migrate` resume. MLflow ignores the
 * table; `alembic_version` is not touched.
 */
export const trackstoreState: TrackstoreMigration = {
  name: '0002-trackstore-state',
  description: "trackstore's key/value state table (resumable transfers)",
  async up({ db }) {
    await db.schema
      .createTable(STATE_TABLE)
      .ifNotExists()
      .addColumn('key', 'varchar(100)', (column) => column.primaryKey())
      .addColumn('value', 'text', (column) => column.notNull())
      .execute()
  },
}
