/**
 * Errors with a stable code. The exception filter maps each code to an HTTP status and a
 * problem document; nothing outside src/http knows about HTTP.
 */
export type AppErrorCode =
  | 'INVALID_INPUT' // 400
  | 'UNAUTHENTICATED' // 401
  | 'FORBIDDEN' // 403
  | 'NOT_FOUND' // 404
  | 'RULE_VIOLATED' // 409
  | 'STALE_REVISION' // 412
  | 'IDEMPOTENCY_KEY_REUSED' // 422
  | 'PRECONDITION_REQUIRED' // 428
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
    this.name = 'AppError';
  }
}

export class InvalidInputError extends AppError {
  constructor(message: string, errors?: FieldError[]) {
    super('INVALID_INPUT', message, errors);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A domain rule refused the command (409). */
export class RuleViolationError extends AppError {
  constructor(message: string) {
    super('RULE_VIOLATED', message);
  }
}
