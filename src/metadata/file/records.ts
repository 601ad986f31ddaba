/**
 * The meta.yaml documents of experiments, runs, datasets and inputs (FORMATS.md §2.4, §2.5,
 * §2.10): what trackstore writes, in MLflow's keys and types, and how it reads every form MLflow
 * still reads (integer experiment ids, runs without `run_name` or `lifecycle_stage`, `run_uuid`
 * without `run_id`). A document that cannot be read raises an error naming its file.
 */
import { createHash } from 'node:crypto'
import { invalidState } from '../../core/errors.js'
import type { Dataset, Experiment, LifecycleStage, RunInfo, RunStatus } from '../metadata-store.js'
import { dumpYaml, parseYaml } from './pyyaml.js'
import type { YamlMapping, YamlValue } from './pyyaml.js'

/** RunStatus as the integers of MLflow's proto enum, which is what run meta.yaml holds. */
const STATUS_CODES: Record<RunStatus, number> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
}
const STATUS_NAMES = new Map(Object.entries(STATUS_CODES).map(([name, code]) => [code, name]))
/** SourceType.LOCAL, the constant MLflow writes into every run meta.yaml. */
const SOURCE_TYPE_LOCAL = 4

/** A meta.yaml that exists but cannot be used. */
export function corrupt(file: string, detail: string, cause?: unknown): Error {
  return invalidState(`Malformed metadata in ${file}: ${detail}`, cause)
}

/**
 * Parses a meta.yaml document into a mapping.
 * @throws INVALID_STATE naming the file when it is not YAML or not a mapping.
 */
export function parseMeta(text: string, file: string): YamlMapping {
  let value: YamlValue
  try {
    value = parseYaml(text)
  } catch (error) {
    throw corrupt(file, `not valid YAML (${(error as Error).message})`, error)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw corrupt(file, 'expected a mapping of fields')
  }
  return value
}

function text(meta: YamlMapping, key: string, file: string, fallback?: string): string {
  const value = meta[key]
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback
    throw corrupt(file, `the field '${key}' is missing`)
  }
  if (typeof value === 'string') return value
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value)
  }
  throw corrupt(file, `the field '${key}' is not text`)
}

function optionalText(meta: YamlMapping, key: string, file: string): string | null {
  return meta[key] === undefined || meta[key] === null ? null : text(meta, key, file)
}

function time(meta: YamlMapping, key: string, file: string): number | null {
  const value = meta[key]
  if (value === undefined || value === null) return null
  const number = typeof value === 'bigint' ? Number(value) : value
  if (typeof number === 'number' && Number.isFinite(number)) return Math.trunc(number)
  throw corrupt(file, `the field '${key}' is not a time in milliseconds`)
}

function lifecycle(meta: YamlMapping, file: string): LifecycleStage {
  const value = meta.lifecycle_stage
  if (value === undefined || value === null) return 'active'
  if (value === 'active' || value === 'deleted') return value
  throw corrupt(file, `unknown lifecycle_stage ${JSON.stringify(value)}`)
}

// ---------------------------------------------------------------------------------------------
// Experiments

/** An experiment without its tags (they live in files). */
export type ExperimentRecord = Omit<Experiment, 'tags'>

/**
 * The experiment meta.yaml. `tagsSnapshot` is the `tags:` mapping MLflow adds when it rewrites
 * the file on delete, restore and rename; it is informational, readers use the tag files.
 */
export function formatExperimentMeta(
  experiment: ExperimentRecord,
  tagsSnapshot?: Record<string, string>,
): string {
  const meta: YamlMapping = {
    artifact_location: experiment.artifactLocation,
    creation_time: experiment.creationTime,
    experiment_id: experiment.experimentId,
    last_update_time: experiment.lastUpdateTime,
    lifecycle_stage: experiment.lifecycleStage,
    name: experiment.name,
    trace_location: null,
    workspace: 'default',
  }
  if (tagsSnapshot !== undefined) meta.tags = tagsSnapshot
  return dumpYaml(meta)
}

/** Drops the informational `tags:` block, for the rare snapshot the YAML reader cannot parse. */
function withoutTagsBlock(source: string): string {
  return source.replace(/^tags:.*\n(?:[ ?:].*\n|\n)*/m, '')
}

/**
 * Reads an experiment meta.yaml found in the folder `folderId`.
 * @throws INVALID_STATE naming the file when it is malformed or its id is not its folder's.
 */
export function parseExperimentMeta(
  source: string,
  folderId: string,
  file: string,
): ExperimentRecord {
  let meta: YamlMapping
  try {
    meta = parseMeta(source, file)
  } catch (error) {
    const stripped = withoutTagsBlock(source)
    if (stripped === source) throw error
    meta = parseMeta(stripped, file)
  }
  const experimentId = text(meta, 'experiment_id', file)
  if (experimentId !== folderId) {
    throw corrupt(
      file,
      `it records experiment id '${experimentId}' but lies in the folder '${folderId}'`,
    )
  }
  return {
    experimentId,
    name: text(meta, 'name', file),
    artifactLocation: text(meta, 'artifact_location', file, ''),
    lifecycleStage: lifecycle(meta, file),
    creationTime: time(meta, 'creation_time', file),
    lastUpdateTime: time(meta, 'last_update_time', file),
  }
}

// ---------------------------------------------------------------------------------------------
// Runs

/**
 * The run meta.yaml. `deleted_time` is written as `null` when a run is created, with its value
 * while the run is deleted, and left out otherwise, as MLflow does. Both `run_id` and
 * `run_uuid` are written so MLflow 2.x (which requires `run_uuid`) reads the folder too.
 */
export function formatRunMeta(info: RunInfo, creating = false): string {
  const meta: YamlMapping = {
    artifact_uri: info.artifactUri,
    end_time: info.endTime,
    entry_point_name: '',
    experiment_id: info.experimentId,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
    run_name: info.runName,
    run_uuid: info.runId,
    source_name: '',
    source_type: SOURCE_TYPE_LOCAL,
    source_version: '',
    start_time: info.startTime,
    status: STATUS_CODES[info.status],
    tags: [],
    user_id: info.userId,
  }
  if (creating || info.deletedTime !== null) meta.deleted_time = info.deletedTime
  return dumpYaml(meta)
}

function status(meta: YamlMapping, file: string): RunStatus {
  const value = meta.status
  if (value === undefined || value === null) return 'RUNNING'
  const code = typeof value === 'bigint' ? Number(value) : value
  if (typeof code === 'number' && STATUS_NAMES.has(code)) return STATUS_NAMES.get(code) as RunStatus
  if (typeof value === 'string' && value in STATUS_CODES) return value as RunStatus
  throw corrupt(file, `unknown run status ${JSON.stringify(String(value))}`)
}

/** A run's info as read from meta.yaml; `runName` is null when the file has none (MLflow ≤1.29). */
export type RunInfoRecord = Omit<RunInfo, 'runName'> & { runName: string | null }

/**
 * Reads a run meta.yaml found at `<experiment folder>/<run folder>`.
 * @throws INVALID_STATE naming the file when it is malformed or its ids are not its folders'.
 */
export function parseRunMeta(
  source: string,
  experimentFolder: string,
  runFolder: string,
  file: string,
): RunInfoRecord {
  const meta = parseMeta(source, file)
  const runId = text(meta, 'run_id', file, text(meta, 'run_uuid', file, ''))
  const experimentId = text(meta, 'experiment_id', file)
  if (experimentId !== experimentFolder || runId !== runFolder) {
    throw corrupt(
      file,
      `run ${runFolder} metadata is in invalid state: it records experiment ` +
        `'${experimentId}' and run '${runId}'`,
    )
  }
  return {
    runId,
    runName: optionalText(meta, 'run_name', file),
    experimentId,
    userId: text(meta, 'user_id', file, ''),
    status: status(meta, file),
    startTime: time(meta, 'start_time', file),
    endTime: time(meta, 'end_time', file),
    artifactUri: text(meta, 'artifact_uri', file, ''),
    lifecycleStage: lifecycle(meta, file),
    deletedTime: time(meta, 'deleted_time', file),
  }
}

// ---------------------------------------------------------------------------------------------
// Datasets and inputs

const md5 = (value: string): string => createHash('md5').update(value, 'utf8').digest('hex')

/** The dataset folder id: md5 of the UTF-8 name followed by the digest. */
export const datasetFolderId = (name: string, digest: string): string => md5(`${name}${digest}`)

/** The input folder id: md5 of the dataset folder id followed by the run id. */
export const inputFolderId = (datasetId: string, runId: string): string =>
  md5(`${datasetId}${runId}`)

export function formatDatasetMeta(dataset: Dataset): string {
  return dumpYaml({
    digest: dataset.digest,
    name: dataset.name,
    profile: dataset.profile ?? null,
    schema: dataset.schema ?? null,
    source: dataset.source,
    source_type: dataset.sourceType,
  })
}

export function parseDatasetMeta(source: string, file: string): Dataset {
  const meta = parseMeta(source, file)
  return {
    name: text(meta, 'name', file),
    digest: text(meta, 'digest', file),
    sourceType: text(meta, 'source_type', file),
    source: text(meta, 'source', file),
    schema: optionalText(meta, 'schema', file),
    profile: optionalText(meta, 'profile', file),
  }
}

/**
 * A dataset input of a run. As MLflow writes it, `destination_id` repeats the dataset id
 * (an upstream quirk kept so MLflow reads the file the same way).
 */
export function formatInputMeta(datasetId: string, tags: Record<string, string>): string {
  return dumpYaml({
    destination_id: datasetId,
    destination_type: 'RUN',
    source_id: datasetId,
    source_type: 'DATASET',
    tags,
  })
}

export interface InputRecord {
  sourceType: string
  sourceId: string
  tags: Record<string, string>
}

export function parseInputMeta(source: string, file: string): InputRecord {
  const meta = parseMeta(source, file)
  const tags: Record<string, string> = {}
  const raw = meta.tags
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw corrupt(file, "'tags' is not a mapping")
    for (const key of Object.keys(raw)) tags[key] = text(raw, key, file)
  }
  return {
    sourceType: text(meta, 'source_type', file),
    sourceId: text(meta, 'source_id', file),
    tags,
  }
}
