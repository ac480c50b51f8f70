import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuthenticatedUser } from '../auth/roles';
import { correlationIdOf, RequestWithCorrelation } from '../http/correlation-id.middleware';
import { parseTraceparent } from '../http/trace-context';
import type { NewsroomMetrics } from './newsroom-metrics';
import { requestLevel } from './request-log';
import { routeOf } from './route-of';

type ObservedRequest = RequestWithCorrelation & { user?: AuthenticatedUser };

/**
 * What every request gets before any middleware runs (the adapter's request hook: Nest's Fastify
 * adapter runs it in the first of Fastify's onRequest hooks, before CORS and @fastify/middie,
 * where a middleware may end the response): its correlation id, taken or made and echoed in X-Correlation-Id; and,
 * once its response has gone out (or the client left, or the response failed), one sample in
 * newsroom_http_request_duration_seconds and one line in the request log (RequestLogFields with
 * correlationId and, from a valid W3C traceparent, traceId; "request completed" at info, or
 * "request failed" at error for a 5xx or a failed response). A request refused by middleware
 * (its body, its token) is counted and logged like any other.
 *
 * A request whose client left before its response was complete (the connection closed first) is
 * logged as "request aborted", with ABORTED_STATUS unless its status line had gone out.
 *
 * One hook and one listener set on Node's response, rather than a middleware each: no child
 * logger, no async context and no label object is made per request.
 *
 * @returns the same observation as a function of Node's request and response, for a request
 *   Fastify answers without running its hooks (a path it cannot decode: app.setup.ts's
 *   frameworkErrors); a request already observed is not observed twice.
 */
export function observeRequests(
  adapter: FastifyAdapter,
  log: Logger,
  metrics: NewsroomMetrics,
  /** What runs next in the same first hook, on an observed request (message-framing.ts's refusals); by default nothing. */
  then: (request: FastifyRequest, reply: FastifyReply, done: () => void) => void = (_request, _reply, done) => done(),
): (request: IncomingMessage, response: ServerResponse) => void {
  adapter.setOnRequestHook((request, reply, done) => {
    observe(request.raw, reply.raw, log, metrics);
    then(request, reply, done);
  });
  return (request, response) => observe(request, response, log, metrics);
}

/**
 * The status logged and counted for a request whose client closed the connection before its
 * response's status line was sent: 499, nginx's "client closed request" (not an HTTP status
 * any client is sent).
 */
export const ABORTED_STATUS = 499;

const OBSERVED = Symbol('observed');

function observe(request: ObservedRequest & { [OBSERVED]?: true }, response: ServerResponse, log: Logger, metrics: NewsroomMetrics): void {
  if (request[OBSERVED]) return;
  request[OBSERVED] = true;
  const correlationId = correlationIdOf(request, response);
  const start = performance.now();
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    const elapsedMs = performance.now() - start;
    // 'close' before 'finish': the client left before the response was complete.
    const aborted = error === undefined && !response.writableFinished;
    const status = aborted && !response.headersSent ? ABORTED_STATUS : response.statusCode;
    const method = request.method ?? '';
    const route = routeOf(request);
    metrics.httpRequestTook(method, route, status, elapsedMs / 1000);
    const failed = error !== undefined;
    const level = requestLevel(status, failed);
    if (!log.isLevelEnabled(level)) return;
    const message = failed || status >= 500 ? 'request failed' : aborted ? 'request aborted' : 'request completed';
    log[level](lineOf(request, correlationId, method, route, status, Math.round(elapsedMs)), message);
  };
  response.on('finish', end);
  response.on('close', end);
  response.on('error', end);
}

/** The request line's fields, in the order they are written. */
function lineOf(request: ObservedRequest, correlationId: string, method: string, route: string, status: number, durationMs: number) {
  const trace = request.headers.traceparent === undefined ? null : parseTraceparent(request.headers.traceparent);
  const fields = { method, route, status, durationMs, userId: request.user?.id ?? null };
  return trace ? { correlationId, traceId: trace.traceId, ...fields } : { correlationId, ...fields };
}

/** The correlation and trace ids of a request, for a line logged about it by other code (a 5xx, say). */
export function requestIds(request: IncomingMessage): { correlationId?: string; traceId?: string } {
  // Every request Fastify has seen has headers and its id (genReqId); a stand-in may have neither.
  if (request.headers === undefined) return {};
  const trace = parseTraceparent(request.headers.traceparent);
  const correlationId = correlationIdOf(request);
  return trace ? { correlationId, traceId: trace.traceId } : { correlationId };
}
