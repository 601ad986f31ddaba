import { fileURLToPath } from 'node:url'
import { invalidParameter } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type { ArtifactStore } from './artifact-store.js'
import { GcsArtifactStore } from './gcs/gcs-artifact-store.js'
import type { GcsArtifactStoreOptions } from './gcs/gcs-artifact-store.js'
import { LocalArtifactStore } from './local/local-artifact-store.js'
import { S3ArtifactStore } from './s3/s3-artifact-store.js'
import type { S3ArtifactStoreOptions } from './s3/s3-config.js'

export interface OpenArtifactStoreOptions {
  /** Passed to every backend that is opened. */
  readonly logger?: Logger
  /** Settings of `s3://` stores. */
  readonly s3?: S3ArtifactStoreOptions
  /** Settings of `gs://` stores. */
  readonly gcs?: GcsArtifactStoreOptions
}

/**
 * Opens the artifact store at an MLflow artifact URI: a plain path or a `file:` URI (local disk),
 * `s3://bucket/prefix` or `gs://bucket/prefix`. Does no I/O: object store SDKs are loaded on first
 * use. Throws INVALID_PARAMETER_VALUE for a malformed URI or a scheme trackstore does not serve.
 */
export function openArtifactStore(
  uri: string,
  options: OpenArtifactStoreOptions = {},
): ArtifactStore {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase()
  // A one-letter "scheme" is a Windows drive (`C:\runs`), which is a plain path.
  if (scheme === undefined || scheme.length === 1) {
    if (uri === '') throw invalidParameter('An artifact URI must not be empty')
    return new LocalArtifactStore(uri, { logger: options.logger })
  }
  switch (scheme) {
    case 'file':
      return new LocalArtifactStore(fileUriToPath(uri), { logger: options.logger })
    case 's3':
      return new S3ArtifactStore(uri, { logger: options.logger, ...options.s3 })
    case 'gs':
      return new GcsArtifactStore(uri, { logger: options.logger, ...options.gcs })
    default:
      throw invalidParameter(
        `Could not find an artifact store for the URI '${uri}': trackstore serves plain paths, ` +
          'file:, s3:// and gs:// URIs',
      )
  }
}

/**
 * The local path of a `file:` URI, as MLflow's `local_file_uri_to_path`: `file:///abs/path`,
 * `file://localhost/abs/path`, and the relative form `file:relative/path`.
 */
function fileUriToPath(uri: string): string {
  if (!uri.startsWith('file://')) return decodeURIComponent(uri.slice('file:'.length))
  try {
    return fileURLToPath(uri)
  } catch (error) {
    throw invalidParameter(`Invalid file URI '${uri}': ${(error as Error).message}`, error)
  }
}
