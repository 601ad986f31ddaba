import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * An in-process Cloud Storage emulator on 127.0.0.1: the JSON API of the storage emulator that
 * ships inside firebase-tools, reached by `@google-cloud/storage` through `STORAGE_EMULATOR_HOST`.
 *
 * Only the JSON API routes are served, so the Firebase rules runtime (which needs Java and a
 * download) is replaced by a manager that does nothing. The emulator answers a resumable upload
 * on its first PUT; real GCS accepts it in chunks, so a small front handler keeps intermediate
 * chunks (`Content-Range: bytes a-b/*`) and answers 308 as GCS does, which lets the client send
 * large files in chunks below the emulator's 130 MB request cap.
 */
export interface GcsTestServer {
  /** `http://127.0.0.1:PORT`, the value for `STORAGE_EMULATOR_HOST`. */
  readonly url: string
  /** A fresh bucket name; the emulator creates buckets on first write. */
  newBucket(): string
  stop(): Promise<void>
}

interface Upload {
  size: number
}

interface EmulatorInstance {
  args: { host: string; port: number; projectId: string }
  uploadService: { continueResumableUpload(id: string, data: Buffer): Upload }
  getName(): string
}

interface EmulatorClass {
  new (args: Record<string, unknown>): EmulatorInstance
}

interface Registry {
  set(name: string, instance: unknown): void
  clear(name: string): void
  isRunning(name: string): boolean
}

const require = createRequire(import.meta.url)
const STORAGE = 'storage'

let counter = 0

function loadEmulator(): {
  StorageEmulator: EmulatorClass
  createApp: (projectId: string, emulator: unknown) => Promise<RequestListener>
  registry: Registry
} {
  const base = 'firebase-tools/lib/emulator'
  return {
    StorageEmulator: (require(`${base}/storage/index.js`) as { StorageEmulator: EmulatorClass })
      .StorageEmulator,
    createApp: (
      require(`${base}/storage/server.js`) as {
        createApp: (projectId: string, emulator: unknown) => Promise<RequestListener>
      }
    ).createApp,
    registry: (require(`${base}/registry.js`) as { EmulatorRegistry: Registry }).EmulatorRegistry,
  }
}

const idleRulesManager = {
  start: async (): Promise<unknown[]> => [],
  stop: async (): Promise<void> => {},
  getRuleset: (): undefined => undefined,
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * Handles the parts of resumable uploads the emulator lacks: an intermediate chunk is appended
 * and answered with 308 and the received range; a status query (`bytes * /*`) gets the same.
 * The final chunk, which names the total size, goes to the emulator, which finalises the upload.
 */
function chunkedUploads(emulator: EmulatorInstance, app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const uploadId = url.searchParams.get('upload_id')
    const range = req.headers['content-range']
    const intermediate = typeof range === 'string' && /^bytes (\d+-\d+|\*)\/\*$/.test(range)
    if (req.method !== 'PUT' || uploadId === null || !intermediate) {
      app(req, res)
      return
    }
    readBody(req)
      .then((body) => {
        const upload = emulator.uploadService.continueResumableUpload(uploadId, body)
        if (upload.size > 0) res.setHeader('Range', `bytes=0-${upload.size - 1}`)
        res.statusCode = 308
        res.end()
      })
      .catch(() => {
        res.statusCode = 404
        res.end()
      })
  }
}

export async function startGcsServer(): Promise<GcsTestServer> {
  const { StorageEmulator, createApp, registry } = loadEmulator()
  if (registry.isRunning(STORAGE)) {
    throw new Error('A storage emulator is already running in this process')
  }
  const blobs = await mkdtemp(join(tmpdir(), 'trackstore-gcs-'))

  class TestStorageEmulator extends StorageEmulator {
    getPersistenceTmpDir(): string {
      return blobs
    }
    createRulesManager(): typeof idleRulesManager {
      return idleRulesManager
    }
  }

  const emulator = new TestStorageEmulator({
    projectId: 'trackstore-test',
    host: '127.0.0.1',
    port: 0,
    rules: [],
  })
  const app = await createApp('trackstore-test', emulator)
  const server: Server = createServer(chunkedUploads(emulator, app))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  emulator.args.port = port
  registry.set(STORAGE, emulator)
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    newBucket: () => `trackstore-${process.pid}-${Date.now().toString(36)}-${counter++}`,
    async stop() {
      registry.clear(STORAGE)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(blobs, { recursive: true, force: true })
    },
  }
}
