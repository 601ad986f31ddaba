/** The conformance suite on the file store, one fresh temporary `mlruns` folder per store. */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { openMetadataStore } from '../../../src/index.js'
import { describeMetadataStoreConformance } from '../conformance/index.js'
import type { StoreFactory } from '../conformance/index.js'

const fileStoreFactory: StoreFactory = async (options) => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'trackstore-file-'))
  const root = path.join(parent, 'mlruns')
  const store = await openMetadataStore(root, {
    truncateLongValues: options?.truncateLongValues ?? true,
  })
  return {
    store,
    defaultArtifactRoot: pathToFileURL(root).href,
    cleanup: async () => {
      try {
        await store.close()
      } finally {
        await rm(parent, { recursive: true, force: true })
      }
    },
  }
}

describeMetadataStoreConformance('file', fileStoreFactory)
