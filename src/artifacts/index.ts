// The artifact stores. Only trackstore's own modules are imported here: each object store
// backend imports its SDK with a dynamic import() on first use, so this barrel loads no SDK.
export type {
  ArtifactBody,
  ArtifactStore,
  FileInfo,
  WriteArtifactOptions,
} from './artifact-store.js'
export { checkArtifactPath } from './artifact-path.js'
export { guessContentType } from './content-type.js'
export { copyTree } from './copy-tree.js'
export type { CopyTreeOptions, CopyTreeResult } from './copy-tree.js'
export { GcsArtifactStore, parseGcsUri } from './gcs/gcs-artifact-store.js'
export type { GcsArtifactStoreOptions, GcsStorageLike } from './gcs/gcs-artifact-store.js'
export { LocalArtifactStore } from './local/local-artifact-store.js'
export type { LocalArtifactStoreOptions } from './local/local-artifact-store.js'
export { openArtifactStore } from './open-artifact-store.js'
export type { OpenArtifactStoreOptions } from './open-artifact-store.js'
export { parseS3Uri, S3ArtifactStore } from './s3/s3-artifact-store.js'
export { resolveS3Settings } from './s3/s3-config.js'
export type {
  S3ArtifactStoreOptions,
  S3ClientLike,
  S3Credentials,
  S3Settings,
} from './s3/s3-config.js'
