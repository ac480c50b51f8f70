import type { FastifyCorsOptions, FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config';
import type { Middleware } from './body-reading';
import { pathOf } from './problem.filter';
import { RouteTable } from './route-table';

/** Response headers a browser client may read: the revision, the new article, back-off, tracing. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After', 'X-Correlation-Id'];
/** Access-Control-Expose-Headers as every CORS response sends it (joined with ",", as the headers always have been). */
const EXPOSED = CORS_EXPOSED_HEADERS.join(',');
/** Request headers a browser client may send beyond the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Correlation-Id', 'traceparent'];
export const CORS_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * CORS as the Fetch standard defines it (§3.2, "CORS protocol"), for the exact origins in
 * CORS_ORIGINS: a request from one of them gets Access-Control-Allow-Origin naming it and the
 * exposed headers; its preflight (OPTIONS with Access-Control-Request-Method) is answered 204
 * with the allowed methods and headers, cached by the browser for 10 minutes. A request from any
 * other origin gets no Access-Control-* header, so the browser withholds the response. No
 * credentials mode: the API authenticates with a bearer header, never a cookie. An OPTIONS from
 * an allowed origin is answered as a preflight even without Access-Control-Request-Method
 * (strictPreflight off), as before; an OPTIONS from any other origin goes on to answerOptions.
 */
export function corsDelegate(origins: readonly string[]): FastifyCorsOptionsDelegateCallback {
  const allowed = new Set(origins);
  const options: FastifyCorsOptions = {
    origin: [...allowed],
    // Joined here: @fastify/cors would join lists with ", ", where the headers have always had ",".
    methods: CORS_METHODS.join(','),
    allowedHeaders: CORS_ALLOWED_HEADERS.join(','),
    exposedHeaders: EXPOSED,
    maxAge: 600,
    optionsSuccessStatus: 204,
    strictPreflight: false,
  };
  return (request, callback) => callback(null, allowed.has(request.headers.origin ?? '') ? options : { origin: false });
}

/**
 * The CORS headers of a response that @fastify/cors does not see (a path Fastify cannot route):
 * for an `origin` in `origins`, Access-Control-Allow-Origin naming it and the exposed headers, as
 * corsDelegate's; Vary: Origin whenever CORS is on (`origins` not empty); nothing otherwise.
 */
export function corsHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> {
  if (origins.length === 0) return {};
  if (origin === undefined || !origins.includes(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED, Vary: 'Origin' };
}

/**
 * OPTIONS that CORS did not answer (no CORS configured, another origin, or no Origin at all):
 * 204 with Allow listing the path's methods (RFC 9110 §9.3.7), or on to the 404 for an unknown path.
 */
export function answerOptions(routes: () => RouteTable): Middleware {
  return (request, response, next) => {
    if (request.method !== 'OPTIONS') return next();
    const allowed = routes().allowedMethods(pathOf(request as { originalUrl?: string; url?: string }));
    if (allowed.length === 0) return next();
    response.writeHead(204, { Allow: [...allowed, 'OPTIONS'].join(', ') });
    response.end();
  };
}

/**
 * helmet's security headers on every response. The API answers JSON only, so its responses get
 * a Content-Security-Policy that allows nothing (`default-src 'none'`) and may not be framed;
 * the Swagger UI under /api/docs gets helmet's default policy, which it runs under: its scripts
 * are files from the same origin, its styles inline, its icons data: URIs.
 */
export function securityHeaders(): Middleware {
  const forApi = helmetHeaders(helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }));
  const forDocs = helmetHeaders(helmet());
  return (request, response, next) => {
    const headers = pathOf(request as { originalUrl?: string; url?: string }).startsWith('/api/docs') ? forDocs : forApi;
    for (const name of headers.removed) response.removeHeader(name);
    for (const [name, value] of headers.set) response.setHeader(name, value);
    next();
  };
}

/**
 * The one securityHeaders() middleware of the process: the chain's (applyBrowserEdge) and the
 * answers written where no middleware runs (app.setup.ts's answerBadPath, message-framing.ts's
 * refusals). Its headers are the same for every app, so helmet is run on its stand-in once.
 */
export const edgeSecurityHeaders = securityHeaders();

/** The response headers a helmet middleware sets (in its order) and removes. */
export interface HelmetHeaders {
  set: ReadonlyArray<readonly [string, string]>;
  removed: readonly string[];
}

/**
 * What `middleware` (helmet's) does to a response, found once by running it on a stand-in: with
 * no directive computed per request (no nonce, no function), helmet sets the same headers on
 * every response, so applying the list is the same as running it, without its chain of a dozen
 * middlewares per request. Only for such a helmet: a directive computed per request would keep
 * its first value. Throws when the middleware does not finish at once, or passes an error on.
 */
export function helmetHeaders(middleware: (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void): HelmetHeaders {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const standIn = {
    setHeader: (name: string, value: unknown) => set.set(name, String(value)),
    getHeader: (name: string) => set.get(name),
    removeHeader: (name: string) => {
      set.delete(name);
      removed.push(name);
    },
  };
  let finished = false;
  middleware({ headers: {} } as IncomingMessage, standIn as unknown as ServerResponse, (error) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be applied from a list');
  return { set: [...set], removed };
}

/**
 * What a browser meets first: security headers, CORS for CORS_ORIGINS (nothing when unset) and
 * OPTIONS answered before the route table would call it a 405. Call before any other middleware.
 */
export function applyBrowserEdge(app: NestFastifyApplication, config: Pick<AppConfig, 'corsOrigins'>): void {
  app.use(edgeSecurityHeaders);
  if (config.corsOrigins.length > 0) {
    // Every response varies by Origin once CORS is on, allowed or not: a cache must not reuse one for another.
    app.use(varyByOrigin);
    // @fastify/cors takes the delegate in place of its options (Nest passes it on as it is).
    app.enableCors(corsDelegate(config.corsOrigins) as never);
  }
  app.use(answerOptions(() => app.get(RouteTable)));
}

/** Adds Origin to the response's Vary header (RFC 9110 §12.5.5) unless it is there already. */
const varyByOrigin: Middleware = (_request, response, next) => {
  const vary = String(response.getHeader('Vary') ?? '');
  if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(vary)) response.setHeader('Vary', vary ? `${vary}, Origin` : 'Origin');
  next();
};
