import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3ArtifactStore } from '../../../src/artifacts/index.js'
import type { S3ArtifactStoreOptions } from '../../../src/artifacts/index.js'
import { isRetryable, partRanges } from '../../../src/artifacts/s3/s3-multipart.js'
import { s3TestOptions, startS3Server } from '../../support/s3-server.js'
import type { S3TestServer } from '../../support/s3-server.js'
import { readAll } from '../conformance/artifact-store-conformance.js'

const MIB = 1024 * 1024
let server: S3TestServer
let scratch: string

beforeAll(async () => {
  server = await startS3Server()
  scratch = await mkdtemp(join(tmpdir(), 'trackstore-s3-multipart-'))
})
afterAll(async () => {
  await server?.stop()
  await rm(scratch, { recursive: true, force: true })
})

interface Sent {
  command: string
  headers: Record<string, string>
  query: Record<string, unknown>
}

/**
 * A real SDK client on the test server that records every request it sends, after signing.
 * `failOnce`, when given, makes the first attempt of the matching request fail with a network
 * error before it leaves the process.
 */
function recordingClient(failOnce?: (sent: Sent) => boolean): { client: S3Client; sent: Sent[] } {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK warns on the console when a streamed request fails; the store retries those.
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  })
  const sent: Sent[] = []
  let failed = false
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as {
        headers: Record<string, string>
        query: Record<string, unknown>
      }
      const entry = {
        command: String(context.commandName),
        headers: { ...request.headers },
        query: { ...request.query },
      }
      sent.push(entry)
      if (!failed && failOnce?.(entry) === true) {
        failed = true
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
      }
      return next(args)
    },
    { step: 'finalizeRequest', name: 'recordRequests', priority: 'low' },
  )
  return { client, sent }
}

const options = (extra: Partial<S3ArtifactStoreOptions> = {}): S3ArtifactStoreOptions => ({
  ...s3TestOptions(server),
  partSize: 5 * MIB,
  multipartThreshold: 5 * MIB,
  ...extra,
})

/** Writes `size` bytes of content that differs at every offset and answers its SHA-256. */
async function writeContent(path: string, size: number): Promise<string> {
  const content = Buffer.alloc(size)
  for (let i = 0; i + 4 <= size; i += 4) content.writeUInt32LE(i, i)
  await writeFile(path, content)
  return createHash('sha256').update(content).digest('hex')
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

async function head(bucket: string, key: string): Promise<{ etag: string; length: number }> {
  const { client } = recordingClient()
  const output = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
  client.destroy()
  return { etag: output.ETag ?? '', length: output.ContentLength ?? -1 }
}

const commands = (sent: Sent[]): string[] => sent.map((entry) => entry.command)

describe('partRanges', () => {
  it('cuts a file into parts of partSize and a shorter last part', () => {
    expect(partRanges(10 * MIB + 1, 5 * MIB)).toEqual([
      { start: 0, length: 5 * MIB },
      { start: 5 * MIB, length: 5 * MIB },
      { start: 10 * MIB, length: 1 },
    ])
    expect(partRanges(5 * MIB, 5 * MIB)).toEqual([{ start: 0, length: 5 * MIB }])
  })

  it('grows the parts of a huge file to stay within 10,000 parts', () => {
    const size = 100 * 1024 * MIB
    const ranges = partRanges(size, 8 * MIB)
    expect(ranges.length).toBeLessThanOrEqual(10_000)
    expect(ranges[0]?.length).toBe(11 * MIB)
    expect(ranges.reduce((sum, range) => sum + range.length, 0)).toBe(size)
  })
})

describe('isRetryable', () => {
  it('retries network failures, throttling and server errors, not client errors', () => {
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true)
    expect(isRetryable({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } })).toBe(true)
    expect(isRetryable({ name: 'X', $metadata: { httpStatusCode: 500 } })).toBe(true)
    expect(isRetryable({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false)
    expect(isRetryable(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe(false)
    expect(isRetryable(undefined)).toBe(false)
  })
})

describe('S3ArtifactStore multipart upload of local files', () => {
  it('streams each part from its range of the file, with its length, not aws-chunked', async () => {
    const bucket = server.createBucket()
    const { client, sent } = recordingClient()
    const store = new S3ArtifactStore(`s3://${bucket}/p`, options({ client }))
    const file = join(scratch, 'three-parts.bin')
    const expected = await writeContent(file, 10 * MIB + 123)
    await store.logArtifact(file)
    const parts = sent.filter((entry) => entry.command === 'UploadPartCommand')
    expect(parts.map((entry) => Number(entry.query.partNumber)).sort()).toEqual([1, 2, 3])
    const lengths = new Map(parts.map((entry) => [entry.query.partNumber, entry.headers]))
    expect(lengths.get('1')?.['content-length']).toBe(String(5 * MIB))
    expect(lengths.get('2')?.['content-length']).toBe(String(5 * MIB))
    expect(lengths.get('3')?.['content-length']).toBe('123')
    for (const entry of parts) {
      expect(entry.headers['content-encoding']).toBeUndefined()
      expect(entry.headers['x-amz-decoded-content-length']).toBeUndefined()
      expect(entry.headers['x-amz-content-sha256']).not.toMatch(/STREAMING/)
    }
    expect(commands(sent)).toContain('CompleteMultipartUploadCommand')
    expect(commands(sent)).not.toContain('AbortMultipartUploadCommand')
    expect(await head(bucket, 'p/three-parts.bin')).toMatchObject({
      etag: expect.stringMatching(/-3"$/),
    })
    expect(sha256(await readAll(await store.openReadStream('three-parts.bin')))).toBe(expected)
    client.destroy()
  })

  it('uses one PutObject below the threshold and parts at and above it', async () => {
    const bucket = server.createBucket()
    const store = new S3ArtifactStore(`s3://${bucket}`, options())
    const cases = [
      { name: 'below.bin', size: 5 * MIB - 1, etag: /^"[0-9a-f]{32}"$/ },
      { name: 'at.bin', size: 5 * MIB, etag: /-1"$/ },
      { name: 'above.bin', size: 5 * MIB + 1, etag: /-2"$/ },
    ]
    for (const { name, size, etag } of cases) {
      const file = join(scratch, name)
      const expected = await writeContent(file, size)
      await store.logArtifact(file)
      expect(await head(bucket, name)).toEqual({ etag: expect.stringMatching(etag), length: size })
      expect(sha256(await readAll(await store.openReadStream(name)))).toBe(expected)
    }
    await store.close()
  })

  it('uploads the large files of a directory in parts too', async () => {
    const bucket = server.createBucket()
    const store = new S3ArtifactStore(`s3://${bucket}/d`, options({ uploadQueueSize: 2 }))
    const dir = join(scratch, 'tree')
    await mkdir(join(dir, 'sub'), { recursive: true })
    const big = await writeContent(join(dir, 'sub', 'big.bin'), 12 * MIB + 5)
    await writeFile(join(dir, 'small.txt'), 'small')
    await store.logArtifacts(dir)
    expect(await head(bucket, 'd/sub/big.bin')).toMatchObject({
      etag: expect.stringMatching(/-3"$/),
    })
    expect(sha256(await readAll(await store.openReadStream('sub/big.bin')))).toBe(big)
    expect((await readAll(await store.openReadStream('small.txt'))).toString()).toBe('small')
    await store.close()
  })

  it('sends ExpectedBucketOwner and the extra args on every request of the upload', async () => {
    const bucket = server.createBucket()
    const { client, sent } = recordingClient()
    const store = new S3ArtifactStore(`s3://${bucket}/x`, {
      ...options({ client }),
      env: {
        MLFLOW_S3_EXPECTED_BUCKET_OWNER: '123456789012',
        MLFLOW_S3_UPLOAD_EXTRA_ARGS: JSON.stringify({ Metadata: { team: 'ml' } }),
      },
    })
    const small = join(scratch, 'small.json')
    await writeFile(small, '{}')
    const big = join(scratch, 'model.json')
    await writeContent(big, 6 * MIB)
    await store.logArtifact(small)
    await store.logArtifact(big)
    expect(commands(sent)).toEqual([
      'PutObjectCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ])
    for (const entry of sent) {
      expect(entry.headers['x-amz-expected-bucket-owner']).toBe('123456789012')
    }
    const put = sent[0]?.headers ?? {}
    const create = sent[1]?.headers ?? {}
    for (const headers of [put, create]) {
      expect(headers['x-amz-meta-team']).toBe('ml')
      expect(headers['content-type']).toBe('application/json')
    }
    const { client: plain } = recordingClient()
    const output = await plain.send(new HeadObjectCommand({ Bucket: bucket, Key: 'x/model.json' }))
    expect(output.Metadata).toEqual({ team: 'ml' })
    expect(output.ContentType).toBe('application/json')
    plain.destroy()
    client.destroy()
  })

  it('sends a part again from a fresh stream when its first attempt fails', async () => {
    const bucket = server.createBucket()
    const { client, sent } = recordingClient(
      (entry) => entry.command === 'UploadPartCommand' && entry.query.partNumber === '2',
    )
    const store = new S3ArtifactStore(`s3://${bucket}`, options({ client }))
    const file = join(scratch, 'retried.bin')
    const expected = await writeContent(file, 11 * MIB)
    await store.logArtifact(file)
    const second = sent.filter(
      (entry) => entry.command === 'UploadPartCommand' && entry.query.partNumber === '2',
    )
    expect(second).toHaveLength(2)
    expect(sha256(await readAll(await store.openReadStream('retried.bin')))).toBe(expected)
    client.destroy()
  })

  it('aborts the multipart upload when a part fails, leaving no object', async () => {
    const bucket = server.createBucket()
    const { client, sent } = recordingClient()
    // fauxqs refuses request bodies above 11 MiB, so 12 MiB parts fail on the server.
    const store = new S3ArtifactStore(
      `s3://${bucket}/a`,
      options({ client, partSize: 12 * MIB, expectedBucketOwner: '123456789012' }),
    )
    const file = join(scratch, 'refused.bin')
    await writeContent(file, 30 * MIB)
    await expect(store.logArtifact(file)).rejects.toMatchObject({
      message: expect.stringContaining(`Failed to upload artifact to s3://${bucket}/a/refused.bin`),
    })
    const create = sent.find((entry) => entry.command === 'CreateMultipartUploadCommand')
    const abort = sent.filter((entry) => entry.command === 'AbortMultipartUploadCommand')
    expect(create).toBeDefined()
    expect(abort).toHaveLength(1)
    expect(abort[0]?.headers['x-amz-expected-bucket-owner']).toBe('123456789012')
    expect(commands(sent)).not.toContain('CompleteMultipartUploadCommand')
    const uploadId = String(abort[0]?.query.uploadId)
    // The upload is gone on the server: another part for it is refused.
    const { client: plain } = recordingClient()
    const late = await plain
      .send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'a/refused.bin',
          UploadId: uploadId,
          PartNumber: 1,
          Body: 'x',
        }),
      )
      .catch((error: unknown) => error)
    expect(late).toBeInstanceOf(S3ServiceException)
    expect(late).toMatchObject({ name: 'NoSuchUpload' })
    expect(await store.listArtifacts()).toEqual([])
    plain.destroy()
    client.destroy()
  })

  it('fails with RESOURCE_DOES_NOT_EXIST for a missing bucket, before any part', async () => {
    const { client, sent } = recordingClient()
    const store = new S3ArtifactStore('s3://no-such-bucket-here/x', options({ client }))
    const file = join(scratch, 'orphan.bin')
    await writeContent(file, 6 * MIB)
    await expect(store.logArtifact(file)).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    })
    expect(commands(sent)).toEqual(['CreateMultipartUploadCommand'])
    client.destroy()
  })
})
