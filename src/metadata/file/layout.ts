/**
 * Where MLflow's file store keeps each thing (FORMATS.md §2.1-2.2), and the guard every path
 * goes through: paths built from ids and keys must stay inside the store root.
 */
import path from 'node:path'
import { invalidParameter } from '../../core/errors.js'
import { validateFileExperimentId, validateKey, validateRunId } from '../validation.js'

export const TRASH_FOLDER = '.trash'
export const META_FILE = 'meta.yaml'
export const METRICS_FOLDER = 'metrics'
export const PARAMS_FOLDER = 'params'
export const TAGS_FOLDER = 'tags'
export const ARTIFACTS_FOLDER = 'artifacts'
export const DATASETS_FOLDER = 'datasets'
export const INPUTS_FOLDER = 'inputs'
export const DEFAULT_EXPERIMENT_ID = '0'
/** Sub-folders of an experiment that are never runs. */
export const RESERVED_EXPERIMENT_FOLDERS: ReadonlySet<string> = new Set([
  TAGS_FOLDER,
  DATASETS_FOLDER,
  'traces',
  'models',
])
/** Folders at the root that are never experiments (`models` is MLflow's model registry). */
export const RESERVED_ROOT_FOLDERS: ReadonlySet<string> = new Set([TRASH_FOLDER, 'models'])

/**
 * Joins `segments` under `base` and refuses any result that leaves `base`: `..`, absolute
 * segments and NUL characters are rejected whatever validation ran before.
 */
export function inside(base: string, ...segments: string[]): string {
  const parts: string[] = []
  for (const segment of segments) {
    if (segment.includes('\0')) {
      throw invalidParameter(`Invalid path segment ${JSON.stringify(segment)}: NUL character`)
    }
    if (path.isAbsolute(segment)) {
      throw invalidParameter(
        `Invalid path segment ${JSON.stringify(segment)}: it would leave the store folder`,
      )
    }
    for (const part of segment.split(/[\\/]/)) {
      if (part === '..') {
        throw invalidParameter(
          `Invalid path segment ${JSON.stringify(segment)}: it would leave the store folder`,
        )
      }
      if (part !== '' && part !== '.') parts.push(part)
    }
  }
  if (parts.length === 0) {
    throw invalidParameter(`Invalid path ${JSON.stringify(segments.join('/'))}: it names no file`)
  }
  // No part is empty, `.`, `..` or absolute, so the joined path stays below `base`.
  return path.join(base, ...parts)
}

/** The experiment folder, active or in `.trash`. */
export interface ExperimentLocation {
  experimentId: string
  dir: string
  trashed: boolean
}

/** A run folder and the experiment folder holding it. */
export interface RunLocation {
  runId: string
  dir: string
  experiment: ExperimentLocation
}

export class StoreLayout {
  readonly trashDir: string

  constructor(readonly root: string) {
    this.trashDir = path.join(root, TRASH_FOLDER)
  }

  experiment(experimentId: string, trashed: boolean): ExperimentLocation {
    validateFileExperimentId(experimentId)
    const base = trashed ? this.trashDir : this.root
    return { experimentId, trashed, dir: inside(base, experimentId) }
  }

  run(experiment: ExperimentLocation, runId: string): RunLocation {
    validateRunId(runId)
    if (RESERVED_EXPERIMENT_FOLDERS.has(runId)) {
      throw invalidParameter(`Invalid run ID: ${JSON.stringify(runId)} names a reserved folder`)
    }
    return { runId, experiment, dir: inside(experiment.dir, runId) }
  }

  /** `<dir>/<folder>/<key>`, a key with `/` becoming nested folders. */
  keyFile(dir: string, folder: string, key: string): string {
    validateKey(key)
    return inside(dir, folder, ...key.split('/'))
  }
}
