import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NewsroomMetrics } from './newsroom-metrics';
import { routeOf } from './route-of';

/** Times every request into newsroom_http_request_duration_seconds once its response has gone out (or the client left). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: NewsroomMetrics) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const start = process.hrtime.bigint();
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.metrics.httpRequestTook(request.method ?? '', routeOf(request), response.statusCode, seconds);
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  }
}
