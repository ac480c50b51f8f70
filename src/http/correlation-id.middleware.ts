import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

export type RequestWithCorrelation = Request & { correlationId?: string };

const ACCEPTABLE = /^[\w.:@/+=-]{1,200}$/;

/**
 * The request's correlation id: X-Correlation-Id when it is 1-200 safe characters, else a new
 * UUID; kept on the request and echoed in the response. Idempotent, so that the request log
 * (whose middleware may run first) and this middleware agree on one id.
 */
export function correlationIdOf(request: IncomingMessage & { correlationId?: string }, response: ServerResponse): string {
  if (request.correlationId) return request.correlationId;
  const given = request.headers['x-correlation-id'];
  const id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  request.correlationId = id;
  if (!response.headersSent) response.setHeader('X-Correlation-Id', id);
  return id;
}

/** Takes X-Correlation-Id (or makes one), keeps it on the request and echoes it back. */
@Injectable()
export class CorrelationIdMiddleware implements NestMiddleware {
  use(request: RequestWithCorrelation, response: Response, next: NextFunction): void {
    correlationIdOf(request, response);
    next();
  }
}
