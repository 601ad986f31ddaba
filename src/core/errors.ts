/**
 * MLflow's error codes (`mlflow/protos/databricks.proto`), with the HTTP status MLflow's server
 * answers for each. trackstore errors always carry one of these codes.
 */
export const ERROR_HTTP_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  INVALID_STATE: 500,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
} as const

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS

/**
 * The one error family of trackstore. `code` is MLflow's error code, `message` names the
 * offending value and what is allowed, `cause` keeps the driver or SDK error when there is one.
 */
export class TrackstoreError extends Error {
  override readonly name: string = 'TrackstoreError'
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  /** The HTTP status MLflow's tracking server answers for this error code. */
  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code]
  }

  /** The REST error body MLflow's server sends: `{ error_code, message }`. */
  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.code, message: this.message }
  }
}

/**
 * Thrown when a SQL database carries an alembic revision other than the one trackstore writes.
 * Reads may still work (see the README); writes are refused.
 */
export class SchemaVersionError extends TrackstoreError {
  override readonly name = 'SchemaVersionError'

  constructor(
    readonly found: string | null,
    readonly expected: string,
    message: string,
  ) {
    super('INVALID_STATE', message)
  }
}

export function isTrackstoreError(error: unknown, code?: ErrorCode): error is TrackstoreError {
  return error instanceof TrackstoreError && (code === undefined || error.code === code)
}

export const invalidParameter = (message: string, cause?: unknown): TrackstoreError =>
  new TrackstoreError('INVALID_PARAMETER_VALUE', message, { cause })

export const notFound = (message: string, cause?: unknown): TrackstoreError =>
  new TrackstoreError('RESOURCE_DOES_NOT_EXIST', message, { cause })

export const alreadyExists = (message: string, cause?: unknown): TrackstoreError =>
  new TrackstoreError('RESOURCE_ALREADY_EXISTS', message, { cause })

export const invalidState = (message: string, cause?: unknown): TrackstoreError =>
  new TrackstoreError('INVALID_STATE', message, { cause })

export const internalError = (message: string, cause?: unknown): TrackstoreError =>
  new TrackstoreError('INTERNAL_ERROR', message, { cause })

/** Python-style `repr` of a string value, used in messages the way MLflow quotes values. */
export function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value)
}
