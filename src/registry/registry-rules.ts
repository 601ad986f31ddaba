/**
 * Rules every registry backend applies (MLflow's `validation.py` and `model_version_stages.py`):
 * names, versions, tags, aliases, stages, and how the latest version of each stage is chosen.
 */
import { invalidParameter, notFound } from '../core/errors.js'
import type { KeyValue } from '../metadata/metadata-store.js'
import { validateKey } from '../metadata/validation.js'
import {
  MODEL_VERSION_STAGES,
  type ModelVersion,
  type ModelVersionStage,
} from './registry-store.js'

/** The stage MLflow gives deleted versions it keeps (their numbers are never reused). */
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal'
export const WORKSPACE = 'default'
const TAG_KEY_LIMIT = 250
const TAG_VALUE_LIMIT = 5000
const ALIAS_LIMIT = 255
const ALIAS = /^[\w-]*$/
const VERSION_ALIAS = /^[vV]\d+$/

export function validateModelName(name: unknown, parameter = 'name'): string {
  if (typeof name !== 'string' || name === '') {
    throw invalidParameter(`Missing value for required parameter '${parameter}'.`)
  }
  return name
}

/** A version number as MLflow accepts it (anything `int()` reads); returns its text. */
export function validateVersion(version: unknown): string {
  const text = typeof version === 'number' ? String(version) : version
  if (typeof text !== 'string' || !/^\s*[-+]?\d+\s*$/.test(text)) {
    throw invalidParameter(`Parameter 'version' must be an integer, got '${String(version)}'.`)
  }
  return String(Number(text))
}

export function validateRegistryTag(tag: KeyValue): KeyValue {
  const key = validateKey(tag?.key)
  if (key.length > TAG_KEY_LIMIT) {
    throw invalidParameter(`'key' exceeds the maximum length of ${TAG_KEY_LIMIT} characters`)
  }
  if (typeof tag.value !== 'string') {
    throw invalidParameter("Missing value for required parameter 'value'.")
  }
  if (tag.value.length > TAG_VALUE_LIMIT) {
    throw invalidParameter(
      `'value' exceeds the maximum length of ${TAG_VALUE_LIMIT} characters: got ` +
        `${tag.value.length} characters`,
    )
  }
  return { key, value: tag.value }
}

export function validateAlias(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') {
    throw invalidParameter('Registered model alias name cannot be empty.')
  }
  if (!ALIAS.test(alias)) {
    throw invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_) ` +
        'and dashes (-).',
    )
  }
  if (alias.length > ALIAS_LIMIT) {
    throw invalidParameter(
      `Registered model alias name exceeds the maximum length of ${ALIAS_LIMIT} characters`,
    )
  }
  if (alias.toLowerCase() === 'latest') {
    throw invalidParameter("'latest' alias name (case insensitive) is reserved.")
  }
  if (VERSION_ALIAS.test(alias)) {
    throw invalidParameter(`Version alias name '${alias}' is reserved.`)
  }
  return alias
}

/** MLflow's `get_canonical_stage`: case-insensitive, canonical spelling back. */
export function canonicalStage(stage: unknown): ModelVersionStage {
  const found = MODEL_VERSION_STAGES.find(
    (name) => typeof stage === 'string' && name.toLowerCase() === stage.toLowerCase(),
  )
  if (found === undefined) {
    throw invalidParameter(
      `Invalid Model Version stage: ${String(stage)}. Value must be one of ` +
        `${MODEL_VERSION_STAGES.join(', ')}.`,
    )
  }
  return found
}

/** Checks `archive_existing_versions`, which only Staging and Production allow. */
export function checkArchiveExisting(stage: ModelVersionStage, archive: boolean): void {
  if (archive && stage !== 'Staging' && stage !== 'Production') {
    throw invalidParameter(
      'Model version transition cannot archive existing model versions because ' +
        `'${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
    )
  }
}

/** The latest version of each requested stage (all stages when none is given), stage order. */
export function latestVersions(versions: ModelVersion[], stages?: string[]): ModelVersion[] {
  const wanted =
    stages && stages.length > 0
      ? new Set(stages.map(canonicalStage))
      : new Set(MODEL_VERSION_STAGES)
  const best = new Map<ModelVersionStage, ModelVersion>()
  for (const version of versions) {
    if (!wanted.has(version.currentStage)) continue
    const current = best.get(version.currentStage)
    if (!current || Number(version.version) > Number(current.version)) {
      best.set(version.currentStage, version)
    }
  }
  return MODEL_VERSION_STAGES.filter((stage) => best.has(stage)).map((stage) => best.get(stage)!)
}

export const registeredModelNotFound = (name: string) =>
  notFound(`Registered Model with name=${name} not found`)

export const modelVersionNotFound = (name: string, version: string) =>
  notFound(`Model Version (name=${name}, version=${version}) not found`)

export const aliasNotFound = (alias: string) =>
  invalidParameter(`Registered model alias ${alias} not found.`)

/** `models:/<name>/<version>` sources resolve to that version's download URI. */
export function parseModelsUri(source: string): { name: string; version: string } | null {
  const match = /^models:\/([^/]+)\/(\d+)\/?$/.exec(source)
  return match ? { name: decodeURIComponent(match[1]!), version: match[2]! } : null
}
