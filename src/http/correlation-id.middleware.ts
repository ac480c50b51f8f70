import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

export type RequestWithCorrelation = Request & { correlationId?: string };

const ACCEPTABLE = /^[\w.:@/+=-]{1,200}$/;

/** Takes X-Correlation-Id (or makes one), keeps it on the request and echoes it back. */
@Injectable()
export class CorrelationIdMiddleware implements NestMiddleware {
  use(request: RequestWithCorrelation, response: Response, next: NextFunction): void {
    const given = request.header('x-correlation-id');
    const id = given && ACCEPTABLE.test(given) ? given : randomUUID();
    request.correlationId = id;
    response.setHeader('X-Correlation-Id', id);
    next();
  }
}
