import { invalidParameter } from '../../core/errors.js'
import type { Logger } from '../../core/logger.js'

/** Static AWS credentials; when absent the standard AWS credential chain is used. */
export interface S3Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

/**
 * The smallest shape of an `S3Client` from `@aws-sdk/client-s3` that trackstore relies on, so that
 * these types do not require the SDK to be installed.
 */
export interface S3ClientLike {
  send(...args: never[]): Promise<unknown>
  destroy(): void
}

/**
 * Settings of the S3 store. Each one defaults to the environment variable MLflow reads (named on
 * the option), then to MLflow's default.
 */
export interface S3ArtifactStoreOptions {
  /** `MLFLOW_S3_ENDPOINT_URL`: an S3-compatible server such as MinIO. */
  readonly endpointUrl?: string
  /** `MLFLOW_S3_IGNORE_TLS`: accept any TLS certificate from the endpoint. */
  readonly ignoreTls?: boolean
  /** `MLFLOW_S3_UPLOAD_EXTRA_ARGS` (JSON): more PutObject parameters (ServerSideEncryption…). */
  readonly uploadExtraArgs?: Readonly<Record<string, unknown>>
  /** `MLFLOW_S3_EXPECTED_BUCKET_OWNER`: sent as ExpectedBucketOwner on every request. */
  readonly expectedBucketOwner?: string
  /**
   * `MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE`: `path`, `virtual` or `auto` (the default), which means
   * path-style when an endpoint URL is set and virtual-hosted style on AWS itself.
   */
  readonly addressingStyle?: 'auto' | 'path' | 'virtual'
  /** `MLFLOW_EXPERIMENTAL_S3_SIGNATURE_VERSION=unsigned`: unsigned requests (public buckets). */
  readonly unsigned?: boolean
  /** `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the AWS config file, then `us-east-1`. */
  readonly region?: string
  /** Static credentials instead of the AWS credential chain. */
  readonly credentials?: S3Credentials
  /** Files of at least this many bytes are uploaded in parts. Default 8 MiB, as boto3. */
  readonly multipartThreshold?: number
  /** Part size of multipart uploads. Default 8 MiB; S3 needs at least 5 MiB. */
  readonly partSize?: number
  /**
   * Parts of one upload in flight at once. Default 4. Parts of a local file are streamed from
   * disk; parts of a stream written with writeArtifact are buffered, one buffer per part.
   */
  readonly uploadQueueSize?: number
  /** Files transferred at once by logArtifacts and downloadArtifacts. Default 4. */
  readonly concurrency?: number
  /**
   * Flexible checksums: `when-supported` is the SDK's default; `when-required` is what most
   * S3-compatible servers need, and is the default when an endpoint URL is set.
   */
  readonly checksums?: 'when-supported' | 'when-required'
  /** A ready `S3Client`; the options that configure a client are then ignored. */
  readonly client?: S3ClientLike
  /** Where the MLflow variables are read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly logger?: Logger
}

/** The options after the environment has been applied. */
export interface S3Settings {
  readonly endpointUrl: string | undefined
  readonly ignoreTls: boolean
  readonly uploadExtraArgs: Readonly<Record<string, unknown>>
  readonly expectedBucketOwner: string | undefined
  readonly forcePathStyle: boolean
  readonly unsigned: boolean
  readonly region: string | undefined
  readonly credentials: S3Credentials | undefined
  readonly multipartThreshold: number
  readonly partSize: number
  readonly uploadQueueSize: number
  readonly concurrency: number
  readonly checksums: 'when-supported' | 'when-required'
}

const MIB = 1024 * 1024
const MIN_PART_SIZE = 5 * MIB

/** MLflow's boolean environment values: `true`/`1` and `false`/`0`, case-insensitive. */
function envFlag(env: S3ArtifactStoreOptions['env'], name: string): boolean | undefined {
  const raw = env?.[name]
  if (raw === undefined || raw === '') return undefined
  const value = raw.trim().toLowerCase()
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw invalidParameter(`${name} must be 'true' or 'false', got '${raw}'`)
}

function envText(env: S3ArtifactStoreOptions['env'], name: string): string | undefined {
  const raw = env?.[name]
  return raw === undefined || raw === '' ? undefined : raw
}

function parseExtraArgs(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (error) {
    throw invalidParameter(`MLFLOW_S3_UPLOAD_EXTRA_ARGS is not valid JSON: ${raw}`, error)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter(`MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object, got: ${raw}`)
  }
  return parsed as Record<string, unknown>
}

function positive(name: string, value: number, minimum = 1): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw invalidParameter(`S3 option '${name}' must be an integer of at least ${minimum}`)
  }
  return value
}

/** Applies MLflow's environment variables under the explicit options. Throws on bad values. */
export function resolveS3Settings(options: S3ArtifactStoreOptions = {}): S3Settings {
  const env = options.env ?? process.env
  const endpointUrl = options.endpointUrl ?? envText(env, 'MLFLOW_S3_ENDPOINT_URL')
  const style =
    options.addressingStyle ?? envText(env, 'MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE') ?? 'auto'
  if (style !== 'auto' && style !== 'path' && style !== 'virtual') {
    throw invalidParameter(
      `MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE must be 'auto', 'path' or 'virtual', got '${style}'`,
    )
  }
  const signature = envText(env, 'MLFLOW_EXPERIMENTAL_S3_SIGNATURE_VERSION')
  if (signature !== undefined && signature !== 's3v4' && signature !== 'unsigned') {
    throw invalidParameter(
      `MLFLOW_EXPERIMENTAL_S3_SIGNATURE_VERSION must be 's3v4' or 'unsigned', got '${signature}'`,
    )
  }
  const multipartThreshold = positive('multipartThreshold', options.multipartThreshold ?? 8 * MIB)
  const partSize = positive('partSize', options.partSize ?? 8 * MIB, MIN_PART_SIZE)
  return {
    endpointUrl,
    ignoreTls: options.ignoreTls ?? envFlag(env, 'MLFLOW_S3_IGNORE_TLS') ?? false,
    uploadExtraArgs:
      options.uploadExtraArgs ?? parseExtraArgs(envText(env, 'MLFLOW_S3_UPLOAD_EXTRA_ARGS')),
    expectedBucketOwner:
      options.expectedBucketOwner ?? envText(env, 'MLFLOW_S3_EXPECTED_BUCKET_OWNER'),
    forcePathStyle: style === 'path' || (style === 'auto' && endpointUrl !== undefined),
    unsigned: options.unsigned ?? signature === 'unsigned',
    region: options.region ?? envText(env, 'AWS_REGION') ?? envText(env, 'AWS_DEFAULT_REGION'),
    credentials: options.credentials,
    multipartThreshold,
    partSize,
    uploadQueueSize: positive('uploadQueueSize', options.uploadQueueSize ?? 4),
    concurrency: positive('concurrency', options.concurrency ?? 4),
    checksums:
      options.checksums ?? (endpointUrl === undefined ? 'when-supported' : 'when-required'),
  }
}
