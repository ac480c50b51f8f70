/**
 * Errors with a stable code. The exception filter (src/http/problem.filter.ts) maps each code to
 * an HTTP status and a problem document; nothing outside src/http knows about HTTP.
 */
export type AppErrorCode =
  | 'INVALID_INPUT' // 400
  | 'UNAUTHENTICATED' // 401
  | 'FORBIDDEN' // 403
  | 'NOT_FOUND' // 404
  | 'METHOD_NOT_ALLOWED' // 405
  | 'RULE_VIOLATED' // 409
  | 'REQUEST_TIMEOUT' // 408
  | 'STALE_REVISION' // 412
  | 'PAYLOAD_TOO_LARGE' // 413
  | 'UNSUPPORTED_MEDIA_TYPE' // 415
  | 'IDEMPOTENCY_KEY_REUSED' // 422
  | 'PRECONDITION_REQUIRED' // 428
  | 'TOO_MANY_REQUESTS' // 429
  | 'SERVER_BUSY' // 503
  | 'NOT_READY' // 503
  | 'READ_MODEL_TIMEOUT' // 504
  | 'EVENT_STORE_UNAVAILABLE'; // 503

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request does not match its schema or a value is not acceptable (400); `errors` lists the fields. */
export class InvalidInputError extends AppError {
  constructor(message: string, errors?: FieldError[]) {
    super('INVALID_INPUT', message, errors);
  }
}

/** No credentials, or credentials nobody holds (401). `presented` tells the two apart (RFC 6750 §3.1). */
export class UnauthenticatedError extends AppError {
  constructor(
    message: string,
    readonly presented: boolean,
  ) {
    super('UNAUTHENTICATED', message);
  }
}

/** The user's roles do not allow the command (403). */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** No such article, quote or revision (404). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** The path exists, but not for this method (405); `allowed` lists the methods it has. */
export class MethodNotAllowedError extends AppError {
  constructor(
    message: string,
    readonly allowed: readonly string[],
  ) {
    super('METHOD_NOT_ALLOWED', message);
  }
}

/** A domain rule refused the command (409). */
export class RuleViolationError extends AppError {
  constructor(message: string) {
    super('RULE_VIOLATED', message);
  }
}

/**
 * If-Match names no current revision of the article (412); `currentRevision` is the one it has
 * (a bigint), or null when the target has no revision (the article collection, for a draft).
 */
export class StaleRevisionError extends AppError {
  constructor(
    message: string,
    readonly currentRevision: bigint | null,
  ) {
    super('STALE_REVISION', message);
  }
}

/** The request body stopped arriving before it was read in full (408, RFC 9110 §15.5.9). */
export class RequestTimeoutError extends AppError {
  constructor(message: string) {
    super('REQUEST_TIMEOUT', message);
  }
}

/** The request body is larger than any valid request of its kind (413). */
export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message);
  }
}

/** The body is not JSON in UTF-8, or is sent in a content coding the server does not read (415). */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('UNSUPPORTED_MEDIA_TYPE', message);
  }
}

/** An Idempotency-Key already used by this user for a different request (422). */
export class IdempotencyKeyReusedError extends AppError {
  constructor(message: string) {
    super('IDEMPOTENCY_KEY_REUSED', message);
  }
}

/** A command on an existing article came without If-Match (428, RFC 6585 §3). */
export class PreconditionRequiredError extends AppError {
  constructor(message: string) {
    super('PRECONDITION_REQUIRED', message);
  }
}

/** The read models did not reach a position in time (504). */
export class ReadModelTimeoutError extends AppError {
  constructor(message: string) {
    super('READ_MODEL_TIMEOUT', message);
  }
}

/** Too many requests of a costly kind are running or waiting (503); retry after `retryAfterSeconds`. */
export class ServerBusyError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('SERVER_BUSY', message);
  }
}

/**
 * The user (or, without a token, the client address) sent more requests than the rate limit
 * allows (429, RFC 6585 §4); retry after `retryAfterSeconds` (whole seconds, at least 1).
 */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('TOO_MANY_REQUESTS', message);
  }
}

/**
 * This instance cannot accept writes now (503 from GET /health/ready): the store is full,
 * read-only, unavailable or replaced. Retry after `retryAfterSeconds` (RFC 9110 §10.2.3); null
 * (no Retry-After) when waiting does not help, only a restart (a replaced store file).
 */
export class NotReadyError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super('NOT_READY', message);
  }
}
