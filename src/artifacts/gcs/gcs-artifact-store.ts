import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Bucket, Storage, StorageOptions } from '@google-cloud/storage'
import { invalidParameter, notFound } from '../../core/errors.js'
import type { TrackstoreError } from '../../core/errors.js'
import type { Logger } from '../../core/logger.js'
import { silentLogger } from '../../core/logger.js'
import {
  byPath,
  checkArtifactPath,
  checkReadPath,
  isArtifactPath,
  joinPath,
  rootPrefix,
} from '../artifact-path.js'
import type {
  ArtifactBody,
  ArtifactStore,
  FileInfo,
  WriteArtifactOptions,
} from '../artifact-store.js'
import { guessContentType } from '../content-type.js'
import { downloadFromStore } from '../download.js'
import { loadSdk } from '../load-sdk.js'
import {
  checkLocalDir,
  forEachConcurrent,
  localFileSize,
  toReadable,
  walkLocalFiles,
} from '../local-files.js'
import { storeError } from '../object-store-errors.js'

/**
 * The smallest shape of a `Storage` from `@google-cloud/storage` that trackstore relies on, so
 * that these types do not require the SDK to be installed.
 */
export interface GcsStorageLike {
  bucket(name: string): unknown
}

/** Settings of the GCS store; the environment variable MLflow reads is named on each option. */
export interface GcsArtifactStoreOptions {
  /** The Google Cloud project; default: from the credentials or `GOOGLE_CLOUD_PROJECT`. */
  readonly projectId?: string
  /** A service account key file; default: Application Default Credentials. */
  readonly keyFilename?: string
  /**
   * Another API endpoint. Prefer `STORAGE_EMULATOR_HOST` for an emulator: the SDK reads it
   * itself and then sends no credentials.
   */
  readonly apiEndpoint?: string
  /** Files of at least this many bytes use a resumable upload. Default 8 MiB. */
  readonly resumableThreshold?: number
  /**
   * `MLFLOW_GCS_UPLOAD_CHUNK_SIZE`: send resumable uploads in chunks of this many bytes (a
   * multiple of 256 KiB), each buffered once. Default: one streamed request per file.
   */
  readonly uploadChunkSize?: number
  /** `MLFLOW_ARTIFACT_UPLOAD_DOWNLOAD_TIMEOUT`, in seconds, per HTTP request. */
  readonly timeoutSeconds?: number
  /** Files transferred at once by logArtifacts, downloadArtifacts and deletes. Default 4. */
  readonly concurrency?: number
  /** A ready `Storage` client; the options that configure one are then ignored. */
  readonly storage?: GcsStorageLike
  /** Where the MLflow variables are read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly logger?: Logger
}

const MIB = 1024 * 1024
const CHUNK_GRANULARITY = 256 * 1024
const INSTALL_HINT = '@google-cloud/storage'

function envNumber(
  env: GcsArtifactStoreOptions['env'],
  name: string,
  granularity = 1,
): number | undefined {
  const raw = env?.[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0 || value % granularity !== 0) {
    throw invalidParameter(
      `${name} must be a positive integer multiple of ${granularity}: '${raw}'`,
    )
  }
  return value
}

/** Reads a GCS SDK error: `ApiError.code` is the HTTP status; credential lookups fail plainly. */
function gcsError(error: unknown, action: string, uri: string): TrackstoreError {
  const raw = error as { code?: unknown; message?: unknown; name?: unknown } | null
  const message = typeof raw?.message === 'string' ? raw.message : String(error)
  const status = typeof raw?.code === 'number' ? raw.code : undefined
  const credentials = /default credentials|invalid_grant|unauthorized_client/i.test(message)
  const name = credentials ? 'Unauthorized' : typeof raw?.name === 'string' ? raw.name : 'Error'
  return storeError(error, { name, status, message }, action, uri)
}

/** Parses `gs://bucket/prefix` into its bucket and key prefix. */
export function parseGcsUri(uri: string): { bucket: string; prefix: string } {
  const match = /^gs:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(uri)
  if (match === null || match[1] === undefined) {
    throw invalidParameter(`Not a GCS URI: '${uri}'. Expected gs://<bucket>/<path>`)
  }
  return { bucket: match[1], prefix: rootPrefix(uri, match[2] ?? '') }
}

interface Settings {
  readonly resumableThreshold: number
  readonly uploadChunkSize: number | undefined
  readonly timeoutMs: number | undefined
  readonly concurrency: number
}

/**
 * Artifacts under `gs://bucket/prefix`, through `@google-cloud/storage` with Application Default
 * Credentials, as MLflow's `GCSArtifactRepository`. `STORAGE_EMULATOR_HOST` is honoured. Files
 * from the resumable threshold up use resumable uploads, streamed, or chunked when a chunk size is
 * set. The SDK is imported on first use.
 */
export class GcsArtifactStore implements ArtifactStore {
  readonly uri: string
  readonly bucketName: string
  /** The object name prefix of the root, without slashes at either end. */
  readonly prefix: string
  readonly #options: GcsArtifactStoreOptions
  readonly #settings: Settings
  readonly #logger: Logger
  #bucket: Promise<Bucket> | undefined

  constructor(uri: string, options: GcsArtifactStoreOptions = {}) {
    const { bucket, prefix } = parseGcsUri(uri)
    this.bucketName = bucket
    this.prefix = prefix
    this.uri = prefix === '' ? `gs://${bucket}` : `gs://${bucket}/${prefix}`
    this.#options = options
    this.#logger = options.logger ?? silentLogger
    const env = options.env ?? process.env
    const timeout =
      options.timeoutSeconds ?? envNumber(env, 'MLFLOW_ARTIFACT_UPLOAD_DOWNLOAD_TIMEOUT')
    const chunk =
      options.uploadChunkSize ?? envNumber(env, 'MLFLOW_GCS_UPLOAD_CHUNK_SIZE', CHUNK_GRANULARITY)
    if (chunk !== undefined && (chunk <= 0 || chunk % CHUNK_GRANULARITY !== 0)) {
      throw invalidParameter(`GCS uploadChunkSize must be a positive multiple of 256 KiB: ${chunk}`)
    }
    this.#settings = {
      resumableThreshold: options.resumableThreshold ?? 8 * MIB,
      uploadChunkSize: chunk,
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      concurrency: options.concurrency ?? 4,
    }
  }

  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    const dir = checkArtifactPath(artifactPath)
    const size = await localFileSize(localFile)
    await this.#upload(joinPath(dir, basename(localFile)), createReadStream(localFile), size)
  }

  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const dir = checkArtifactPath(artifactPath)
    await checkLocalDir(localDir)
    await forEachConcurrent(walkLocalFiles(localDir), this.#settings.concurrency, (file) =>
      this.#upload(
        joinPath(dir, file.relativePath),
        createReadStream(file.absolutePath),
        file.size,
      ),
    )
  }

  async listArtifacts(artifactPath?: string): Promise<FileInfo[]> {
    const path = checkReadPath(artifactPath)
    const bucket = await this.#load()
    const listPrefix = this.#dirPrefix(path)
    const listing: FileInfo[] = []
    let pageToken: string | undefined
    do {
      let files, next, response
      try {
        ;[files, next, response] = await bucket.getFiles({
          prefix: listPrefix,
          delimiter: '/',
          autoPaginate: false,
          maxResults: 1000,
          pageToken,
        })
      } catch (error) {
        throw gcsError(error, 'list artifacts in', this.#describe(path))
      }
      const prefixes = (response as { prefixes?: string[] } | undefined)?.prefixes ?? []
      for (const prefix of prefixes) {
        const relative = this.#relative(prefix.slice(0, -1))
        if (relative !== undefined) listing.push({ path: relative, isDir: true })
      }
      for (const file of files) {
        // The placeholder object some tools create for a "folder" is not a child.
        if (file.name === listPrefix) continue
        const relative = this.#relative(file.name)
        if (relative !== undefined) {
          listing.push({ path: relative, isDir: false, fileSize: Number(file.metadata.size ?? 0) })
        }
      }
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken
    } while (pageToken !== undefined)
    return listing.sort(byPath)
  }

  async *walkFiles(artifactPath?: string): AsyncIterable<FileInfo> {
    const path = checkReadPath(artifactPath)
    for await (const page of this.#pages(this.#dirPrefix(path), path)) {
      for (const object of page) {
        const relative = this.#relative(object.name)
        if (relative !== undefined && !object.name.endsWith('/')) {
          yield { path: relative, isDir: false, fileSize: object.size }
        }
      }
    }
  }

  downloadArtifacts(artifactPath: string, dstPath?: string): Promise<string> {
    return downloadFromStore(this, artifactPath, dstPath, this.#settings.concurrency)
  }

  async openReadStream(artifactPath: string): Promise<Readable> {
    const path = checkReadPath(artifactPath)
    if (path === '') throw notFound(`No such artifact: the root of ${this.uri} is not a file`)
    const file = (await this.#load()).file(this.#key(path))
    try {
      // The SDK sends its request only once the stream is read, so a missing object would show
      // up as a stream error; asking for the metadata first turns it into a rejected promise.
      await file.getMetadata({ timeout: this.#settings.timeoutMs })
    } catch (error) {
      throw gcsError(error, 'read artifact', this.#describe(path))
    }
    return file.createReadStream({ timeout: this.#settings.timeoutMs } as object)
  }

  async writeArtifact(
    artifactPath: string,
    body: ArtifactBody,
    options: WriteArtifactOptions = {},
  ): Promise<void> {
    const path = checkArtifactPath(artifactPath)
    if (path === '') throw invalidParameter('writeArtifact needs a file path, got the root')
    const size =
      options.size ??
      (typeof body === 'string'
        ? Buffer.byteLength(body)
        : body instanceof Uint8Array
          ? body.byteLength
          : undefined)
    await this.#upload(path, toReadable(body), size, options.contentType)
  }

  async deleteArtifacts(artifactPath?: string): Promise<void> {
    const path = checkReadPath(artifactPath)
    const bucket = await this.#load()
    const remove = async (name: string): Promise<void> => {
      try {
        await bucket.file(name).delete({ ignoreNotFound: true })
      } catch (error) {
        throw gcsError(error, `delete '${name}' in`, this.#describe(path))
      }
    }
    // The object named by the path itself, then everything below `path/`, a page at a time.
    // Matching the name without the trailing slash, as MLflow does, would catch `path2/…` too.
    if (path !== '') await remove(this.#key(path))
    const below = this.#dirPrefix(path)
    for (;;) {
      const first = await this.#pages(below, path).next()
      const page = first.done === true ? [] : first.value
      if (page.length === 0) return
      await forEachConcurrent(page, this.#settings.concurrency * 4, (object) => remove(object.name))
    }
  }

  async close(): Promise<void> {
    this.#bucket = undefined
  }

  async #upload(
    path: string,
    body: Readable,
    size: number | undefined,
    contentType?: string,
  ): Promise<void> {
    const bucket = await this.#load()
    const settings = this.#settings
    const resumable = size === undefined || size >= settings.resumableThreshold
    const target = bucket.file(this.#key(path)).createWriteStream({
      resumable,
      contentType: contentType ?? guessContentType(path),
      ...(resumable && settings.uploadChunkSize !== undefined
        ? { chunkSize: settings.uploadChunkSize }
        : {}),
      ...(settings.timeoutMs === undefined ? {} : { timeout: settings.timeoutMs }),
    })
    try {
      await pipeline(body, target)
    } catch (error) {
      throw gcsError(error, 'upload artifact to', this.#describe(path))
    }
    this.#logger.debug('uploaded artifact', { uri: this.uri, path, size, resumable })
  }

  /** Pages of the objects whose names start with `prefix`, 1,000 at most per page. */
  async *#pages(
    prefix: string,
    path: string,
  ): AsyncGenerator<{ name: string; size: number }[], void, undefined> {
    const bucket = await this.#load()
    let pageToken: string | undefined
    do {
      let files, next
      try {
        ;[files, next] = await bucket.getFiles({
          prefix,
          autoPaginate: false,
          maxResults: 1000,
          pageToken,
        })
      } catch (error) {
        throw gcsError(error, 'list artifacts in', this.#describe(path))
      }
      yield files.map((file) => ({ name: file.name, size: Number(file.metadata.size ?? 0) }))
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken
    } while (pageToken !== undefined)
  }

  #key(path: string): string {
    return joinPath(this.prefix, path)
  }

  #dirPrefix(path: string): string {
    const key = this.#key(path)
    return key === '' ? '' : `${key}/`
  }

  #relative(name: string): string | undefined {
    const root = this.#dirPrefix('')
    if (!name.startsWith(root)) return undefined
    const relative = name.slice(root.length)
    return isArtifactPath(relative) ? relative : undefined
  }

  #describe(path: string): string {
    return path === '' ? this.uri : `${this.uri}/${path}`
  }

  #load(): Promise<Bucket> {
    this.#bucket ??= this.#createBucket()
    return this.#bucket
  }

  async #createBucket(): Promise<Bucket> {
    const options = this.#options
    if (options.storage !== undefined) {
      return (options.storage as Storage).bucket(this.bucketName)
    }
    const sdk = await loadSdk(
      '@google-cloud/storage',
      'GCS',
      () => import('@google-cloud/storage'),
      INSTALL_HINT,
    )
    const config: StorageOptions = {}
    if (options.projectId !== undefined) config.projectId = options.projectId
    if (options.keyFilename !== undefined) config.keyFilename = options.keyFilename
    if (options.apiEndpoint !== undefined) config.apiEndpoint = options.apiEndpoint
    if (this.#settings.timeoutMs !== undefined) config.timeout = this.#settings.timeoutMs
    return new sdk.Storage(config).bucket(this.bucketName)
  }
}
