import type { INestApplication } from '@nestjs/common';
import type { CorsOptions, CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config/app-config';
import { RouteTable } from './route-table';

/** Response headers a browser client may read: the revision, the new article, back-off, tracing. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After', 'X-Correlation-Id'];
/** Request headers a browser client may send beyond the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Correlation-Id', 'traceparent'];
export const CORS_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * CORS as the Fetch standard defines it (§3.2, "CORS protocol"), for the exact origins in
 * CORS_ORIGINS: a request from one of them gets Access-Control-Allow-Origin naming it and the
 * exposed headers; its preflight (OPTIONS with Access-Control-Request-Method) is answered 204
 * with the allowed methods and headers, cached by the browser for 10 minutes. A request from any
 * other origin gets no Access-Control-* header, so the browser withholds the response. No
 * credentials mode: the API authenticates with a bearer header, never a cookie.
 */
export function corsDelegate(origins: readonly string[]): CorsOptionsDelegate<Request> {
  const allowed = new Set(origins);
  const options: CorsOptions = {
    origin: [...allowed],
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    optionsSuccessStatus: 204,
  };
  return (request, callback) => callback(null, allowed.has(request.headers.origin ?? '') ? options : { origin: false });
}

/**
 * OPTIONS that CORS did not answer (no CORS configured, another origin, or no Origin at all):
 * 204 with Allow listing the path's methods (RFC 9110 §9.3.7), or on to the 404 for an unknown path.
 */
export function answerOptions(routes: () => RouteTable): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'OPTIONS') return next();
    const allowed = routes().allowedMethods((request.originalUrl ?? request.url).split('?')[0]);
    if (allowed.length === 0) return next();
    response
      .status(204)
      .set('Allow', [...allowed, 'OPTIONS'].join(', '))
      .end();
  };
}

/**
 * helmet's security headers on every response. The API answers JSON only, so its responses get
 * a Content-Security-Policy that allows nothing (`default-src 'none'`) and may not be framed;
 * the Swagger UI under /api/docs gets helmet's default policy, which it runs under: its scripts
 * are files from the same origin, its styles inline, its icons data: URIs.
 */
export function securityHeaders(): RequestHandler {
  const forApi = helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });
  const forDocs = helmet();
  return (request, response, next) => (request.path.startsWith('/api/docs') ? forDocs : forApi)(request, response, next);
}

/**
 * What a browser meets first: security headers, CORS for CORS_ORIGINS (nothing when unset) and
 * OPTIONS answered before the route table would call it a 405. Call before any other middleware.
 */
export function applyBrowserEdge(app: INestApplication, config: Pick<AppConfig, 'corsOrigins'>): void {
  app.use(securityHeaders());
  if (config.corsOrigins.length > 0) {
    // Every response varies by Origin once CORS is on, allowed or not: a cache must not reuse one for another.
    app.use((_request: Request, response: Response, next: NextFunction) => (response.vary('Origin'), next()));
    app.enableCors(corsDelegate(config.corsOrigins));
  }
  app.use(answerOptions(() => app.get(RouteTable)));
}
