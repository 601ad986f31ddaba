/**
 * Kysely types of the MLflow tables the tracking store reads and writes (FORMATS.md §4.2).
 * Column names are MLflow's; the schema itself is created by `src/migrate/`.
 */

import type { Generated } from 'kysely'

export interface ExperimentsTable {
  /** Auto-increment; the Default experiment is inserted with an explicit 0. */
  experiment_id: Generated<number | string | bigint>
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
  experiment_id: number | string | bigint
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
  experiment_id: number | string | bigint | null
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
  experiment_id: number | string | bigint
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

export interface LoggedModelsTable {
  model_id: string
  experiment_id: number | string | bigint
  name: string
  artifact_location: string
  creation_timestamp_ms: number | string
  last_updated_timestamp_ms: number | string
  /** 0 UNSPECIFIED, 1 PENDING, 2 READY, 3 FAILED. */
  status: number | string
  lifecycle_stage: string | null
  model_type: string | null
  source_run_id: string | null
  status_message: string | null
}

export interface LoggedModelMetricsTable {
  model_id: string
  metric_name: string
  metric_timestamp_ms: number | string
  metric_step: number | string
  /** NaN is written as 0: the table has no is_nan column. */
  metric_value: number | null
  experiment_id: number | string | bigint
  run_id: string
  dataset_uuid: string | null
  dataset_name: string | null
  dataset_digest: string | null
}

export interface LoggedModelParamsTable {
  model_id: string
  experiment_id: number | string | bigint
  param_key: string
  param_value: string
}

export interface LoggedModelTagsTable {
  model_id: string
  experiment_id: number | string | bigint
  tag_key: string
  tag_value: string
}

export interface RegisteredModelsTable {
  name: string
  creation_time: number | string | null
  last_updated_time: number | string | null
  description: string | null
  workspace: string
}

export interface ModelVersionsTable {
  name: string
  version: number | string
  creation_time: number | string | null
  last_updated_time: number | string | null
  description: string | null
  user_id: string | null
  current_stage: string | null
  source: string | null
  run_id: string | null
  status: string | null
  status_message: string | null
  run_link: string | null
  storage_location: string | null
  workspace: string
}

export interface RegisteredModelTagsTable {
  key: string
  value: string | null
  name: string
  workspace: string
}

export interface ModelVersionTagsTable {
  key: string
  value: string | null
  name: string
  version: number | string
  workspace: string
}

export interface RegisteredModelAliasesTable {
  alias: string
  version: number | string
  name: string
  workspace: string
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
  logged_models: LoggedModelsTable
  logged_model_metrics: LoggedModelMetricsTable
  logged_model_params: LoggedModelParamsTable
  logged_model_tags: LoggedModelTagsTable
  registered_models: RegisteredModelsTable
  model_versions: ModelVersionsTable
  registered_model_tags: RegisteredModelTagsTable
  model_version_tags: ModelVersionTagsTable
  registered_model_aliases: RegisteredModelAliasesTable
  alembic_version: AlembicVersionTable
}
