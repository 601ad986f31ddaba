import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type * as S3Module from '@aws-sdk/client-s3'
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3'

/**
 * Multipart upload of a local file straight from disk: every part's body is a read stream over
 * its byte range with a known `ContentLength`, so no part is ever held in memory, and a failed
 * part is sent again from a fresh stream. `@aws-sdk/lib-storage` instead copies each part into a
 * buffer, which costs `partSize × queueSize` bytes and more while the buffers are joined.
 */

/** S3 refuses more parts than this in one upload. */
const MAX_PARTS = 10_000
const MIB = 1024 * 1024
/** Attempts per request whose body is a file range (the SDK does not retry streamed bodies). */
const ATTEMPTS = 3
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
])
const RETRYABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'InternalError',
  'ServiceUnavailable',
])

/** What every request of one upload carries: PutObject's parameters without a body. */
export interface ObjectParams {
  readonly Bucket: string
  readonly Key: string
  readonly ContentType: string
  readonly ExpectedBucketOwner: string | undefined
  readonly [extra: string]: unknown
}

export interface FileUpload {
  readonly s3: typeof S3Module
  readonly client: S3Client
  readonly params: ObjectParams
  readonly file: string
  readonly size: number
  readonly partSize: number
  readonly queueSize: number
  /** Called when aborting a failed upload fails too (the original error is thrown). */
  readonly onAbortFailure?: (error: unknown) => void
}

/** The byte ranges of the parts of a file of `size` bytes, at most 10,000 of them. */
export function partRanges(size: number, partSize: number): { start: number; length: number }[] {
  // Files above partSize × 10,000 get larger parts, in whole MiB, as the AWS CLI does.
  const minimum = Math.ceil(size / MAX_PARTS / MIB) * MIB
  const length = Math.max(partSize, minimum)
  const ranges: { start: number; length: number }[] = []
  for (let start = 0; start < size; start += length) {
    ranges.push({ start, length: Math.min(length, size - start) })
  }
  return ranges
}

/** True for failures worth sending the same request again: the network, throttling, 5xx. */
export function isRetryable(error: unknown): boolean {
  const raw = error as {
    name?: unknown
    code?: unknown
    $metadata?: { httpStatusCode?: number }
    $retryable?: unknown
  } | null
  if (raw === null || typeof raw !== 'object') return false
  const status = raw.$metadata?.httpStatusCode
  if (status !== undefined && (status >= 500 || status === 429)) return true
  if (raw.$retryable !== undefined) return true
  if (typeof raw.code === 'string' && RETRYABLE_CODES.has(raw.code)) return true
  return typeof raw.name === 'string' && RETRYABLE_NAMES.has(raw.name)
}

/**
 * Sends a request whose body is read from disk, opening a fresh stream for every attempt and
 * retrying failures {@link isRetryable} names, with a short exponential backoff.
 */
export async function sendFromFile<T>(
  send: (body: Readable) => Promise<T>,
  open: () => Readable,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const body = open()
    try {
      return await send(body)
    } catch (error) {
      body.destroy()
      if (attempt >= ATTEMPTS || signal?.aborted === true || !isRetryable(error)) throw error
    }
    await sleep(100 * 2 ** attempt * (0.5 + Math.random()))
  }
}

/**
 * Uploads a local file of `size` bytes in parts of `partSize` bytes, `queueSize` parts at once,
 * each part streamed from its range of the file. On any failure the parts in flight are
 * cancelled and the multipart upload is aborted, so that no orphaned parts are billed.
 */
export async function uploadFileInParts(upload: FileUpload): Promise<void> {
  const { s3, client, params, file } = upload
  // As lib-storage: with checksums on by default the parts carry CRC32s, which S3 only accepts
  // when the upload was created with that algorithm.
  const checksums = await client.config.requestChecksumCalculation()
  const created = await client.send(
    new s3.CreateMultipartUploadCommand({
      ...params,
      ...(checksums === 'WHEN_SUPPORTED' && params.ChecksumAlgorithm === undefined
        ? { ChecksumAlgorithm: 'CRC32' as const }
        : {}),
    }),
  )
  const uploadId = created.UploadId
  if (uploadId === undefined) throw new Error('CreateMultipartUpload answered no UploadId')
  const ranges = partRanges(upload.size, upload.partSize)
  const parts: CompletedPart[] = new Array<CompletedPart>(ranges.length)
  const abort = new AbortController()
  let next = 0
  let failure: { error: unknown } | undefined
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < ranges.length) {
      const index = next++
      const { start, length } = ranges[index] as { start: number; length: number }
      try {
        const output = await sendFromFile(
          (body) =>
            client.send(
              new s3.UploadPartCommand({
                ...params,
                UploadId: uploadId,
                PartNumber: index + 1,
                Body: body,
                ContentLength: length,
              }),
              { abortSignal: abort.signal },
            ),
          () => createReadStream(file, { start, end: start + length - 1 }),
          abort.signal,
        )
        if (output.ETag === undefined) throw new Error(`Part ${index + 1} came back without ETag`)
        parts[index] = {
          PartNumber: index + 1,
          ETag: output.ETag,
          ChecksumCRC32: output.ChecksumCRC32,
          ChecksumCRC32C: output.ChecksumCRC32C,
          ChecksumCRC64NVME: output.ChecksumCRC64NVME,
          ChecksumSHA1: output.ChecksumSHA1,
          ChecksumSHA256: output.ChecksumSHA256,
        }
      } catch (error) {
        failure ??= { error }
        abort.abort()
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(upload.queueSize, ranges.length) }, lane))
    if (failure !== undefined) throw failure.error
    await client.send(
      new s3.CompleteMultipartUploadCommand({
        ...params,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    )
  } catch (error) {
    try {
      await client.send(
        new s3.AbortMultipartUploadCommand({
          Bucket: params.Bucket,
          Key: params.Key,
          UploadId: uploadId,
          ExpectedBucketOwner: params.ExpectedBucketOwner,
          ...(typeof params.RequestPayer === 'string'
            ? { RequestPayer: params.RequestPayer as S3Module.RequestPayer }
            : {}),
        }),
      )
    } catch (abortError) {
      upload.onAbortFailure?.(abortError)
    }
    throw error
  }
}
