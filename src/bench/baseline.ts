/**
 * The physical limit the SQLite figures are compared with: better-sqlite3 on its own, with no
 * trackstore and no Kysely in between. A table shaped like MLflow's `metrics` (same columns,
 * primary key and indexes, no foreign key), the connection settings trackstore's SQLite
 * connection uses (WAL, synchronous NORMAL), one prepared single-row INSERT, one transaction per
 * batch of the same size the workloads send to `logBatch`.
 */
import path from 'node:path'
import type { Metric } from '../index.js'

const METRICS_TABLE = `
CREATE TABLE metrics (
  "key" VARCHAR(250) NOT NULL,
  value FLOAT NOT NULL,
  timestamp BIGINT NOT NULL,
  run_uuid VARCHAR(32) NOT NULL,
  step BIGINT DEFAULT '0' NOT NULL,
  is_nan BOOLEAN DEFAULT '0' NOT NULL,
  CONSTRAINT metric_pk PRIMARY KEY ("key", timestamp, step, run_uuid, value, is_nan),
  CHECK (is_nan IN (0, 1))
);
CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid);
CREATE INDEX index_metrics_run_uuid_key_step ON metrics (run_uuid, "key", step);
`

type MetricRow = [string, number, number, string, number, number]

/** A raw better-sqlite3 database holding one MLflow-shaped `metrics` table. */
export interface BaselineMetricsTable {
  /** Inserts the batch in one transaction through one prepared statement. */
  insertBatch(runId: string, metrics: readonly Metric[]): void
  /** Every row of one run and key, in MLflow's history order. */
  history(runId: string, key: string): unknown[]
  close(): void
}

export async function openBaselineMetricsTable(folder: string): Promise<BaselineMetricsTable> {
  const { default: Database } = await import('better-sqlite3')
  const database = new Database(path.join(folder, 'baseline.db'))
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.exec(METRICS_TABLE)
  const insert = database.prepare<MetricRow>(
    'INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) ' +
      'VALUES (?, ?, ?, ?, ?, ?)',
  )
  const select = database.prepare<[string, string]>(
    'SELECT "key", value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND "key" = ? ' +
      'ORDER BY timestamp, step, value',
  )
  const insertAll = database.transaction((runId: string, metrics: readonly Metric[]) => {
    for (const metric of metrics) {
      const isNan = Number.isNaN(metric.value)
      insert.run(
        metric.key,
        isNan ? 0 : metric.value,
        metric.timestamp,
        runId,
        metric.step ?? 0,
        isNan ? 1 : 0,
      )
    }
  })
  return {
    insertBatch: (runId, metrics) => insertAll(runId, metrics),
    history: (runId, key) => select.all(runId, key),
    close: () => database.close(),
  }
}
