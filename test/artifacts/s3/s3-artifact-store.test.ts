import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openArtifactStore, S3ArtifactStore } from '../../../src/artifacts/index.js'
import type { S3ArtifactStoreOptions } from '../../../src/artifacts/index.js'
import { s3TestOptions, startS3Server } from '../../support/s3-server.js'
import type { S3TestServer } from '../../support/s3-server.js'
import {
  describeArtifactStoreConformance,
  readAll,
} from '../conformance/artifact-store-conformance.js'

const MIB = 1024 * 1024
let server: S3TestServer
let scratch: string

beforeAll(async () => {
  server = await startS3Server()
  scratch = await mkdtemp(join(tmpdir(), 'trackstore-s3-'))
})
afterAll(async () => {
  await server?.stop()
  await rm(scratch, { recursive: true, force: true })
})

/** Options for a store on the test server; multipart parts stay below fauxqs's PUT limit. */
const options = (extra: Partial<S3ArtifactStoreOptions> = {}): S3ArtifactStoreOptions => ({
  ...s3TestOptions(server),
  partSize: 5 * MIB,
  multipartThreshold: 5 * MIB,
  ...extra,
})

/** A raw SDK client on the test server, to look at what the store wrote. */
const rawClient = (): S3Client =>
  new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })

describeArtifactStoreConformance(
  's3',
  async () => new S3ArtifactStore(`s3://${server.createBucket()}/some/prefix`, options()),
)

describeArtifactStoreConformance(
  's3 at the bucket root',
  async () => new S3ArtifactStore(`s3://${server.createBucket()}`, options()),
)

describe('S3ArtifactStore', () => {
  it('uploads to <prefix>/<path>/<basename> with a content type from the file name', async () => {
    const bucket = server.createBucket()
    const store = new S3ArtifactStore(`s3://${bucket}/runs/1/artifacts`, options())
    const file = join(scratch, 'notes.txt')
    await writeFile(file, 'hello')
    await store.logArtifact(file)
    await store.logArtifact(file, 'sub')
    const client = rawClient()
    for (const key of ['runs/1/artifacts/notes.txt', 'runs/1/artifacts/sub/notes.txt']) {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      expect(head.ContentType).toBe('text/plain')
      expect(head.ContentLength).toBe(5)
    }
    client.destroy()
    await store.close()
  })

  it('uploads large files in parts and reads them back intact', async () => {
    const bucket = server.createBucket()
    const store = new S3ArtifactStore(`s3://${bucket}/big`, options())
    const content = Buffer.alloc(12 * MIB + 123)
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i)
    const file = join(scratch, 'big.bin')
    await writeFile(file, content)
    await store.logArtifact(file)
    await store.writeArtifact(
      'streamed.bin',
      (async function* () {
        for (let i = 0; i < 3; i++) yield content.subarray(i * 4 * MIB, (i + 1) * 4 * MIB + 7)
      })(),
    )
    const client = rawClient()
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/big.bin' }))
    expect(head.ETag).toMatch(/-3"$/)
    client.destroy()
    expect((await readAll(await store.openReadStream('big.bin'))).equals(content)).toBe(true)
    const streamed = await readAll(await store.openReadStream('streamed.bin'))
    expect(streamed.length).toBe(3 * (4 * MIB + 7))
    await store.close()
  })

  it('applies MLFLOW_S3_UPLOAD_EXTRA_ARGS and refuses invalid JSON', async () => {
    const bucket = server.createBucket()
    const extra = JSON.stringify({ Metadata: { team: 'ml' } })
    const store = new S3ArtifactStore(`s3://${bucket}/x`, {
      ...options(),
      env: { MLFLOW_S3_UPLOAD_EXTRA_ARGS: extra },
    })
    await store.writeArtifact('a.json', '{}')
    await store.writeArtifact('b.bin', Buffer.alloc(6 * MIB))
    const client = rawClient()
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'x/a.json' }))
    expect(head.Metadata).toEqual({ team: 'ml' })
    expect(head.ContentType).toBe('application/json')
    const multipart = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'x/b.bin' }))
    expect(multipart.Metadata).toEqual({ team: 'ml' })
    expect(multipart.ETag).toMatch(/-2"$/)
    client.destroy()
    await store.close()
    expect(
      () => new S3ArtifactStore(`s3://${bucket}/x`, { env: { MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{' } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }))
  })

  it('sends MLFLOW_S3_EXPECTED_BUCKET_OWNER on every request', async () => {
    const bucket = server.createBucket()
    const client = rawClient()
    const owners: (string | undefined)[] = []
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers
        owners.push(headers['x-amz-expected-bucket-owner'])
        return next(args)
      },
      { step: 'finalizeRequest', name: 'recordOwner' },
    )
    const store = new S3ArtifactStore(`s3://${bucket}/x`, {
      ...options(),
      client,
      env: { MLFLOW_S3_EXPECTED_BUCKET_OWNER: '123456789012' },
    })
    await store.writeArtifact('a.txt', 'a')
    await store.writeArtifact('big.bin', Buffer.alloc(6 * MIB))
    await store.listArtifacts()
    await readAll(await store.openReadStream('a.txt'))
    await store.deleteArtifacts()
    expect(owners.length).toBeGreaterThan(5)
    expect(new Set(owners)).toEqual(new Set(['123456789012']))
    client.destroy()
  })

  it('reads MLFLOW_S3_ENDPOINT_URL from the environment', async () => {
    const bucket = server.createBucket()
    const store = openArtifactStore(`s3://${bucket}/env`, {
      s3: {
        region: 'us-east-1',
        credentials: { accessKeyId: 'k', secretAccessKey: 's' },
        env: { MLFLOW_S3_ENDPOINT_URL: server.endpoint },
      },
    })
    await store.writeArtifact('f.txt', 'via env')
    expect((await readAll(await store.openReadStream('f.txt'))).toString()).toBe('via env')
    await store.close()
  })

  it('deletes the object named by the path and its subtree, not its siblings', async () => {
    const bucket = server.createBucket()
    const client = rawClient()
    for (const key of ['p/subdir', 'p/subdir/a', 'p/subdir2/b', 'p/subdirx']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }))
    }
    const store = new S3ArtifactStore(`s3://${bucket}/p`, options())
    await store.deleteArtifacts('subdir')
    const left = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    expect(left.Contents?.map((object) => object.Key)).toEqual(['p/subdir2/b', 'p/subdirx'])
    client.destroy()
    await store.close()
  })

  it('ignores keys no artifact path can name and folder placeholders', async () => {
    const bucket = server.createBucket()
    const client = rawClient()
    for (const key of ['r/dir/', 'r/dir/f', 'r/odd//x', 'r/ok']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }))
    }
    const store = new S3ArtifactStore(`s3://${bucket}/r`, options())
    expect(await store.listArtifacts()).toEqual([
      { path: 'dir', isDir: true },
      { path: 'odd', isDir: true },
      { path: 'ok', isDir: false, fileSize: 1 },
    ])
    expect(await store.listArtifacts('odd')).toEqual([])
    expect(await store.listArtifacts('dir')).toEqual([{ path: 'dir/f', isDir: false, fileSize: 1 }])
    client.destroy()
    await store.close()
  })

  it('maps a missing bucket to RESOURCE_DOES_NOT_EXIST with the URI in the message', async () => {
    const store = new S3ArtifactStore('s3://no-such-bucket-here/x', options())
    const error = await store.listArtifacts().catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining('Failed to list artifacts in s3://no-such-bucket-here/x'),
    })
    expect((error as Error).cause).toMatchObject({ name: 'NoSuchBucket' })
    await expect(store.openReadStream('f')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    })
    await expect(store.writeArtifact('f', 'x')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    })
    await store.close()
  })

  it('maps a failing credential provider to UNAUTHENTICATED', async () => {
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        })
      },
    })
    const store = new S3ArtifactStore(`s3://${server.createBucket()}/x`, { client })
    await expect(store.listArtifacts()).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('s3://'),
    })
    client.destroy()
  })

  it('reads a file written by another client', async () => {
    const bucket = server.createBucket()
    const client = rawClient()
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k/v.txt', Body: 'outside' }))
    const store = new S3ArtifactStore(`s3://${bucket}/k`, options())
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'k/v.txt' }))
    expect(await got.Body?.transformToString()).toBe('outside')
    expect((await readAll(await store.openReadStream('v.txt'))).toString()).toBe('outside')
    client.destroy()
    await store.close()
  })
})
