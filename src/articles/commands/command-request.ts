import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '../../auth/roles';
import type { RequestWithUser } from '../../auth/roles.decorator';
import { InvalidInputError } from '../../common/app-error';
import { RequestWithCorrelation } from '../../http/correlation-id.middleware';
import { IfMatch, parseIfMatch } from '../../http/if-match';
import { parseTraceparent } from '../../http/trace-context';
import { CommandRequest } from './article-command.runner';
import { requestHash } from './idempotency';

/** What the headers and the authenticated user say about a command request, read once. */
export interface RequestContext {
  user: AuthenticatedUser;
  correlationId: string;
  /** A valid W3C `traceparent` header (trace-context.ts); null when absent or invalid, which is ignored. */
  traceparent: string | null;
  ifMatch: IfMatch | null;
  idempotencyKey: string | null;
  method: string;
  /** The route's path in one spelling (routePath): parameters lower-cased, no trailing slash, no query string. */
  path: string;
}

/** An Idempotency-Key is 1-200 visible ASCII characters (draft-ietf-httpapi-idempotency-key-header §2: a String). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The request context of a command route: user, correlation id, If-Match (400 when malformed) and
 * Idempotency-Key (400 when not 1-200 visible ASCII characters).
 */
export const CommandContext = createParamDecorator((_: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<RequestWithUser>();
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const key = header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new InvalidInputError('Idempotency-Key must be 1-200 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' },
    ]);
  }
  if (!request.user) throw new Error('CommandContext used on a route without authentication');
  return {
    user: request.user,
    // Kept on Node's request by correlationIdOf (Fastify's genReqId and observeRequests).
    correlationId: (request.raw as RequestWithCorrelation).correlationId!,
    traceparent: parseTraceparent(request.headers.traceparent)?.header ?? null,
    ifMatch: parseIfMatch(header('if-match')),
    idempotencyKey: key ?? null,
    method: request.method,
    path: routePath(request),
  };
});

/**
 * The path a command names, in one spelling: the matched route's pattern with each parameter
 * lower-cased (ids are UUIDs, compared case-insensitively: RFC 9562 §4), so that a retry with the
 * id in capitals or a trailing slash is the same request for its Idempotency-Key. For a request
 * sent in lower case without a trailing slash it is the path as sent, as keys were hashed before.
 */
function routePath(request: { routeOptions?: { url?: unknown }; params?: unknown; originalUrl?: string; url: string }): string {
  const pattern = request.routeOptions?.url;
  if (typeof pattern !== 'string') return (request.originalUrl ?? request.url).split('?')[0];
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  return pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name] ?? '').toLowerCase()));
}

/** The runner's request: the context, the reason, and the key with the hash of this very request. */
export function commandRequest(context: RequestContext, body: unknown, reason: string | null | undefined): CommandRequest {
  const { user, correlationId, traceparent, ifMatch, idempotencyKey, method, path } = context;
  return {
    user,
    reason: reason ?? null,
    correlationId,
    traceparent,
    ifMatch,
    idempotency: idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash(method, path, body) },
  };
}
