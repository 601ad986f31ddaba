/** The registry conformance suite on the file registry (a fresh `mlruns` folder per store). */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { openModelRegistryStore } from '../../src/index.js'
import { describeRegistryConformance } from './conformance.js'

describeRegistryConformance('file', async () => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'trackstore-registry-'))
  const store = await openModelRegistryStore(path.join(parent, 'mlruns'))
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(parent, { recursive: true, force: true })
    },
  }
})
