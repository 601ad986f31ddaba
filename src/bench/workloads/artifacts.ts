/**
 * artifacts: one file of N MiB uploaded with `logArtifact` and downloaded with
 * `downloadArtifacts` into a fresh local folder. Measures MiB per second each way.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { openArtifactStore } from '../../index.js'
import type { BackendContext, Workload, WorkloadSession } from '../types.js'
import { secondsSince } from './data.js'

const UPLOAD = 'artifacts-upload'
const DOWNLOAD = 'artifacts-download'
const MIB = 1024 * 1024
const FILE_NAME = 'payload.bin'

/** Writes `size` MiB of random bytes, one MiB at a time, so memory stays small. */
async function writePayload(file: string, size: number): Promise<void> {
  const handle = await fs.open(file, 'w')
  try {
    for (let written = 0; written < size; written++) await handle.write(randomBytes(MIB))
  } finally {
    await handle.close()
  }
}

export const artifactsWorkload: Workload = {
  name: 'artifacts',
  description: 'logArtifact and downloadArtifacts of one file of N MiB',
  family: 'artifacts',
  sizeUnit: 'MiB',
  defaultSizes: [64],
  outputs: [
    { name: UPLOAD, unit: 'MiB/s' },
    { name: DOWNLOAD, unit: 'MiB/s' },
  ],
  warmUp: false,

  async open(context: BackendContext): Promise<WorkloadSession> {
    const store = openArtifactStore(context.uri)
    const sourceDir = path.join(context.scratchDir, 'upload')
    const downloadsDir = path.join(context.scratchDir, 'download')
    const source = path.join(sourceDir, FILE_NAME)
    let repetition = 0
    return {
      async prepare(size) {
        await fs.mkdir(sourceDir, { recursive: true })
        await writePayload(source, size)
      },
      async measure(size) {
        const artifactPath = `bench/${size}/${repetition++}`
        const uploadStart = performance.now()
        await store.logArtifact(source, artifactPath)
        const upload = secondsSince(uploadStart)

        await fs.rm(downloadsDir, { recursive: true, force: true })
        await fs.mkdir(downloadsDir, { recursive: true })
        const downloadStart = performance.now()
        const local = await store.downloadArtifacts(`${artifactPath}/${FILE_NAME}`, downloadsDir)
        const download = secondsSince(downloadStart)
        const { size: bytes } = await fs.stat(local)
        if (bytes !== size * MIB) throw new Error(`downloaded ${bytes} bytes of ${size * MIB}`)
        await fs.rm(downloadsDir, { recursive: true, force: true })
        await store.deleteArtifacts(artifactPath)
        return [
          { output: UPLOAD, seconds: upload, amount: size },
          { output: DOWNLOAD, seconds: download, amount: size },
        ]
      },
      async close() {
        try {
          await store.deleteArtifacts()
        } finally {
          await store.close()
        }
      },
    }
  },
}
