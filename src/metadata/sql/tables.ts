/**
 * Kysely types of the MLflow tables the tracking store reads and writes (FORMATS.md §4.2).
 * Column names are MLflow's; the schema itself is created by `src/migrate/`.
 */

import type { Generated } from 'kysely'

export interface ExperimentsTable {
  /** Auto-increment; the Default experiment is inserted with an explicit 0. */
  experiment_id: Generated<number | string>
  name: string
  artifact_location: string | null
  lifecycle_stage: string | null
  creation_time: number | string | null
  last_update_time: number | string | null
  workspace: string
}

export interface ExperimentTagsTable {
  key: string
  value: string | null
  experiment_id: number | string
}

export interface RunsTable {
  run_uuid: string
  name: string | null
  source_type: string | null
  source_name: string | null
  entry_point_name: string | null
  user_id: string | null
  status: string | null
  start_time: number | string | null
  end_time: number | string | null
  source_version: string | null
  lifecycle_stage: string | null
  artifact_uri: string | null
  experiment_id: number | string | null
  deleted_time: number | string | null
}

export interface MetricsTable {
  key: string
  value: number
  timestamp: number | string
  run_uuid: string
  step: number | string
  is_nan: boolean | number
}

export interface LatestMetricsTable {
  key: string
  value: number
  timestamp: number | string | null
  step: number | string
  is_nan: boolean | number
  run_uuid: string
}

export interface ParamsTable {
  key: string
  value: string
  run_uuid: string
}

export interface TagsTable {
  key: string
  value: string | null
  run_uuid: string
}

export interface DatasetsTable {
  dataset_uuid: string
  experiment_id: number | string
  name: string
  digest: string
  dataset_source_type: string
  dataset_source: string
  dataset_schema: string | null
  dataset_profile: string | null
}

export interface InputsTable {
  input_uuid: string
  source_type: string
  source_id: string
  destination_type: string
  destination_id: string
  step: number | string
}

export interface InputTagsTable {
  input_uuid: string
  name: string
  value: string
}

export interface AlembicVersionTable {
  version_num: string
}

export interface TrackingDatabase {
  experiments: ExperimentsTable
  experiment_tags: ExperimentTagsTable
  runs: RunsTable
  metrics: MetricsTable
  latest_metrics: LatestMetricsTable
  params: ParamsTable
  tags: TagsTable
  datasets: DatasetsTable
  inputs: InputsTable
  input_tags: InputTagsTable
  alembic_version: AlembicVersionTable
}
