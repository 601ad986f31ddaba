/**
 * The composition root for metadata stores: parses a tracking URI, opens the backend it names,
 * and (for SQL) prepares the schema with the migrations, as MLflow does when it opens a
 * database. It sits above `metadata/` and `migrate/` so that no store imports the migrations.
 */
import { resolveUriIfLocal } from './core/artifact-uri.js'
import { silentLogger } from './core/logger.js'
import { parseTrackingUri, redactUri } from './core/uri.js'
import type { MetadataStore, MetadataStoreOptions } from './metadata/metadata-store.js'
import { connectSql } from './metadata/sql/connect-sql.js'
import { SqlMetadataStore } from './metadata/sql/sql-store.js'
import {
  BIGINT_EXPERIMENT_IDS,
  assertReadable,
  migrateToLatest,
  prepareSchema,
  schemaError,
  type MigrationReport,
} from './migrate/index.js'
import type { ModelRegistryStore } from './registry/registry-store.js'

/** MLflow's default local artifact root when none is configured. */
export const DEFAULT_ARTIFACT_ROOT = './mlruns'

export interface OpenMetadataStoreOptions extends MetadataStoreOptions {
  /**
   * Create MLflow's schema in an empty database (default true, as MLflow does). With false, an
   * empty database is an error.
   */
  createSchema?: boolean
  /**
   * Widen the experiment id columns of a PostgreSQL or MySQL database to BIGINT (trackstore
   * migration 0003) before opening it, so 18-digit file-store ids fit. Default false; SQLite
   * and file stores need nothing.
   */
  widenExperimentIds?: boolean
}

/** MLFLOW_TRUNCATE_LONG_VALUES, default true. */
function truncateFromEnvironment(): boolean {
  const value = process.env.MLFLOW_TRUNCATE_LONG_VALUES
  return value === undefined || !['false', '0', 'no'].includes(value.trim().toLowerCase())
}

/**
 * Opens the metadata store a tracking URI names: `sqlite:///relative.db`,
 * `sqlite:////absolute.db`, `sqlite:///:memory:`, `postgresql://…`, `mysql://…` (SQLAlchemy
 * driver suffixes such as `+psycopg2` are accepted), or a plain path / `file:` URI for an
 * `mlruns` folder.
 *
 * @example
 * const store = await openMetadataStore('sqlite:///mlflow.db')
 * const experimentId = await store.createExperiment('my-experiment')
 */
export async function openMetadataStore(
  uri: string,
  options: OpenMetadataStoreOptions = {},
): Promise<MetadataStore> {
  const location = parseTrackingUri(uri)
  const logger = options.logger ?? silentLogger
  const truncateLongValues = options.truncateLongValues ?? truncateFromEnvironment()
  if (location.kind === 'file') {
    const { openFileStore } = await import('./metadata/file/index.js')
    return openFileStore(location.root, { ...options, logger, truncateLongValues })
  }
  const connection = await connectSql(location, logger)
  try {
    const schema = await prepareSchema(connection, {
      logger,
      create: options.createSchema ?? true,
    })
    assertReadable(schema, redactUri(uri))
    if (options.widenExperimentIds) {
      await migrateToLatest(connection, { logger, uri, include: [BIGINT_EXPERIMENT_IDS] })
    }
    const store = new SqlMetadataStore(connection, {
      defaultArtifactRoot: resolveUriIfLocal(options.defaultArtifactRoot ?? DEFAULT_ARTIFACT_ROOT),
      logger,
      truncateLongValues,
      readOnlyReason: schema.writable ? null : schemaError(schema.status, redactUri(uri)),
    })
    await store.initialize()
    return store
  } catch (error) {
    await connection.close()
    throw error
  }
}

/**
 * Widens the experiment id columns of the SQL database at `uri` to BIGINT (trackstore migration
 * 0003, recorded in trackstore_migrations), bringing its other migrations up to date first.
 * Running it again changes nothing. A file store needs nothing: the call returns null.
 */
export async function widenExperimentIds(
  uri: string,
  options: { logger?: OpenMetadataStoreOptions['logger'] } = {},
): Promise<MigrationReport | null> {
  const location = parseTrackingUri(uri)
  if (location.kind === 'file') return null
  const connection = await connectSql(location, options.logger)
  try {
    return await migrateToLatest(connection, {
      logger: options.logger ?? silentLogger,
      uri,
      include: [BIGINT_EXPERIMENT_IDS],
    })
  } finally {
    await connection.close()
  }
}

export interface OpenModelRegistryStoreOptions {
  /** Create MLflow's schema in an empty database (default true). */
  createSchema?: boolean
  /** Silent by default. */
  logger?: MetadataStoreOptions['logger']
}

/**
 * Opens the model registry a registry URI names (MLflow's registry URI defaults to the
 * tracking URI, so the same URIs work): a SQL database holding MLflow's registry tables, or an
 * `mlruns` folder whose `models/` sub-folder holds the file registry.
 *
 * @example
 * const registry = await openModelRegistryStore('sqlite:///mlflow.db')
 * await registry.createRegisteredModel('iris-classifier')
 */
export async function openModelRegistryStore(
  uri: string,
  options: OpenModelRegistryStoreOptions = {},
): Promise<ModelRegistryStore> {
  const location = parseTrackingUri(uri)
  if (location.kind === 'file') {
    const { FileModelRegistryStore } = await import('./registry/file/file-registry-store.js')
    const store = new FileModelRegistryStore(location.root)
    await store.initialize()
    return store
  }
  const { SqlModelRegistryStore } = await import('./registry/sql/sql-registry-store.js')
  const connection = await connectSql(location)
  try {
    const schema = await prepareSchema(connection, {
      logger: options.logger ?? silentLogger,
      create: options.createSchema ?? true,
    })
    assertReadable(schema, redactUri(uri))
    return new SqlModelRegistryStore(connection, {
      readOnlyReason: schema.writable ? null : schemaError(schema.status, redactUri(uri)),
    })
  } catch (error) {
    await connection.close()
    throw error
  }
}
