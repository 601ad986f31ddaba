/**
 * The meta.yaml documents of MLflow's file registry (`<root>/models/<name>/meta.yaml` and
 * `<root>/models/<name>/version-<n>/meta.yaml`), written byte for byte as PyYAML writes them
 * (through the file store's PyYAML writer) and read as MLflow reads them.
 */
import { corrupt, parseMeta } from '../../metadata/file/records.js'
import { dumpYaml } from '../../metadata/file/pyyaml.js'
import { canonicalStage, WORKSPACE } from '../registry-rules.js'
import type { ModelVersion, RegisteredModel } from '../registry-store.js'

/** A registered model as meta.yaml holds it (tags, aliases and versions live in folders). */
export type RegisteredModelRecord = Pick<
  RegisteredModel,
  'name' | 'creationTimestamp' | 'lastUpdatedTimestamp' | 'description'
> & { deploymentJobId: string | null; deploymentJobState: string | null }

/** A version as meta.yaml holds it (tags and aliases live in folders). */
export type ModelVersionRecord = Omit<ModelVersion, 'tags' | 'aliases'> & {
  deploymentJobState: string | null
}

/**
 * The registered model meta.yaml. `aliases` is the snapshot MLflow writes with every rewrite;
 * readers use the `aliases/` folder.
 */
export function formatRegisteredModelMeta(
  model: RegisteredModelRecord,
  aliases: Record<string, string>,
): string {
  return dumpYaml({
    aliases,
    creation_timestamp: model.creationTimestamp,
    deployment_job_id: model.deploymentJobId,
    deployment_job_state: model.deploymentJobState,
    description: model.description,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    name: model.name,
    workspace: WORKSPACE,
  })
}

type Meta = Record<string, unknown>

function text(meta: Meta, key: string, file: string): string | null {
  const value = meta[key]
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value)
  }
  throw corrupt(file, `the field '${key}' is not text`)
}

function time(meta: Meta, key: string, file: string): number | null {
  const value = meta[key]
  if (value === undefined || value === null) return null
  const number = typeof value === 'bigint' ? Number(value) : value
  if (typeof number === 'number' && Number.isFinite(number)) return Math.trunc(number)
  throw corrupt(file, `the field '${key}' is not a time in milliseconds`)
}

export function parseRegisteredModelMeta(source: string, file: string): RegisteredModelRecord {
  const meta = parseMeta(source, file)
  const name = text(meta, 'name', file)
  if (name === null) throw corrupt(file, "the field 'name' is missing")
  return {
    name,
    creationTimestamp: time(meta, 'creation_timestamp', file),
    lastUpdatedTimestamp: time(meta, 'last_updated_timestamp', file),
    description: text(meta, 'description', file),
    deploymentJobId: text(meta, 'deployment_job_id', file),
    deploymentJobState: text(meta, 'deployment_job_state', file),
  }
}

/**
 * The model version meta.yaml (`version` as an integer, `status` as its name). `stage` is
 * MLflow's internal `Deleted_Internal` for a deleted version.
 */
export function formatModelVersionMeta(
  version: ModelVersionRecord,
  stage: string = version.currentStage,
): string {
  return dumpYaml({
    creation_timestamp: version.creationTimestamp,
    current_stage: stage,
    deployment_job_state: version.deploymentJobState,
    description: version.description,
    last_updated_timestamp: version.lastUpdatedTimestamp,
    model_id: version.modelId,
    name: version.name,
    run_id: version.runId,
    run_link: version.runLink,
    source: version.source,
    status: version.status,
    status_message: version.statusMessage,
    storage_location: version.storageLocation,
    user_id: version.userId,
    version: Number(version.version),
    workspace: WORKSPACE,
  })
}

/** A version record; `deleted` is true for MLflow's `Deleted_Internal` stage. */
export function parseModelVersionMeta(
  source: string,
  file: string,
): { record: ModelVersionRecord; deleted: boolean } {
  const meta = parseMeta(source, file)
  const name = text(meta, 'name', file)
  const version = text(meta, 'version', file)
  if (name === null || version === null) throw corrupt(file, 'the name or version is missing')
  const stage = text(meta, 'current_stage', file) ?? 'None'
  const deleted = stage === 'Deleted_Internal'
  return {
    deleted,
    record: {
      name,
      version,
      creationTimestamp: time(meta, 'creation_timestamp', file),
      lastUpdatedTimestamp: time(meta, 'last_updated_timestamp', file),
      userId: text(meta, 'user_id', file),
      currentStage: deleted ? 'None' : canonicalStage(stage),
      description: text(meta, 'description', file),
      source: text(meta, 'source', file),
      runId: text(meta, 'run_id', file),
      runLink: text(meta, 'run_link', file),
      status: text(meta, 'status', file),
      statusMessage: text(meta, 'status_message', file),
      storageLocation: text(meta, 'storage_location', file),
      modelId: text(meta, 'model_id', file),
      deploymentJobState: text(meta, 'deployment_job_state', file),
    },
  }
}
