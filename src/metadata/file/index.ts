/**
 * The file store: MLflow's `mlruns` folder as a MetadataStore. `openFileStore` is what the
 * composition root calls for plain paths and `file:` URIs.
 */
import { pathToFileURL } from 'node:url'
import path from 'node:path'
import { resolveUriIfLocal } from '../../core/artifact-uri.js'
import { silentLogger } from '../../core/logger.js'
import type { MetadataStore, MetadataStoreOptions } from '../metadata-store.js'
import { FileMetadataStore } from './file-store.js'
import { READ_SLICE } from './fs-io.js'

export { FILE_STORE_CAPABILITIES, FileMetadataStore } from './file-store.js'

/**
 * Opens the `mlruns` folder at `root` (made absolute). When the folder does not exist it is
 * created with `.trash` and the Default experiment `0`, as MLflow does. New experiments put
 * their artifacts under `options.defaultArtifactRoot`, by default the folder itself as a
 * `file://` URI.
 */
export async function openFileStore(
  root: string,
  options: MetadataStoreOptions = {},
): Promise<MetadataStore> {
  const absolute = path.resolve(root)
  const store = new FileMetadataStore(absolute, {
    artifactRoot:
      options.defaultArtifactRoot === undefined
        ? pathToFileURL(absolute).href
        : resolveUriIfLocal(options.defaultArtifactRoot),
    logger: options.logger ?? silentLogger,
    truncateLongValues: options.truncateLongValues ?? true,
    readSlice: READ_SLICE,
  })
  await store.initialize()
  return store
}
