/**
 * MLflow's alembic revisions as data, so that stores and tools can decide what they may do with a
 * database from the revision it carries. Source: `mlflow/store/db_migrations/versions`, in the
 * order alembic applies them (FORMATS.md §4.1).
 */

/** The revision trackstore creates and writes: MLflow 3.11's head. */
export const MLFLOW_HEAD_REVISION = '7d34483879f0'

/** Every revision of MLflow's chain, oldest first; the last one is the head. */
export const MLFLOW_ALEMBIC_REVISIONS: readonly string[] = Object.freeze([
  '451aebb31d03',
  '90e64c465722',
  '181f10493468',
  'df50e92ffc5e',
  '7ac759974ad8',
  '89d4b8295536',
  '2b4d017a5e9b',
  'cfd24bdc0731',
  '0a8213491aaa',
  '728d730b5ebd',
  '27a6a02d2cf1',
  '84291f40a231',
  'a8c4a736bde6',
  '39d1c3be5f05',
  'c48cb773bb87',
  'bd07f7e963c5',
  '0c779009ac13',
  'cc1f77228345',
  '97727af70f4d',
  '3500859a5d39',
  '7f2a7d5fae7d',
  '2d6e25af4d3e',
  'acf3f17fdcc7',
  '867495a8f9d4',
  '5b0e9adcef9c',
  '4465047574b1',
  'f5a4f2784254',
  '0584bdc529eb',
  '400f98739977',
  '6953534de441',
  'bda7b8c39065',
  'cbc13b556ace',
  '770bee3ae1dd',
  'a1b2c3d4e5f6',
  'de4033877273',
  '1a0cddfcaa16',
  '534353b11cbc',
  '71994744cf8e',
  '3da73c924c2f',
  'bf29a5ff90ea',
  '1bd49d398cd23',
  'b7c8d9e0f1a2',
  '5d2d30f0abce',
  'c9d4e5f6a7b8',
  '2c33131f4dae',
  'd3e4f5a6b7c8',
  'd0e1f2a3b4c5',
  'c8d9e0f1a2b3',
  '1b5f0d9ad7c1',
  'e1f2a3b4c5d6',
  '76601a5f987d',
  'c3d6457b6d8a',
  'a5b4c3d2e1f0',
  'ae8bbe7743c9',
  MLFLOW_HEAD_REVISION,
])

/**
 * The first revision at which the tables the tracking store reads (experiments,
 * experiment_tags, runs, metrics, latest_metrics, params, tags, datasets, inputs, input_tags)
 * have the columns, types and keys they have at the head: `1b5f0d9ad7c1` added
 * experiments.workspace and made (workspace, name) the unique key of experiments. The later
 * revisions create other tables (budget_policies, issues, guardrails), add jobs.status_details,
 * and add indexes; the one index on a core table, index_metrics_run_uuid_key_step
 * (`a5b4c3d2e1f0`), changes how fast metric history is read, not what is read.
 */
export const FIRST_READABLE_REVISION = '1b5f0d9ad7c1'

/**
 * Revisions whose core tracking tables match the head's, so the tracking store can read them.
 * Writes need exactly {@link MLFLOW_HEAD_REVISION}, because MLflow refuses to open any other.
 */
export const READABLE_ALEMBIC_REVISIONS: readonly string[] = Object.freeze(
  MLFLOW_ALEMBIC_REVISIONS.slice(MLFLOW_ALEMBIC_REVISIONS.indexOf(FIRST_READABLE_REVISION)),
)

/** Where a revision sits relative to the head: `unknown` is not in MLflow 3.11's chain. */
export type RevisionRelation = 'head' | 'older' | 'unknown'

export function revisionRelation(revision: string): RevisionRelation {
  if (revision === MLFLOW_HEAD_REVISION) return 'head'
  return MLFLOW_ALEMBIC_REVISIONS.includes(revision) ? 'older' : 'unknown'
}

export function isReadableRevision(revision: string | null): boolean {
  return revision !== null && READABLE_ALEMBIC_REVISIONS.includes(revision)
}
