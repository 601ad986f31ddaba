import type { Readable } from 'node:stream'

/**
 * One entry of a listing, as MLflow's `FileInfo`: `path` is relative to the store's root with
 * POSIX separators; `fileSize` is the size in bytes of a file and is absent for a directory.
 */
export interface FileInfo {
  readonly path: string
  readonly isDir: boolean
  readonly fileSize?: number
}

/** What {@link ArtifactStore.writeArtifact} accepts as the content of one object. */
export type ArtifactBody = Readable | AsyncIterable<Uint8Array> | Uint8Array | string

export interface WriteArtifactOptions {
  /**
   * The size of the body in bytes, when known. Object stores use it to choose between one request
   * and a multipart or resumable upload; without it they stream in parts.
   */
  readonly size?: number
  /** Overrides the content type guessed from the file name (object stores only). */
  readonly contentType?: string
}

/**
 * Where a run's artifacts live: a directory on local disk, or a prefix in an S3 or GCS bucket.
 *
 * Every `artifactPath` argument is relative to the root given by {@link ArtifactStore.uri}, uses
 * `/` as separator and must be normalised as MLflow requires: no leading `/`, no `.` or `..`
 * segments, no empty segments. Anything else fails with INVALID_PARAMETER_VALUE ("Invalid artifact
 * path"). Reading methods also accept one trailing `/`. The empty string (or no argument) means the
 * root itself. Backend failures surface as `TrackstoreError`s with MLflow's codes, the store's URI
 * in the message and the underlying error as `cause`: RESOURCE_DOES_NOT_EXIST for a missing bucket
 * or object, PERMISSION_DENIED when access is refused, UNAUTHENTICATED for missing or rejected
 * credentials, INTERNAL_ERROR otherwise.
 */
export interface ArtifactStore {
  /** The root of the store as a URI: `file:///…`, `s3://bucket/prefix` or `gs://bucket/prefix`. */
  readonly uri: string

  /**
   * Copies one local file to `<artifactPath>/<basename of localFile>` (or to the root). Resolves
   * when the object is fully written; on local disk the file appears atomically. Throws
   * RESOURCE_DOES_NOT_EXIST if `localFile` is missing, INVALID_PARAMETER_VALUE if it is not a file
   * or the path is invalid.
   */
  logArtifact(localFile: string, artifactPath?: string): Promise<void>

  /**
   * Copies the contents of a local directory, hidden files included and symlinks followed, under
   * `artifactPath` (or the root). Throws RESOURCE_DOES_NOT_EXIST if `localDir` is missing,
   * INVALID_PARAMETER_VALUE if it is not a directory or the path is invalid.
   */
  logArtifacts(localDir: string, artifactPath?: string): Promise<void>

  /**
   * Lists the direct children of `artifactPath` (or of the root), sorted by path. Paths are
   * relative to the root; directories have no size. A missing path or a path naming a file lists
   * as `[]`. Pages through any number of objects. Throws INVALID_PARAMETER_VALUE for an invalid
   * path and the backend codes above.
   */
  listArtifacts(artifactPath?: string): Promise<FileInfo[]>

  /**
   * Yields every file below `artifactPath` (or the root), recursively, in no particular order,
   * with paths relative to the root. Directories are not yielded. A missing path or a file path
   * yields nothing.
   */
  walkFiles(artifactPath?: string): AsyncIterable<FileInfo>

  /**
   * Downloads a file or a whole directory to local disk and resolves to the local path of the
   * downloaded artifact: `<dstPath>/<artifactPath>`. Without `dstPath` the local store answers the
   * file's own absolute path (no copy) and remote stores download into a fresh temporary
   * directory that the caller owns. `dstPath` must be an existing directory
   * (INVALID_PARAMETER_VALUE otherwise). Throws RESOURCE_DOES_NOT_EXIST ("No such artifact") if
   * nothing exists at `artifactPath`. The empty path downloads the whole root.
   */
  downloadArtifacts(artifactPath: string, dstPath?: string): Promise<string>

  /**
   * Opens one file for reading as a stream of its bytes. Throws RESOURCE_DOES_NOT_EXIST if there
   * is no file at `artifactPath` (a directory included). Failures after the first byte are
   * emitted on the stream.
   */
  openReadStream(artifactPath: string): Promise<Readable>

  /**
   * Writes one file from a stream or a buffer, replacing any file at `artifactPath`, in constant
   * memory. Resolves once the object is complete; on local disk the file appears atomically and a
   * failed write leaves nothing behind. Throws INVALID_PARAMETER_VALUE if `artifactPath` is empty
   * or invalid.
   */
  writeArtifact(
    artifactPath: string,
    body: ArtifactBody,
    options?: WriteArtifactOptions,
  ): Promise<void>

  /**
   * Deletes the file or the subtree at `artifactPath`, or everything under the root. Deleting
   * `dir` removes `dir` and `dir/…` but never a sibling such as `dir2/…`. A missing path is not an
   * error. Pages through any number of objects.
   */
  deleteArtifacts(artifactPath?: string): Promise<void>

  /** Releases the SDK client and its sockets. The store must not be used afterwards. */
  close(): Promise<void>
}
