import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Storage } from '@google-cloud/storage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GcsArtifactStore, openArtifactStore, parseGcsUri } from '../../../src/artifacts/index.js'
import type { GcsArtifactStoreOptions } from '../../../src/artifacts/index.js'
import { codeForFailure } from '../../../src/artifacts/object-store-errors.js'
import { startGcsServer } from '../../support/gcs-server.js'
import type { GcsTestServer } from '../../support/gcs-server.js'
import {
  describeArtifactStoreConformance,
  readAll,
} from '../conformance/artifact-store-conformance.js'

const MIB = 1024 * 1024
let server: GcsTestServer
let scratch: string
let previousHost: string | undefined

beforeAll(async () => {
  server = await startGcsServer()
  scratch = await mkdtemp(join(tmpdir(), 'trackstore-gcs-'))
  // The SDK reads STORAGE_EMULATOR_HOST when a client is made; this file runs in its own process.
  previousHost = process.env.STORAGE_EMULATOR_HOST
  process.env.STORAGE_EMULATOR_HOST = server.url
})
afterAll(async () => {
  if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST
  else process.env.STORAGE_EMULATOR_HOST = previousHost
  await server?.stop()
  await rm(scratch, { recursive: true, force: true })
})

/** Small thresholds so that the tests go through resumable, chunked uploads too. */
const options: GcsArtifactStoreOptions = {
  projectId: 'trackstore-test',
  resumableThreshold: MIB,
  uploadChunkSize: 4 * MIB,
  env: {},
}

describeArtifactStoreConformance(
  'gcs',
  async () => new GcsArtifactStore(`gs://${server.newBucket()}/some/prefix`, options),
)

describeArtifactStoreConformance(
  'gcs at the bucket root',
  async () => new GcsArtifactStore(`gs://${server.newBucket()}`, options),
)

describe('GcsArtifactStore', () => {
  it('uploads <prefix>/<path>/<basename> with a content type from the file name', async () => {
    const bucket = server.newBucket()
    const store = openArtifactStore(`gs://${bucket}/runs/1`, { gcs: options })
    const file = join(scratch, 'table.csv')
    await writeFile(file, 'a,b\n1,2\n')
    await store.logArtifact(file, 'data')
    const [metadata] = await new Storage({ projectId: 'trackstore-test' })
      .bucket(bucket)
      .file('runs/1/data/table.csv')
      .getMetadata()
    expect(metadata.contentType).toBe('text/csv')
    expect(Number(metadata.size)).toBe(8)
    await store.close()
  })

  it('uploads large files resumably in chunks and reads them back intact', async () => {
    const store = new GcsArtifactStore(`gs://${server.newBucket()}/big`, options)
    const content = Buffer.alloc(10 * MIB + 5)
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i)
    const file = join(scratch, 'big.bin')
    await writeFile(file, content)
    await store.logArtifact(file)
    await store.writeArtifact(
      'streamed.bin',
      (async function* () {
        for (let i = 0; i < content.length; i += MIB) yield content.subarray(i, i + MIB)
      })(),
    )
    expect((await readAll(await store.openReadStream('big.bin'))).equals(content)).toBe(true)
    expect((await readAll(await store.openReadStream('streamed.bin'))).equals(content)).toBe(true)
    expect(await store.listArtifacts()).toEqual([
      { path: 'big.bin', isDir: false, fileSize: content.length },
      { path: 'streamed.bin', isDir: false, fileSize: content.length },
    ])
    await store.close()
  })

  it('streams a resumable upload in one request when no chunk size is set', async () => {
    const store = new GcsArtifactStore(`gs://${server.newBucket()}/one`, {
      ...options,
      uploadChunkSize: undefined,
    })
    const content = Buffer.alloc(3 * MIB, 9)
    await store.writeArtifact('f.bin', content)
    expect((await readAll(await store.openReadStream('f.bin'))).equals(content)).toBe(true)
    await store.close()
  })

  it('skips the placeholder object of a folder', async () => {
    const bucket = server.newBucket()
    const raw = new Storage({ projectId: 'trackstore-test' }).bucket(bucket)
    await raw.file('r/dir/').save('', { resumable: false })
    await raw.file('r/dir/f.txt').save('f', { resumable: false })
    const store = new GcsArtifactStore(`gs://${bucket}/r`, options)
    expect(await store.listArtifacts('dir')).toEqual([
      { path: 'dir/f.txt', isDir: false, fileSize: 1 },
    ])
    await store.close()
  })

  it('reads MLFLOW_GCS_UPLOAD_CHUNK_SIZE and refuses chunk sizes GCS would refuse', () => {
    expect(
      () => new GcsArtifactStore('gs://b/x', { env: { MLFLOW_GCS_UPLOAD_CHUNK_SIZE: '1000' } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }))
    expect(
      () =>
        new GcsArtifactStore('gs://b/x', {
          env: { MLFLOW_GCS_UPLOAD_CHUNK_SIZE: String(8 * MIB) },
        }),
    ).not.toThrow()
  })

  it('reports a missing object with the URI in the message, the SDK error as cause', async () => {
    const store = new GcsArtifactStore(`gs://${server.newBucket()}/p`, options)
    const error = await store.openReadStream('absent.txt').catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining('gs://'),
    })
    expect((error as Error).message).toContain('/p/absent.txt')
    expect((error as Error).cause).toMatchObject({ code: 404 })
    await store.close()
  })
})

describe('parseGcsUri', () => {
  it('splits bucket and prefix', () => {
    expect(parseGcsUri('gs://b/a/b/')).toEqual({ bucket: 'b', prefix: 'a/b' })
    expect(parseGcsUri('gs://b')).toEqual({ bucket: 'b', prefix: '' })
  })

  it.each(['gs://', 's3://b/x', 'gs://b/../x'])('refuses %s', (uri) => {
    expect(() => parseGcsUri(uri)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
    )
  })
})

describe('GCS error codes', () => {
  it.each([
    [403, 'PERMISSION_DENIED'],
    [404, 'RESOURCE_DOES_NOT_EXIST'],
    [401, 'UNAUTHENTICATED'],
    [500, 'INTERNAL_ERROR'],
  ] as const)('HTTP %s → %s', (status, code) => {
    expect(codeForFailure({ name: 'ApiError', status, message: '' })).toBe(code)
  })
})
