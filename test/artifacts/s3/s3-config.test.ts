import { describe, expect, it } from 'vitest'
import { parseS3Uri, resolveS3Settings } from '../../../src/artifacts/index.js'
import { codeForFailure } from '../../../src/artifacts/object-store-errors.js'

describe('resolveS3Settings', () => {
  it('reads the variables MLflow reads', () => {
    const settings = resolveS3Settings({
      env: {
        MLFLOW_S3_ENDPOINT_URL: 'https://minio.local:9000',
        MLFLOW_S3_IGNORE_TLS: 'true',
        MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption": "aws:kms"}',
        MLFLOW_S3_EXPECTED_BUCKET_OWNER: '123',
        AWS_DEFAULT_REGION: 'eu-west-1',
      },
    })
    expect(settings).toMatchObject({
      endpointUrl: 'https://minio.local:9000',
      ignoreTls: true,
      uploadExtraArgs: { ServerSideEncryption: 'aws:kms' },
      expectedBucketOwner: '123',
      forcePathStyle: true,
      region: 'eu-west-1',
      checksums: 'when-required',
      multipartThreshold: 8 * 1024 * 1024,
    })
  })

  it('uses virtual-hosted addressing and SDK checksums on AWS itself', () => {
    const settings = resolveS3Settings({ env: {} })
    expect(settings).toMatchObject({
      endpointUrl: undefined,
      forcePathStyle: false,
      ignoreTls: false,
      checksums: 'when-supported',
      unsigned: false,
      uploadExtraArgs: {},
    })
    expect(
      resolveS3Settings({ env: { MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'path' } }),
    ).toMatchObject({ forcePathStyle: true })
    expect(
      resolveS3Settings({ env: { MLFLOW_EXPERIMENTAL_S3_SIGNATURE_VERSION: 'unsigned' } }),
    ).toMatchObject({ unsigned: true })
  })

  it('lets options win over the environment', () => {
    const settings = resolveS3Settings({
      endpointUrl: 'http://127.0.0.1:1',
      ignoreTls: false,
      addressingStyle: 'virtual',
      env: { MLFLOW_S3_ENDPOINT_URL: 'http://elsewhere', MLFLOW_S3_IGNORE_TLS: '1' },
    })
    expect(settings).toMatchObject({
      endpointUrl: 'http://127.0.0.1:1',
      ignoreTls: false,
      forcePathStyle: false,
    })
  })

  it.each([
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: 'not json' }],
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '[1]' }],
    [{ MLFLOW_S3_IGNORE_TLS: 'maybe' }],
    [{ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'sideways' }],
  ])('refuses %j', (env) => {
    expect(() => resolveS3Settings({ env })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
    )
  })

  it('refuses parts below S3 minimum of 5 MiB', () => {
    expect(() => resolveS3Settings({ env: {}, partSize: 1024 })).toThrow(/partSize/)
  })
})

describe('parseS3Uri', () => {
  it('splits bucket and prefix', () => {
    expect(parseS3Uri('s3://b/a/b/')).toEqual({ bucket: 'b', prefix: 'a/b' })
    expect(parseS3Uri('s3://b')).toEqual({ bucket: 'b', prefix: '' })
    expect(parseS3Uri('s3://b/')).toEqual({ bucket: 'b', prefix: '' })
  })

  it.each(['s3://', 's3:///x', 'gs://b/x', 's3://b/a/../c', 's3://b/a//c'])('refuses %s', (uri) => {
    expect(() => parseS3Uri(uri)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
    )
  })
})

describe('S3 error codes', () => {
  it.each([
    ['AccessDenied', 403, 'PERMISSION_DENIED'],
    ['NoSuchBucket', 404, 'RESOURCE_DOES_NOT_EXIST'],
    ['NoSuchKey', 404, 'RESOURCE_DOES_NOT_EXIST'],
    ['NotFound', 404, 'RESOURCE_DOES_NOT_EXIST'],
    ['InvalidAccessKeyId', 403, 'UNAUTHENTICATED'],
    ['SignatureDoesNotMatch', 403, 'UNAUTHENTICATED'],
    ['ExpiredToken', 400, 'UNAUTHENTICATED'],
    ['CredentialsProviderError', undefined, 'UNAUTHENTICATED'],
    ['SlowDown', 503, 'TEMPORARILY_UNAVAILABLE'],
    ['Forbidden', 403, 'PERMISSION_DENIED'],
    ['InternalError', 500, 'INTERNAL_ERROR'],
    ['Unknown', 401, 'UNAUTHENTICATED'],
  ] as const)('%s (%s) → %s', (name, status, code) => {
    expect(codeForFailure({ name, status, message: '' })).toBe(code)
  })
})
