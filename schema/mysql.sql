-- trackstore: MLflow's tracking schema for MySQL and MariaDB, at alembic head 7d34483879f0
-- (MLflow 3.11).
--
-- Applied by migration 0001-mlflow-head-schema, which then writes 7d34483879f0 into
-- alembic_version. MySQL cannot roll back DDL, so 0001 is resumable: it skips a table or
-- trigger that already exists and the workspace row uses INSERT IGNORE; a run that stopped
-- half-way is finished by running the migrations again.
-- The tables, columns, types, defaults, keys, checks, indexes and trigger here are those MLflow
-- itself creates; test/migrate compares a database built from this file with MLflow's own dump.
--
-- How the file is split into statements: a statement is a run of non-blank lines, and
-- statements are separated by one or more blank lines, so no statement contains a blank line.
-- Lines that start with `--` are comments and are dropped. The trailing `;` is dropped too.
-- Trigger and function bodies contain semicolons, which is why semicolons are not the rule.
--
-- Tables take the database's default engine, character set and collation, as MLflow's do.
-- Each table lists every index inline, including those InnoDB would otherwise create for a
-- foreign key (for example KEY `experiment_id` on runs), so the set of indexes is MLflow's.
-- Three CHECK constraints are unnamed, as MLflow left them: MariaDB names them CONSTRAINT_1,
-- CONSTRAINT_2 per table, MySQL 8 `<table>_chk_<n>`. JSON columns are JSON, which MariaDB
-- stores as LONGTEXT with a json_valid() check. MLflow's jobs migration left jobs.job_name
-- nullable on MySQL (NOT NULL elsewhere); so is it here.

-- ------------------------------------------------------------------------------------------------
-- Alembic's revision record. 0001 writes the head revision into it.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `alembic_version` (
    `version_num` VARCHAR(32) NOT NULL,
    PRIMARY KEY (`version_num`)
);

-- ------------------------------------------------------------------------------------------------
-- Tracking: experiments, runs, metrics, params, tags, datasets and inputs.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `experiments` (
    `experiment_id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(256) NOT NULL,
    `artifact_location` VARCHAR(256),
    `lifecycle_stage` VARCHAR(32),
    `creation_time` BIGINT,
    `last_update_time` BIGINT,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`experiment_id`),
    UNIQUE KEY `uq_experiments_workspace_name` (`workspace`,`name`),
    KEY `idx_experiments_workspace_creation_time` (`workspace`,`creation_time`),
    KEY `idx_experiments_workspace` (`workspace`),
    CONSTRAINT `experiments_lifecycle_stage` CHECK (`lifecycle_stage` in ('active','deleted'))
);

CREATE TABLE `experiment_tags` (
    `key` VARCHAR(250) NOT NULL,
    `value` VARCHAR(5000),
    `experiment_id` INTEGER NOT NULL,
    PRIMARY KEY (`key`,`experiment_id`),
    KEY `experiment_id` (`experiment_id`),
    CONSTRAINT `experiment_tags_ibfk_1` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`)
);

CREATE TABLE `runs` (
    `run_uuid` VARCHAR(32) NOT NULL,
    `name` VARCHAR(250),
    `source_type` VARCHAR(20),
    `source_name` VARCHAR(500),
    `entry_point_name` VARCHAR(50),
    `user_id` VARCHAR(256),
    `status` VARCHAR(9),
    `start_time` BIGINT,
    `end_time` BIGINT,
    `source_version` VARCHAR(50),
    `lifecycle_stage` VARCHAR(20),
    `artifact_uri` VARCHAR(200),
    `experiment_id` INTEGER,
    `deleted_time` BIGINT,
    PRIMARY KEY (`run_uuid`),
    KEY `experiment_id` (`experiment_id`),
    CONSTRAINT `runs_ibfk_1` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`),
    CONSTRAINT `source_type` CHECK (`source_type` in
        ('NOTEBOOK','JOB','LOCAL','UNKNOWN','PROJECT')),
    CONSTRAINT `runs_lifecycle_stage` CHECK (`lifecycle_stage` in ('active','deleted')),
    CHECK (`status` in ('SCHEDULED','FAILED','FINISHED','RUNNING','KILLED'))
);

CREATE TABLE `metrics` (
    `key` VARCHAR(250) NOT NULL,
    `value` DOUBLE NOT NULL,
    `timestamp` BIGINT NOT NULL,
    `run_uuid` VARCHAR(32) NOT NULL,
    `step` BIGINT NOT NULL DEFAULT 0,
    `is_nan` BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (`key`,`timestamp`,`step`,`run_uuid`,`value`,`is_nan`),
    KEY `index_metrics_run_uuid_key_step` (`run_uuid`,`key`,`step`),
    KEY `index_metrics_run_uuid` (`run_uuid`),
    CONSTRAINT `metrics_ibfk_1` FOREIGN KEY (`run_uuid`) REFERENCES `runs` (`run_uuid`),
    CHECK (`is_nan` in (0,1)),
    CHECK (`is_nan` in (0,1))
);

CREATE TABLE `latest_metrics` (
    `key` VARCHAR(250) NOT NULL,
    `value` DOUBLE NOT NULL,
    `timestamp` BIGINT,
    `step` BIGINT NOT NULL,
    `is_nan` BOOLEAN NOT NULL,
    `run_uuid` VARCHAR(32) NOT NULL,
    PRIMARY KEY (`key`,`run_uuid`),
    KEY `index_latest_metrics_run_uuid` (`run_uuid`),
    CONSTRAINT `latest_metrics_ibfk_1` FOREIGN KEY (`run_uuid`) REFERENCES `runs` (`run_uuid`),
    CHECK (`is_nan` in (0,1))
);

CREATE TABLE `params` (
    `key` VARCHAR(250) NOT NULL,
    `value` VARCHAR(8000) NOT NULL,
    `run_uuid` VARCHAR(32) NOT NULL,
    PRIMARY KEY (`key`,`run_uuid`),
    KEY `index_params_run_uuid` (`run_uuid`),
    CONSTRAINT `params_ibfk_1` FOREIGN KEY (`run_uuid`) REFERENCES `runs` (`run_uuid`)
);

CREATE TABLE `tags` (
    `key` VARCHAR(250) NOT NULL,
    `value` VARCHAR(8000),
    `run_uuid` VARCHAR(32) NOT NULL,
    PRIMARY KEY (`key`,`run_uuid`),
    KEY `index_tags_run_uuid` (`run_uuid`),
    CONSTRAINT `tags_ibfk_1` FOREIGN KEY (`run_uuid`) REFERENCES `runs` (`run_uuid`)
);

CREATE TABLE `datasets` (
    `dataset_uuid` VARCHAR(36) NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `name` VARCHAR(500) NOT NULL,
    `digest` VARCHAR(36) NOT NULL,
    `dataset_source_type` VARCHAR(36) NOT NULL,
    `dataset_source` TEXT NOT NULL,
    `dataset_schema` MEDIUMTEXT,
    `dataset_profile` MEDIUMTEXT,
    PRIMARY KEY (`experiment_id`,`name`,`digest`),
    KEY `index_datasets_dataset_uuid` (`dataset_uuid`),
    KEY `index_datasets_experiment_id_dataset_source_type` (`experiment_id`,`dataset_source_type`),
    CONSTRAINT `fk_datasets_experiment_id_experiments` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`) ON DELETE CASCADE
);

CREATE TABLE `inputs` (
    `input_uuid` VARCHAR(36) NOT NULL,
    `source_type` VARCHAR(36) NOT NULL,
    `source_id` VARCHAR(36) NOT NULL,
    `destination_type` VARCHAR(36) NOT NULL,
    `destination_id` VARCHAR(36) NOT NULL,
    `step` BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (`source_type`,`source_id`,`destination_type`,`destination_id`),
    KEY `index_inputs_destination_type_destination_id_source_type`
        (`destination_type`,`destination_id`,`source_type`),
    KEY `index_inputs_input_uuid` (`input_uuid`)
);

CREATE TABLE `input_tags` (
    `input_uuid` VARCHAR(36) NOT NULL,
    `name` VARCHAR(255) NOT NULL,
    `value` VARCHAR(500) NOT NULL,
    PRIMARY KEY (`input_uuid`,`name`)
);

-- ------------------------------------------------------------------------------------------------
-- Model registry.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `registered_models` (
    `name` VARCHAR(256) NOT NULL,
    `creation_time` BIGINT,
    `last_updated_time` BIGINT,
    `description` VARCHAR(5000),
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`workspace`,`name`),
    KEY `idx_registered_models_workspace` (`workspace`)
);

CREATE TABLE `registered_model_tags` (
    `key` VARCHAR(250) NOT NULL,
    `value` VARCHAR(5000),
    `name` VARCHAR(256) NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`workspace`,`key`,`name`),
    KEY `idx_registered_model_tags_workspace_name` (`workspace`,`name`),
    KEY `name` (`name`),
    CONSTRAINT `fk_registered_model_tags_registered_models` FOREIGN KEY (`workspace`, `name`)
        REFERENCES `registered_models` (`workspace`, `name`) ON UPDATE CASCADE
);

CREATE TABLE `model_versions` (
    `name` VARCHAR(256) NOT NULL,
    `version` INTEGER NOT NULL,
    `creation_time` BIGINT,
    `last_updated_time` BIGINT,
    `description` VARCHAR(5000),
    `user_id` VARCHAR(256),
    `current_stage` VARCHAR(20),
    `source` VARCHAR(500),
    `run_id` VARCHAR(32),
    `status` VARCHAR(20),
    `status_message` VARCHAR(500),
    `run_link` VARCHAR(500),
    `storage_location` VARCHAR(500),
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`workspace`,`name`,`version`),
    CONSTRAINT `fk_model_versions_registered_models` FOREIGN KEY (`workspace`, `name`)
        REFERENCES `registered_models` (`workspace`, `name`) ON UPDATE CASCADE
);

CREATE TABLE `model_version_tags` (
    `key` VARCHAR(250) NOT NULL,
    `value` TEXT,
    `name` VARCHAR(256) NOT NULL,
    `version` INTEGER NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`workspace`,`key`,`name`,`version`),
    KEY `idx_model_version_tags_workspace_name_version` (`workspace`,`name`,`version`),
    KEY `name` (`name`,`version`),
    CONSTRAINT `fk_model_version_tags_model_versions` FOREIGN KEY (`workspace`, `name`, `version`)
        REFERENCES `model_versions` (`workspace`, `name`, `version`) ON UPDATE CASCADE
);

CREATE TABLE `registered_model_aliases` (
    `alias` VARCHAR(256) NOT NULL,
    `version` INTEGER NOT NULL,
    `name` VARCHAR(256) NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`workspace`,`name`,`alias`),
    CONSTRAINT `fk_registered_model_aliases_registered_models` FOREIGN KEY (`workspace`, `name`)
        REFERENCES `registered_models` (`workspace`, `name`) ON DELETE CASCADE ON UPDATE CASCADE
);

-- ------------------------------------------------------------------------------------------------
-- Traces, spans and assessments.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `trace_info` (
    `request_id` VARCHAR(50) NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `timestamp_ms` BIGINT NOT NULL,
    `execution_time_ms` BIGINT,
    `status` VARCHAR(50) NOT NULL,
    `client_request_id` VARCHAR(50),
    `request_preview` VARCHAR(1000),
    `response_preview` VARCHAR(1000),
    PRIMARY KEY (`request_id`),
    KEY `index_trace_info_experiment_id_timestamp_ms` (`experiment_id`,`timestamp_ms`),
    CONSTRAINT `fk_trace_info_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`)
);

CREATE TABLE `trace_tags` (
    `key` VARCHAR(250) NOT NULL,
    `value` VARCHAR(8000),
    `request_id` VARCHAR(50) NOT NULL,
    PRIMARY KEY (`key`,`request_id`),
    KEY `index_trace_tags_request_id` (`request_id`),
    CONSTRAINT `fk_trace_tags_request_id` FOREIGN KEY (`request_id`)
        REFERENCES `trace_info` (`request_id`) ON DELETE CASCADE
);

CREATE TABLE `trace_request_metadata` (
    `key` VARCHAR(250) NOT NULL,
    `value` VARCHAR(8000),
    `request_id` VARCHAR(50) NOT NULL,
    PRIMARY KEY (`key`,`request_id`),
    KEY `index_trace_request_metadata_request_id` (`request_id`),
    CONSTRAINT `fk_trace_request_metadata_request_id` FOREIGN KEY (`request_id`)
        REFERENCES `trace_info` (`request_id`) ON DELETE CASCADE
);

CREATE TABLE `trace_metrics` (
    `request_id` VARCHAR(50) NOT NULL,
    `key` VARCHAR(250) NOT NULL,
    `value` DOUBLE,
    PRIMARY KEY (`request_id`,`key`),
    KEY `index_trace_metrics_request_id` (`request_id`),
    CONSTRAINT `fk_trace_metrics_request_id` FOREIGN KEY (`request_id`)
        REFERENCES `trace_info` (`request_id`) ON DELETE CASCADE
);

CREATE TABLE `assessments` (
    `assessment_id` VARCHAR(50) NOT NULL,
    `trace_id` VARCHAR(50) NOT NULL,
    `name` VARCHAR(250) NOT NULL,
    `assessment_type` VARCHAR(20) NOT NULL,
    `value` TEXT NOT NULL,
    `error` TEXT,
    `created_timestamp` BIGINT NOT NULL,
    `last_updated_timestamp` BIGINT NOT NULL,
    `source_type` VARCHAR(50) NOT NULL,
    `source_id` VARCHAR(250),
    `run_id` VARCHAR(32),
    `span_id` VARCHAR(50),
    `rationale` TEXT,
    `overrides` VARCHAR(50),
    `valid` BOOLEAN NOT NULL,
    `assessment_metadata` TEXT,
    PRIMARY KEY (`assessment_id`),
    KEY `index_assessments_assessment_type` (`assessment_type`),
    KEY `index_assessments_last_updated_timestamp` (`last_updated_timestamp`),
    KEY `index_assessments_run_id_created_timestamp` (`run_id`,`created_timestamp`),
    KEY `index_assessments_trace_id_created_timestamp` (`trace_id`,`created_timestamp`),
    CONSTRAINT `fk_assessments_trace_id` FOREIGN KEY (`trace_id`)
        REFERENCES `trace_info` (`request_id`) ON DELETE CASCADE
);

CREATE TABLE `spans` (
    `trace_id` VARCHAR(50) NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `span_id` VARCHAR(50) NOT NULL,
    `parent_span_id` VARCHAR(50),
    `name` TEXT,
    `type` VARCHAR(500),
    `status` VARCHAR(50) NOT NULL,
    `start_time_unix_nano` BIGINT NOT NULL,
    `end_time_unix_nano` BIGINT,
    `duration_ns` BIGINT GENERATED ALWAYS AS (`end_time_unix_nano` - `start_time_unix_nano`) STORED,
    `content` LONGTEXT NOT NULL,
    `dimension_attributes` JSON,
    PRIMARY KEY (`trace_id`,`span_id`),
    KEY `index_spans_experiment_id_duration` (`experiment_id`,`duration_ns`),
    KEY `index_spans_experiment_id_status_type` (`experiment_id`,`status`,`type`),
    KEY `index_spans_experiment_id_type_status` (`experiment_id`,`type`,`status`),
    KEY `index_spans_experiment_id` (`experiment_id`),
    CONSTRAINT `fk_spans_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`),
    CONSTRAINT `fk_spans_trace_id` FOREIGN KEY (`trace_id`)
        REFERENCES `trace_info` (`request_id`) ON DELETE CASCADE
);

CREATE TABLE `span_metrics` (
    `trace_id` VARCHAR(50) NOT NULL,
    `span_id` VARCHAR(50) NOT NULL,
    `key` VARCHAR(250) NOT NULL,
    `value` DOUBLE,
    PRIMARY KEY (`trace_id`,`span_id`,`key`),
    KEY `index_span_metrics_trace_id_span_id` (`trace_id`,`span_id`),
    CONSTRAINT `fk_span_metrics_span` FOREIGN KEY (`trace_id`, `span_id`)
        REFERENCES `spans` (`trace_id`, `span_id`) ON DELETE CASCADE
);

-- ------------------------------------------------------------------------------------------------
-- Logged models (MLflow 3) and entity associations.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `logged_models` (
    `model_id` VARCHAR(36) NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `name` VARCHAR(500) NOT NULL,
    `artifact_location` VARCHAR(1000) NOT NULL,
    `creation_timestamp_ms` BIGINT NOT NULL,
    `last_updated_timestamp_ms` BIGINT NOT NULL,
    `status` INTEGER NOT NULL,
    `lifecycle_stage` VARCHAR(32),
    `model_type` VARCHAR(500),
    `source_run_id` VARCHAR(32),
    `status_message` VARCHAR(1000),
    PRIMARY KEY (`model_id`),
    KEY `fk_logged_models_experiment_id` (`experiment_id`),
    CONSTRAINT `fk_logged_models_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`) ON DELETE CASCADE,
    CONSTRAINT `logged_models_lifecycle_stage_check` CHECK (`lifecycle_stage` in
        ('active','deleted'))
);

CREATE TABLE `logged_model_metrics` (
    `model_id` VARCHAR(36) NOT NULL,
    `metric_name` VARCHAR(500) NOT NULL,
    `metric_timestamp_ms` BIGINT NOT NULL,
    `metric_step` BIGINT NOT NULL,
    `metric_value` DOUBLE,
    `experiment_id` INTEGER NOT NULL,
    `run_id` VARCHAR(32) NOT NULL,
    `dataset_uuid` VARCHAR(36),
    `dataset_name` VARCHAR(500),
    `dataset_digest` VARCHAR(36),
    PRIMARY KEY (`model_id`,`metric_name`,`metric_timestamp_ms`,`metric_step`,`run_id`),
    KEY `fk_logged_model_metrics_experiment_id` (`experiment_id`),
    KEY `fk_logged_model_metrics_run_id` (`run_id`),
    KEY `index_logged_model_metrics_model_id` (`model_id`),
    CONSTRAINT `fk_logged_model_metrics_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`),
    CONSTRAINT `fk_logged_model_metrics_model_id` FOREIGN KEY (`model_id`)
        REFERENCES `logged_models` (`model_id`) ON DELETE CASCADE,
    CONSTRAINT `fk_logged_model_metrics_run_id` FOREIGN KEY (`run_id`)
        REFERENCES `runs` (`run_uuid`) ON DELETE CASCADE
);

CREATE TABLE `logged_model_params` (
    `model_id` VARCHAR(36) NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `param_key` VARCHAR(255) NOT NULL,
    `param_value` TEXT NOT NULL,
    PRIMARY KEY (`model_id`,`param_key`),
    KEY `fk_logged_model_params_experiment_id` (`experiment_id`),
    CONSTRAINT `fk_logged_model_params_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`),
    CONSTRAINT `fk_logged_model_params_model_id` FOREIGN KEY (`model_id`)
        REFERENCES `logged_models` (`model_id`) ON DELETE CASCADE
);

CREATE TABLE `logged_model_tags` (
    `model_id` VARCHAR(36) NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `tag_key` VARCHAR(255) NOT NULL,
    `tag_value` TEXT NOT NULL,
    PRIMARY KEY (`model_id`,`tag_key`),
    KEY `fk_logged_model_tags_experiment_id` (`experiment_id`),
    CONSTRAINT `fk_logged_model_tags_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`),
    CONSTRAINT `fk_logged_model_tags_model_id` FOREIGN KEY (`model_id`)
        REFERENCES `logged_models` (`model_id`) ON DELETE CASCADE
);

CREATE TABLE `entity_associations` (
    `association_id` VARCHAR(36) NOT NULL,
    `source_type` VARCHAR(36) NOT NULL,
    `source_id` VARCHAR(36) NOT NULL,
    `destination_type` VARCHAR(36) NOT NULL,
    `destination_id` VARCHAR(36) NOT NULL,
    `created_time` BIGINT,
    PRIMARY KEY (`source_type`,`source_id`,`destination_type`,`destination_id`),
    KEY `index_entity_associations_association_id` (`association_id`),
    KEY `index_entity_associations_reverse_lookup`
        (`destination_type`,`destination_id`,`source_type`,`source_id`)
);

-- ------------------------------------------------------------------------------------------------
-- Webhooks.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `webhooks` (
    `webhook_id` VARCHAR(256) NOT NULL,
    `name` VARCHAR(256) NOT NULL,
    `description` VARCHAR(1000),
    `url` VARCHAR(500) NOT NULL,
    `status` VARCHAR(20) NOT NULL DEFAULT 'ACTIVE',
    `secret` VARCHAR(1000),
    `creation_timestamp` BIGINT,
    `last_updated_timestamp` BIGINT,
    `deleted_timestamp` BIGINT,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`webhook_id`),
    KEY `idx_webhooks_name` (`name`),
    KEY `idx_webhooks_status` (`status`),
    KEY `idx_webhooks_workspace` (`workspace`)
);

CREATE TABLE `webhook_events` (
    `webhook_id` VARCHAR(256) NOT NULL,
    `entity` VARCHAR(50) NOT NULL,
    `action` VARCHAR(50) NOT NULL,
    PRIMARY KEY (`webhook_id`,`entity`,`action`),
    KEY `idx_webhook_events_action` (`action`),
    KEY `idx_webhook_events_entity_action` (`entity`,`action`),
    KEY `idx_webhook_events_entity` (`entity`),
    CONSTRAINT `webhook_events_ibfk_1` FOREIGN KEY (`webhook_id`)
        REFERENCES `webhooks` (`webhook_id`) ON DELETE CASCADE
);

-- ------------------------------------------------------------------------------------------------
-- Scorers and online scoring.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `scorers` (
    `experiment_id` INTEGER NOT NULL,
    `scorer_name` VARCHAR(256) NOT NULL,
    `scorer_id` VARCHAR(36) NOT NULL,
    PRIMARY KEY (`scorer_id`),
    UNIQUE KEY `index_scorers_experiment_id_scorer_name` (`experiment_id`,`scorer_name`),
    CONSTRAINT `fk_scorers_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`) ON DELETE CASCADE
);

CREATE TABLE `scorer_versions` (
    `scorer_id` VARCHAR(36) NOT NULL,
    `scorer_version` INTEGER NOT NULL,
    `serialized_scorer` TEXT NOT NULL,
    `creation_time` BIGINT,
    PRIMARY KEY (`scorer_id`,`scorer_version`),
    KEY `index_scorer_versions_scorer_id` (`scorer_id`),
    CONSTRAINT `fk_scorer_versions_scorer_id` FOREIGN KEY (`scorer_id`)
        REFERENCES `scorers` (`scorer_id`) ON DELETE CASCADE
);

CREATE TABLE `online_scoring_configs` (
    `online_scoring_config_id` VARCHAR(36) NOT NULL,
    `scorer_id` VARCHAR(36) NOT NULL,
    `sample_rate` DOUBLE NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `filter_string` TEXT,
    PRIMARY KEY (`online_scoring_config_id`),
    KEY `fk_online_scoring_configs_experiment_id` (`experiment_id`),
    KEY `fk_online_scoring_configs_scorer_id` (`scorer_id`),
    CONSTRAINT `fk_online_scoring_configs_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`),
    CONSTRAINT `fk_online_scoring_configs_scorer_id` FOREIGN KEY (`scorer_id`)
        REFERENCES `scorers` (`scorer_id`) ON DELETE CASCADE
);

-- ------------------------------------------------------------------------------------------------
-- Evaluation datasets.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `evaluation_datasets` (
    `dataset_id` VARCHAR(36) NOT NULL,
    `name` VARCHAR(255) NOT NULL,
    `schema` TEXT,
    `profile` TEXT,
    `digest` VARCHAR(64),
    `created_time` BIGINT,
    `last_update_time` BIGINT,
    `created_by` VARCHAR(255),
    `last_updated_by` VARCHAR(255),
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`dataset_id`),
    KEY `idx_evaluation_datasets_workspace` (`workspace`),
    KEY `index_evaluation_datasets_created_time` (`created_time`),
    KEY `index_evaluation_datasets_name` (`name`)
);

CREATE TABLE `evaluation_dataset_tags` (
    `dataset_id` VARCHAR(36) NOT NULL,
    `key` VARCHAR(255) NOT NULL,
    `value` VARCHAR(5000),
    PRIMARY KEY (`dataset_id`,`key`),
    KEY `index_evaluation_dataset_tags_dataset_id` (`dataset_id`),
    CONSTRAINT `fk_evaluation_dataset_tags_dataset_id` FOREIGN KEY (`dataset_id`)
        REFERENCES `evaluation_datasets` (`dataset_id`) ON DELETE CASCADE
);

CREATE TABLE `evaluation_dataset_records` (
    `dataset_record_id` VARCHAR(36) NOT NULL,
    `dataset_id` VARCHAR(36) NOT NULL,
    `inputs` JSON NOT NULL,
    `expectations` JSON,
    `tags` JSON,
    `source` JSON,
    `source_id` VARCHAR(36),
    `source_type` VARCHAR(255),
    `created_time` BIGINT,
    `last_update_time` BIGINT,
    `created_by` VARCHAR(255),
    `last_updated_by` VARCHAR(255),
    `input_hash` VARCHAR(64) NOT NULL,
    `outputs` JSON,
    PRIMARY KEY (`dataset_record_id`),
    UNIQUE KEY `unique_dataset_input` (`dataset_id`,`input_hash`),
    KEY `index_evaluation_dataset_records_dataset_id` (`dataset_id`),
    CONSTRAINT `fk_evaluation_dataset_records_dataset_id` FOREIGN KEY (`dataset_id`)
        REFERENCES `evaluation_datasets` (`dataset_id`) ON DELETE CASCADE
);

-- ------------------------------------------------------------------------------------------------
-- Jobs.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `jobs` (
    `id` VARCHAR(36) NOT NULL,
    `creation_time` BIGINT NOT NULL,
    `job_name` VARCHAR(500),
    `params` TEXT NOT NULL,
    `timeout` DOUBLE,
    `status` INTEGER NOT NULL,
    `result` TEXT,
    `retry_count` INTEGER NOT NULL,
    `last_update_time` BIGINT NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    `status_details` JSON,
    PRIMARY KEY (`id`),
    KEY `index_jobs_name_status_creation_time` (`job_name`,`workspace`,`status`,`creation_time`)
);

-- ------------------------------------------------------------------------------------------------
-- AI gateway: secrets, endpoints, model definitions, bindings, budgets, guardrails.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `secrets` (
    `secret_id` VARCHAR(36) NOT NULL,
    `secret_name` VARCHAR(255) NOT NULL,
    `encrypted_value` BLOB NOT NULL,
    `wrapped_dek` BLOB NOT NULL,
    `kek_version` INTEGER NOT NULL,
    `masked_value` VARCHAR(500) NOT NULL,
    `provider` VARCHAR(64),
    `auth_config` TEXT,
    `description` TEXT,
    `created_by` VARCHAR(255),
    `created_at` BIGINT NOT NULL,
    `last_updated_by` VARCHAR(255),
    `last_updated_at` BIGINT NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`secret_id`),
    UNIQUE KEY `uq_secrets_workspace_secret_name` (`workspace`,`secret_name`),
    KEY `idx_secrets_workspace` (`workspace`)
);

-- secret_id and secret_name are the additional authenticated data of the encrypted value.
CREATE TRIGGER prevent_secrets_aad_mutation
BEFORE UPDATE ON secrets
FOR EACH ROW
BEGIN
    IF OLD.secret_id != NEW.secret_id OR OLD.secret_name != NEW.secret_name THEN
        SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'secret_id and secret_name are immutable (used as AAD in encryption)';
    END IF;
END;

CREATE TABLE `endpoints` (
    `endpoint_id` VARCHAR(36) NOT NULL,
    `name` VARCHAR(255),
    `created_by` VARCHAR(255),
    `created_at` BIGINT NOT NULL,
    `last_updated_by` VARCHAR(255),
    `last_updated_at` BIGINT NOT NULL,
    `routing_strategy` VARCHAR(64),
    `fallback_config_json` TEXT,
    `experiment_id` INTEGER,
    `usage_tracking` BOOLEAN NOT NULL DEFAULT 0,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`endpoint_id`),
    UNIQUE KEY `uq_endpoints_workspace_name` (`workspace`,`name`),
    KEY `fk_endpoints_experiment_id` (`experiment_id`),
    KEY `idx_endpoints_workspace` (`workspace`),
    CONSTRAINT `fk_endpoints_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`) ON DELETE SET NULL
);

CREATE TABLE `model_definitions` (
    `model_definition_id` VARCHAR(36) NOT NULL,
    `name` VARCHAR(255) NOT NULL,
    `secret_id` VARCHAR(36),
    `provider` VARCHAR(64) NOT NULL,
    `model_name` VARCHAR(256) NOT NULL,
    `created_by` VARCHAR(255),
    `created_at` BIGINT NOT NULL,
    `last_updated_by` VARCHAR(255),
    `last_updated_at` BIGINT NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`model_definition_id`),
    UNIQUE KEY `uq_model_definitions_workspace_name` (`workspace`,`name`),
    KEY `idx_model_definitions_workspace` (`workspace`),
    KEY `index_model_definitions_provider` (`provider`),
    KEY `index_model_definitions_secret_id` (`secret_id`),
    CONSTRAINT `fk_model_definitions_secret_id` FOREIGN KEY (`secret_id`)
        REFERENCES `secrets` (`secret_id`) ON DELETE SET NULL
);

CREATE TABLE `endpoint_model_mappings` (
    `mapping_id` VARCHAR(36) NOT NULL,
    `endpoint_id` VARCHAR(36) NOT NULL,
    `model_definition_id` VARCHAR(36) NOT NULL,
    `weight` FLOAT NOT NULL,
    `created_by` VARCHAR(255),
    `created_at` BIGINT NOT NULL,
    `linkage_type` VARCHAR(64) NOT NULL DEFAULT 'PRIMARY',
    `fallback_order` INTEGER,
    PRIMARY KEY (`mapping_id`),
    UNIQUE KEY `unique_endpoint_model_linkage_mapping`
        (`endpoint_id`,`model_definition_id`,`linkage_type`),
    KEY `index_endpoint_model_mappings_endpoint_id` (`endpoint_id`),
    KEY `index_endpoint_model_mappings_model_definition_id` (`model_definition_id`),
    CONSTRAINT `fk_endpoint_model_mappings_endpoint_id` FOREIGN KEY (`endpoint_id`)
        REFERENCES `endpoints` (`endpoint_id`) ON DELETE CASCADE,
    CONSTRAINT `fk_endpoint_model_mappings_model_definition_id` FOREIGN KEY (`model_definition_id`)
        REFERENCES `model_definitions` (`model_definition_id`)
);

CREATE TABLE `endpoint_bindings` (
    `endpoint_id` VARCHAR(36) NOT NULL,
    `resource_type` VARCHAR(50) NOT NULL,
    `resource_id` VARCHAR(255) NOT NULL,
    `created_at` BIGINT NOT NULL,
    `created_by` VARCHAR(255),
    `last_updated_at` BIGINT NOT NULL,
    `last_updated_by` VARCHAR(255),
    `display_name` VARCHAR(255),
    PRIMARY KEY (`endpoint_id`,`resource_type`,`resource_id`),
    CONSTRAINT `fk_endpoint_bindings_endpoint_id` FOREIGN KEY (`endpoint_id`)
        REFERENCES `endpoints` (`endpoint_id`) ON DELETE CASCADE
);

CREATE TABLE `endpoint_tags` (
    `key` VARCHAR(250) NOT NULL,
    `value` VARCHAR(5000),
    `endpoint_id` VARCHAR(36) NOT NULL,
    PRIMARY KEY (`key`,`endpoint_id`),
    KEY `index_endpoint_tags_endpoint_id` (`endpoint_id`),
    CONSTRAINT `fk_endpoint_tags_endpoint_id` FOREIGN KEY (`endpoint_id`)
        REFERENCES `endpoints` (`endpoint_id`) ON DELETE CASCADE
);

CREATE TABLE `budget_policies` (
    `budget_policy_id` VARCHAR(36) NOT NULL,
    `budget_unit` VARCHAR(32) NOT NULL,
    `budget_amount` FLOAT NOT NULL,
    `duration_unit` VARCHAR(32) NOT NULL,
    `duration_value` INTEGER NOT NULL,
    `target_scope` VARCHAR(32) NOT NULL,
    `budget_action` VARCHAR(32) NOT NULL,
    `created_by` VARCHAR(255),
    `created_at` BIGINT NOT NULL,
    `last_updated_by` VARCHAR(255),
    `last_updated_at` BIGINT NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`budget_policy_id`),
    KEY `idx_budget_policies_workspace` (`workspace`)
);

CREATE TABLE `guardrails` (
    `guardrail_id` VARCHAR(36) NOT NULL,
    `name` VARCHAR(255) NOT NULL,
    `scorer_id` VARCHAR(36) NOT NULL,
    `scorer_version` INTEGER NOT NULL,
    `stage` VARCHAR(32) NOT NULL,
    `action` VARCHAR(32) NOT NULL,
    `action_endpoint_id` VARCHAR(36),
    `created_by` VARCHAR(255),
    `created_at` BIGINT NOT NULL,
    `last_updated_by` VARCHAR(255),
    `last_updated_at` BIGINT NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`guardrail_id`),
    KEY `fk_guardrails_action_endpoint_id` (`action_endpoint_id`),
    KEY `idx_guardrails_scorer` (`scorer_id`,`scorer_version`),
    KEY `idx_guardrails_workspace` (`workspace`),
    CONSTRAINT `fk_guardrails_action_endpoint_id` FOREIGN KEY (`action_endpoint_id`)
        REFERENCES `endpoints` (`endpoint_id`) ON DELETE SET NULL,
    CONSTRAINT `fk_guardrails_scorer_version` FOREIGN KEY (`scorer_id`, `scorer_version`)
        REFERENCES `scorer_versions` (`scorer_id`, `scorer_version`)
);

CREATE TABLE `guardrail_configs` (
    `endpoint_id` VARCHAR(36) NOT NULL,
    `guardrail_id` VARCHAR(36) NOT NULL,
    `execution_order` INTEGER,
    `created_by` VARCHAR(255),
    `created_at` BIGINT NOT NULL,
    `workspace` VARCHAR(63) NOT NULL DEFAULT 'default',
    PRIMARY KEY (`endpoint_id`,`guardrail_id`),
    KEY `idx_guardrail_configs_endpoint_id` (`endpoint_id`),
    KEY `idx_guardrail_configs_guardrail_id` (`guardrail_id`),
    CONSTRAINT `fk_guardrail_configs_endpoint_id` FOREIGN KEY (`endpoint_id`)
        REFERENCES `endpoints` (`endpoint_id`) ON DELETE CASCADE,
    CONSTRAINT `fk_guardrail_configs_guardrail_id` FOREIGN KEY (`guardrail_id`)
        REFERENCES `guardrails` (`guardrail_id`) ON DELETE CASCADE
);

-- ------------------------------------------------------------------------------------------------
-- Workspaces. MLflow's workspace migration inserts the row `default`; so does 0001.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `workspaces` (
    `name` VARCHAR(63) NOT NULL,
    `description` TEXT,
    `default_artifact_root` TEXT,
    PRIMARY KEY (`name`)
);

INSERT IGNORE INTO `workspaces` (`name`, `description`)
VALUES ('default', 'Default workspace for legacy resources');

-- ------------------------------------------------------------------------------------------------
-- Issues.
-- ------------------------------------------------------------------------------------------------

CREATE TABLE `issues` (
    `issue_id` VARCHAR(36) NOT NULL,
    `experiment_id` INTEGER NOT NULL,
    `name` VARCHAR(250) NOT NULL,
    `description` TEXT NOT NULL,
    `status` VARCHAR(50) NOT NULL,
    `severity` VARCHAR(50),
    `root_causes` TEXT,
    `source_run_id` VARCHAR(32),
    `categories` TEXT,
    `created_timestamp` BIGINT NOT NULL,
    `last_updated_timestamp` BIGINT NOT NULL,
    `created_by` VARCHAR(255),
    PRIMARY KEY (`issue_id`),
    KEY `index_issues_experiment_id` (`experiment_id`),
    KEY `index_issues_source_run_id` (`source_run_id`),
    KEY `index_issues_status` (`status`),
    CONSTRAINT `fk_issues_experiment_id` FOREIGN KEY (`experiment_id`)
        REFERENCES `experiments` (`experiment_id`) ON DELETE CASCADE,
    CONSTRAINT `fk_issues_source_run_id` FOREIGN KEY (`source_run_id`)
        REFERENCES `runs` (`run_uuid`) ON DELETE SET NULL
);
