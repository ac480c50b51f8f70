import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { AppError, AppErrorCode, FieldError } from '../common/app-error';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store/event-store.errors';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RULE_VIOLATED: 409,
  STALE_REVISION: 412,
  IDEMPOTENCY_KEY_REUSED: 422,
  PRECONDITION_REQUIRED: 428,
  EVENT_STORE_UNAVAILABLE: 503,
  READ_MODEL_TIMEOUT: 504,
};

/** body-parser's errors carry an HTTP status and a `type` such as "entity.too.large". */
interface BodyParserError {
  status: number;
  type: string;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return typeof e?.status === 'number' && typeof e.type === 'string' && e.type.startsWith('entity.');
}

function problem(status: number, slug: string, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `/problems/${slug}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Every error becomes a problem document; a stack trace never leaves the server. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) {
    return problem(STATUS_BY_CODE[error.code], error.code.toLowerCase().replace(/_/g, '-'), error.message, error.errors);
  }
  if (error instanceof WrongExpectedRevisionError) {
    return problem(412, 'stale-revision', `The article has changed since revision ${String(error.expected)}`);
  }
  if (error instanceof EventStoreUnavailableError) {
    return problem(503, 'event-store-unavailable', 'The event store is unavailable; nothing was written. Retry later.');
  }
  // Nest itself turns body-parser's JSON syntax errors into a BadRequestException (below).
  if (isBodyParserError(error)) {
    const detail = error.type === 'entity.too.large' ? 'The request body is larger than the server accepts' : error.message;
    return problem(error.status, error.type.replace(/\./g, '-'), detail);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
    return problem(status, (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/\W+/g, '-'), message);
  }
  return problem(HttpStatus.INTERNAL_SERVER_ERROR, 'internal', 'The server failed to handle the request');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request>();
    const body = { ...toProblem(error), instance: request.originalUrl };
    if (body.status >= 500) this.logger.error(`${request.method} ${request.originalUrl}`, (error as Error)?.stack);
    if (response.headersSent) return;
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
