import { TrackstoreError } from '../core/errors.js'
import type { ErrorCode } from '../core/errors.js'

/**
 * How a cloud SDK error reads: a name (S3's error code, or the JS error class), an HTTP status
 * when the server answered, and a message. Shared by the S3 and GCS translations.
 */
export interface SdkFailure {
  readonly name: string
  readonly status: number | undefined
  readonly message: string
}

const NOT_FOUND = new Set(['NoSuchBucket', 'NoSuchKey', 'NotFound', 'NoSuchUpload'])
const DENIED = new Set(['AccessDenied', 'AllAccessDisabled', 'Forbidden', 'AccountProblem'])
const UNAUTHENTICATED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'Unauthorized',
])
const UNAVAILABLE = new Set(['SlowDown', 'ServiceUnavailable', 'RequestTimeout'])

/** MLflow's code for an SDK failure: names first (S3 answers 403 for a bad key), then status. */
export function codeForFailure(failure: SdkFailure): ErrorCode {
  if (NOT_FOUND.has(failure.name)) return 'RESOURCE_DOES_NOT_EXIST'
  if (UNAUTHENTICATED.has(failure.name)) return 'UNAUTHENTICATED'
  if (DENIED.has(failure.name)) return 'PERMISSION_DENIED'
  if (UNAVAILABLE.has(failure.name)) return 'TEMPORARILY_UNAVAILABLE'
  switch (failure.status) {
    case 404:
      return 'RESOURCE_DOES_NOT_EXIST'
    case 401:
      return 'UNAUTHENTICATED'
    case 403:
      return 'PERMISSION_DENIED'
    case 503:
      return 'TEMPORARILY_UNAVAILABLE'
    default:
      return 'INTERNAL_ERROR'
  }
}

/** `Failed to <action> <uri>: <reason>` with MLflow's code and the SDK error as cause. */
export function storeError(
  error: unknown,
  failure: SdkFailure,
  action: string,
  uri: string,
): TrackstoreError {
  if (error instanceof TrackstoreError) return error
  const reason = failure.message === '' ? failure.name : `${failure.name}: ${failure.message}`
  return new TrackstoreError(codeForFailure(failure), `Failed to ${action} ${uri}: ${reason}`, {
    cause: error,
  })
}
