import { createReadStream } from 'node:fs'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import type * as S3Module from '@aws-sdk/client-s3'
import type { ObjectIdentifier, S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import type * as StorageModule from '@aws-sdk/lib-storage'
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
import { resolveS3Settings } from './s3-config.js'
import { sendFromFile, uploadFileInParts } from './s3-multipart.js'
import type { ObjectParams } from './s3-multipart.js'
import type { S3ArtifactStoreOptions, S3Settings } from './s3-config.js'

type S3Sdk = typeof S3Module
type StorageSdk = typeof StorageModule

interface Sdk {
  readonly s3: S3Sdk
  readonly storage: StorageSdk
  readonly client: S3Client
}

const INSTALL_HINT = '@aws-sdk/client-s3 @aws-sdk/lib-storage'
const SILENT_SDK_LOGGER = { debug() {}, info() {}, warn() {}, error() {} }

/** Reads an S3 SDK error: its code is the error name; the HTTP status sits in `$metadata`. */
function s3Error(error: unknown, action: string, uri: string): TrackstoreError {
  const raw = error as {
    name?: unknown
    message?: unknown
    $metadata?: { httpStatusCode?: number }
  }
  return storeError(
    error,
    {
      name: typeof raw?.name === 'string' ? raw.name : 'Error',
      status: raw?.$metadata?.httpStatusCode,
      message:
        typeof raw?.message === 'string' && raw.message !== 'UnknownError' ? raw.message : '',
    },
    action,
    uri,
  )
}

/**
 * Parses `s3://bucket/prefix` into its bucket and key prefix. Throws INVALID_PARAMETER_VALUE for
 * another scheme, a missing bucket or a non-normalised prefix.
 */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(uri)
  if (match === null || match[1] === undefined) {
    throw invalidParameter(`Not an S3 URI: '${uri}'. Expected s3://<bucket>/<path>`)
  }
  return { bucket: match[1], prefix: rootPrefix(uri, match[2] ?? '') }
}

/**
 * Artifacts under `s3://bucket/prefix`, through `@aws-sdk/client-s3` and `@aws-sdk/lib-storage`,
 * configured as MLflow's `S3ArtifactRepository` is (see {@link S3ArtifactStoreOptions}). Objects
 * below the multipart threshold go up in one PutObject, larger ones in parts. Local files are
 * sent part by part straight from disk, `uploadQueueSize` parts at once, without buffering;
 * streams above the threshold or of unknown length buffer each part once, so memory stays
 * bounded by `partSize × uploadQueueSize`.
 * The SDK is imported on first use.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly uri: string
  readonly bucket: string
  /** The key prefix of the root, without slashes at either end; empty for the bucket root. */
  readonly prefix: string
  readonly #settings: S3Settings
  readonly #injected: S3Client | undefined
  readonly #logger: Logger
  #sdk: Promise<Sdk> | undefined

  constructor(uri: string, options: S3ArtifactStoreOptions = {}) {
    const { bucket, prefix } = parseS3Uri(uri)
    this.bucket = bucket
    this.prefix = prefix
    this.uri = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`
    this.#settings = resolveS3Settings(options)
    this.#injected = options.client as S3Client | undefined
    this.#logger = options.logger ?? silentLogger
  }

  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    const dir = checkArtifactPath(artifactPath)
    const size = await localFileSize(localFile)
    await this.#uploadFile(joinPath(dir, basename(localFile)), localFile, size)
  }

  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const dir = checkArtifactPath(artifactPath)
    await checkLocalDir(localDir)
    await forEachConcurrent(walkLocalFiles(localDir), this.#settings.concurrency, (file) =>
      this.#uploadFile(joinPath(dir, file.relativePath), file.absolutePath, file.size),
    )
  }

  async listArtifacts(artifactPath?: string): Promise<FileInfo[]> {
    const path = checkReadPath(artifactPath)
    const { s3, client } = await this.#load()
    const listPrefix = this.#dirPrefix(path)
    const listing: FileInfo[] = []
    let token: string | undefined
    do {
      let page
      try {
        page = await client.send(
          new s3.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: listPrefix,
            Delimiter: '/',
            ContinuationToken: token,
            ExpectedBucketOwner: this.#settings.expectedBucketOwner,
          }),
        )
      } catch (error) {
        throw s3Error(error, 'list artifacts in', this.#describe(path))
      }
      for (const common of page.CommonPrefixes ?? []) {
        const relative = this.#relative(common.Prefix?.slice(0, -1))
        if (relative !== undefined) listing.push({ path: relative, isDir: true })
      }
      for (const object of page.Contents ?? []) {
        // A key equal to the listed prefix is a folder placeholder, not a child.
        if (object.Key === listPrefix) continue
        const relative = this.#relative(object.Key)
        if (relative !== undefined) {
          listing.push({ path: relative, isDir: false, fileSize: object.Size ?? 0 })
        }
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return listing.sort(byPath)
  }

  async *walkFiles(artifactPath?: string): AsyncIterable<FileInfo> {
    const path = checkReadPath(artifactPath)
    for await (const objects of this.#pages(this.#dirPrefix(path), path)) {
      for (const object of objects) {
        const relative = this.#relative(object.key)
        if (relative !== undefined && !object.key.endsWith('/')) {
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
    const { s3, client } = await this.#load()
    try {
      const output = await client.send(
        new s3.GetObjectCommand({
          Bucket: this.bucket,
          Key: this.#key(path),
          ExpectedBucketOwner: this.#settings.expectedBucketOwner,
        }),
      )
      return output.Body as Readable
    } catch (error) {
      throw s3Error(error, 'read artifact', this.#describe(path))
    }
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
    // The object named by the path itself (a file), then everything below `path/`, page by page.
    // Listing without the trailing slash, as MLflow does, would also catch `path2/…`.
    if (path !== '') await this.#deleteKeys([{ Key: this.#key(path) }], path)
    const below = this.#dirPrefix(path)
    for (;;) {
      // Each round lists from the start: the previous page is gone, and a continuation token
      // taken before a delete is not guaranteed to stay valid on every S3-compatible server.
      const first = await this.#pages(below, path).next()
      const objects = first.done === true ? [] : first.value
      if (objects.length === 0) return
      await this.#deleteKeys(
        objects.map((object) => ({ Key: object.key })),
        path,
      )
    }
  }

  async close(): Promise<void> {
    const sdk = this.#sdk
    this.#sdk = undefined
    if (sdk !== undefined && this.#injected === undefined) {
      try {
        ;(await sdk).client.destroy()
      } catch {
        // The SDK never loaded; there is nothing to release.
      }
    }
  }

  /** What every request writing the object at `path` carries (MLflow's extra args included). */
  #objectParams(path: string, contentType?: string): ObjectParams {
    return {
      Bucket: this.bucket,
      Key: this.#key(path),
      ContentType: contentType ?? guessContentType(path),
      ExpectedBucketOwner: this.#settings.expectedBucketOwner,
      ...this.#settings.uploadExtraArgs,
    }
  }

  /**
   * Uploads one local file, read straight from disk: a single PutObject below the threshold,
   * above it a multipart upload whose parts are streamed from their byte ranges of the file.
   */
  async #uploadFile(path: string, file: string, size: number): Promise<void> {
    const { s3, client } = await this.#load()
    const settings = this.#settings
    const params = this.#objectParams(path)
    try {
      if (size < settings.multipartThreshold) {
        await sendFromFile(
          (body) =>
            client.send(new s3.PutObjectCommand({ ...params, Body: body, ContentLength: size })),
          () => createReadStream(file),
        )
      } else {
        await uploadFileInParts({
          s3,
          client,
          params,
          file,
          size,
          partSize: settings.partSize,
          queueSize: settings.uploadQueueSize,
          onAbortFailure: (error) =>
            this.#logger.warn('could not abort a failed multipart upload', {
              uri: this.uri,
              path,
              error: String(error),
            }),
        })
      }
    } catch (error) {
      throw s3Error(error, 'upload artifact to', this.#describe(path))
    }
    this.#logger.debug('uploaded artifact', { uri: this.uri, path, size })
  }

  /**
   * Uploads one object from a stream or a buffer: a single PutObject when the size is known and
   * below the threshold, otherwise lib-storage's multipart upload, which buffers each part (a
   * stream can be neither read twice nor read at several offsets at once).
   */
  async #upload(
    path: string,
    body: Readable,
    size: number | undefined,
    contentType?: string,
  ): Promise<void> {
    const { s3, storage, client } = await this.#load()
    const settings = this.#settings
    const params = { ...this.#objectParams(path, contentType), Body: body }
    try {
      if (size !== undefined && size < settings.multipartThreshold) {
        await client.send(new s3.PutObjectCommand({ ...params, ContentLength: size }))
      } else {
        const upload = new storage.Upload({
          client,
          params,
          partSize: settings.partSize,
          queueSize: settings.uploadQueueSize,
          leavePartsOnError: false,
        })
        await upload.done()
      }
    } catch (error) {
      body.destroy()
      throw s3Error(error, 'upload artifact to', this.#describe(path))
    }
    this.#logger.debug('uploaded artifact', { uri: this.uri, path, size })
  }

  /** Pages of the objects whose keys start with `prefix`, 1,000 at most per page. */
  async *#pages(
    prefix: string,
    path: string,
  ): AsyncGenerator<{ key: string; size: number }[], void, undefined> {
    const { s3, client } = await this.#load()
    let token: string | undefined
    do {
      let page
      try {
        page = await client.send(
          new s3.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ExpectedBucketOwner: this.#settings.expectedBucketOwner,
          }),
        )
      } catch (error) {
        throw s3Error(error, 'list artifacts in', this.#describe(path))
      }
      yield (page.Contents ?? []).flatMap((object) =>
        object.Key === undefined ? [] : [{ key: object.Key, size: object.Size ?? 0 }],
      )
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  async #deleteKeys(objects: ObjectIdentifier[], path: string): Promise<void> {
    const { s3, client } = await this.#load()
    let output
    try {
      output = await client.send(
        new s3.DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: objects, Quiet: true },
          ExpectedBucketOwner: this.#settings.expectedBucketOwner,
        }),
      )
    } catch (error) {
      throw s3Error(error, 'delete artifacts in', this.#describe(path))
    }
    const failure = output.Errors?.[0]
    if (failure !== undefined) {
      const error = Object.assign(new Error(failure.Message ?? ''), {
        name: failure.Code ?? 'Error',
      })
      throw s3Error(error, `delete '${failure.Key ?? ''}' in`, this.#describe(path))
    }
  }

  /** The object key of an artifact path. */
  #key(path: string): string {
    return joinPath(this.prefix, path)
  }

  /** The key prefix of everything below an artifact path, ending in `/` (empty at bucket root). */
  #dirPrefix(path: string): string {
    const key = this.#key(path)
    return key === '' ? '' : `${key}/`
  }

  /** The artifact path of a key below the root, or undefined for a key no path can name. */
  #relative(key: string | undefined): string | undefined {
    if (key === undefined) return undefined
    const root = this.#dirPrefix('')
    if (!key.startsWith(root)) return undefined
    const relative = key.slice(root.length)
    return isArtifactPath(relative) ? relative : undefined
  }

  #describe(path: string): string {
    return path === '' ? this.uri : `${this.uri}/${path}`
  }

  #load(): Promise<Sdk> {
    this.#sdk ??= this.#createSdk()
    return this.#sdk
  }

  async #createSdk(): Promise<Sdk> {
    const [s3, storage] = await Promise.all([
      loadSdk('@aws-sdk/client-s3', 'S3', () => import('@aws-sdk/client-s3'), INSTALL_HINT),
      loadSdk('@aws-sdk/lib-storage', 'S3', () => import('@aws-sdk/lib-storage'), INSTALL_HINT),
    ])
    if (this.#injected !== undefined) return { s3, storage, client: this.#injected }
    const client = new s3.S3Client(this.#clientConfig(this.#settings.region))
    if (this.#settings.region === undefined) {
      try {
        await client.config.region()
      } catch {
        // No region in the environment or the AWS config file: boto3 then talks to us-east-1,
        // and region redirects take requests to the bucket's own region.
        client.destroy()
        return { s3, storage, client: new s3.S3Client(this.#clientConfig('us-east-1')) }
      }
    }
    return { s3, storage, client }
  }

  #clientConfig(region: string | undefined): S3ClientConfig {
    const settings = this.#settings
    const checksums = settings.checksums === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED'
    return {
      region,
      endpoint: settings.endpointUrl,
      forcePathStyle: settings.forcePathStyle,
      followRegionRedirects: true,
      credentials: settings.credentials,
      requestChecksumCalculation: checksums,
      responseChecksumValidation: checksums,
      // The SDK would otherwise print to the console, e.g. when a streamed part fails (which
      // s3-multipart.ts retries itself); failures reach the caller as errors.
      logger: SILENT_SDK_LOGGER,
      requestHandler: {
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
        httpsAgent: new HttpsAgent({
          keepAlive: true,
          maxSockets: 64,
          rejectUnauthorized: !settings.ignoreTls,
        }),
      },
      ...(settings.unsigned
        ? { signer: { sign: async <T>(request: T): Promise<T> => request } }
        : {}),
    }
  }
}
