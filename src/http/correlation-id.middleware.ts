import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** Node's request with the correlation id the middleware kept on it. */
export type RequestWithCorrelation = IncomingMessage & { correlationId?: string };

const ACCEPTABLE = /^[\w.:@/+=-]{1,200}$/;

/**
 * The request's correlation id: X-Correlation-Id when it is 1-200 safe characters, else a new
 * UUID; kept on the request and, given the response, echoed in it. Idempotent, so that Fastify
 * (whose request id it is: app.setup.ts), observeRequests and the request log agree on one id.
 */
export function correlationIdOf(request: IncomingMessage & { correlationId?: string }, response?: ServerResponse): string {
  let id = request.correlationId;
  if (id === undefined) {
    const given = request.headers['x-correlation-id'];
    id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
    request.correlationId = id;
  }
  if (response && !response.headersSent && !response.hasHeader('X-Correlation-Id')) response.setHeader('X-Correlation-Id', id);
  return id;
}
