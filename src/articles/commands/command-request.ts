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
  /** The path without its query string. */
  path: string;
}

/** An Idempotency-Key is 1-200 visible ASCII characters (draft-ietf-httpapi-idempotency-key-header §2: a String). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The request context of a command route: user, correlation id, If-Match (400 when malformed) and
 * Idempotency-Key (400 when not 1-200 visible ASCII characters).
 */
export const CommandContext = createParamDecorator((_: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<RequestWithUser & RequestWithCorrelation>();
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
    correlationId: request.correlationId!,
    traceparent: parseTraceparent(request.headers.traceparent)?.header ?? null,
    ifMatch: parseIfMatch(header('if-match')),
    idempotencyKey: key ?? null,
    method: request.method,
    path: (request.originalUrl ?? request.url).split('?')[0],
  };
});

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
