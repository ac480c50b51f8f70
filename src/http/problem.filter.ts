import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger, NotFoundException, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import {
  AppError,
  AppErrorCode,
  FieldError,
  MethodNotAllowedError,
  NotReadyError,
  ServerBusyError,
  StaleRevisionError,
  TooManyRequestsError,
  UnauthenticatedError,
} from '../common/app-error';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors';
import { RouteTable } from './route-table';
import { requestIds } from '../observability/request-observer';
import { storeProblem } from './store-problems';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  /** On 412: the revision the article is at (RFC 9457 §3.2 extension member). */
  currentRevision?: number;
}

/** A problem document with the response headers that go with it. */
export interface ProblemResponse {
  problem: Problem;
  headers: Record<string, string>;
}

const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RULE_VIOLATED: 409,
  REQUEST_TIMEOUT: 408,
  STALE_REVISION: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  PRECONDITION_REQUIRED: 428,
  TOO_MANY_REQUESTS: 429,
  EVENT_STORE_UNAVAILABLE: 503,
  SERVER_BUSY: 503,
  NOT_READY: 503,
  READ_MODEL_TIMEOUT: 504,
};

/**
 * An error raised while the request was read, before any route ran: Fastify's (statusCode and a
 * code such as "FST_ERR_CTP_BODY_TOO_LARGE" or "FST_ERR_CTP_INVALID_CONTENT_LENGTH"), or the body
 * check's own (body-reading.ts: status and a `type` such as "entity.not.utf8"). Each says its own
 * 4xx status.
 */
interface RequestReadError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
  message: string;
}

function clientStatusOf(error: unknown): number | null {
  const e = error as RequestReadError | null;
  const status = e?.status ?? e?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/** zlib's errors when a body said it was gzip, deflate or br and was not (Z_DATA_ERROR, ERR__ERROR_FORMAT_…, brotli's). */
function isBadContentCoding(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return typeof code === 'string' && typeof errno === 'number' && /^(Z_|ERR_ZLIB|ERR__|ERR_BROTLI)/.test(code);
}

/**
 * The detail of every 413: true whatever BODY_LIMIT is, where "larger than any valid request" held
 * only for the default limit (the largest valid command, API.md "Limits").
 */
export const BODY_TOO_LARGE = 'The request body is larger than this server accepts (its BODY_LIMIT; API.md "Limits")';

const REQUEST_READ_DETAIL: Record<number, string> = {
  413: BODY_TOO_LARGE,
  415: 'Request bodies are JSON in UTF-8, sent as identity, gzip, deflate or br',
};

const SLUG_BY_STATUS: Record<number, string> = { 413: 'payload-too-large', 415: 'unsupported-media-type' };

/** A problem type's slug from its status's reason phrase: 431 → request-header-fields-too-large. */
export const slugOf = (status: number) => (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/\W+/g, '-');

/** An RFC 9457 problem document of type `/problems/<slug>`, titled with the status's reason phrase (RFC 9110 §15). */
export function problem(status: number, slug: string, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `/problems/${slug}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Every error as a problem document and its headers; a stack trace never leaves the server. */
export function toProblem(error: unknown): ProblemResponse {
  const headers: Record<string, string> = {};
  if (error instanceof AppError) {
    const doc = problem(STATUS_BY_CODE[error.code], error.code.toLowerCase().replace(/_/g, '-'), error.message, error.errors);
    if (error instanceof StaleRevisionError && error.currentRevision !== null) {
      // RFC 9110 §13.1.1 leaves the 412's content open: it tells the client where the article is.
      headers.ETag = `"${error.currentRevision}"`;
      doc.currentRevision = Number(error.currentRevision);
    }
    if (error instanceof UnauthenticatedError) {
      // RFC 6750 §3: the challenge; invalid_token only when a token was presented (§3.1).
      headers['WWW-Authenticate'] = `Bearer realm="newsroom"${error.presented ? ', error="invalid_token"' : ''}`;
    }
    if (error instanceof MethodNotAllowedError) headers.Allow = error.allowed.join(', ');
    // RFC 9110 §10.2.3: when to try again.
    if (error instanceof ServerBusyError || (error instanceof NotReadyError && error.retryAfterSeconds !== null)) {
      headers['Retry-After'] = String(error.retryAfterSeconds);
    }
    // RFC 6585 §4: a 429 MAY say how long to wait; ours always does.
    if (error instanceof TooManyRequestsError) headers['Retry-After'] = String(error.retryAfterSeconds);
    return { problem: doc, headers };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return { problem: problem(412, 'stale-revision', `The article has changed since revision ${String(error.expected)}`), headers };
  }
  const stored = storeProblem(error);
  if (stored) return { problem: stored, headers };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
    // Nest hands Fastify's own body errors (a chunked or inflated body over the limit) over as HttpExceptions.
    return { problem: problem(status, slugOf(status), REQUEST_READ_DETAIL[status] ?? message), headers };
  }
  if (isBadContentCoding(error)) {
    return { problem: problem(400, 'bad-content-coding', 'The body is not valid data in the Content-Encoding it names'), headers };
  }
  const status = clientStatusOf(error);
  if (status !== null) {
    const e = error as RequestReadError;
    const detail = REQUEST_READ_DETAIL[status] ?? e.message;
    // The same problem type whether the parser or a route found it (413 and 415 have AppErrors too).
    const slug = SLUG_BY_STATUS[status] ?? (e.type ?? slugOf(status)).replace(/\./g, '-');
    return { problem: problem(status, slug, detail), headers };
  }
  return { problem: problem(500, 'internal', 'The server failed to handle the request'), headers };
}

/** The media type of every problem document (RFC 9457 §3), in UTF-8. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * The request target as sent (path and query), from Fastify's request or, in middleware, Node's
 * (where @fastify/middie keeps it in `originalUrl` while it rewrites `url` for a mounted path).
 */
export function targetOf(request: { originalUrl?: string; url?: string }): string {
  return request.originalUrl ?? request.url ?? '/';
}

/**
 * A problem's `instance` (RFC 9457 §3.1.5): the request's path as sent, without its query string
 * (which may carry a secret), also in middleware mounted below a path (see targetOf).
 */
export function pathOf(request: { originalUrl?: string; url?: string }): string {
  return targetOf(request).split('?')[0];
}

/**
 * Sends a problem document on Fastify's reply, or on Node's response when the error came from
 * middleware (@fastify/middie hands it Node's objects). Nothing is sent once headers are out.
 */
export function sendProblem(response: FastifyReply | ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if ('raw' in response) {
    if (response.sent || response.raw.headersSent) return;
    response.code(status).headers(headers).header('Content-Type', PROBLEM_CONTENT_TYPE).send(body);
    return;
  }
  if (response.headersSent) return;
  response.writeHead(status, { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** Node's request under a Fastify one. */
function rawOf(request: FastifyRequest | IncomingMessage): IncomingMessage {
  return 'raw' in request ? request.raw : request;
}

/** An error logged as `message` with the stack of what was thrown (its own message leads the stack). */
function failureOf(message: string, thrown: unknown): Error {
  const failure = new Error(message);
  failure.stack = (thrown as Error | null)?.stack ?? String(thrown);
  return failure;
}

/**
 * The one exception filter: every error becomes an RFC 9457 problem document. A request for a
 * path that exists under other methods is 405 with Allow (RFC 9110 §15.5.6), not 404.
 */
@Catch()
@Injectable()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(@Optional() private readonly routes?: RouteTable) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<FastifyReply | ServerResponse>();
    const request = context.getRequest<FastifyRequest | IncomingMessage>();
    // The path only: a query string may carry a secret (?access_token=...), never echoed or logged,
    // not even inside a message that quotes the URL (Nest's 404 "Cannot GET <url>").
    const url = targetOf(request);
    const path = pathOf(request);
    const query = url.slice(path.length);
    const method = request.method ?? 'GET';
    const { problem: doc, headers } = toProblem(this.routeError(error, method, path));
    const body: Problem = { ...doc, detail: query ? doc.detail.split(query).join('') : doc.detail, instance: path };
    // The request's correlation and trace ids on the line, as on its request line.
    if (body.status === 500) this.logger.error({ ...requestIds(rawOf(request)), err: failureOf(`${method} ${path}`, error) });
    else if (body.status >= 500) this.logger.warn(requestIds(rawOf(request)), `${method} ${path}: ${body.status} ${body.detail}`);
    sendProblem(response, body.status, headers, JSON.stringify(body));
  }

  /** Nest's NotFoundException means no route matched: 405 when the path has other methods. */
  private routeError(error: unknown, method: string, path: string): unknown {
    if (!(error instanceof NotFoundException) || !this.routes) return error;
    const allowed = this.routes.allowedMethods(path);
    if (allowed.length === 0) return error;
    return new MethodNotAllowedError(`${method} is not allowed on ${path}; it allows ${allowed.join(', ')}`, allowed);
  }
}
