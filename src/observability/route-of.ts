import type { IncomingMessage } from 'node:http';

/** The label of a request that matched no route (404, or a body refused before routing). */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Nest mounts middleware for every path (`forRoutes('*path')`) as an Express route `/{*path}`;
 * a request that no controller route matched still has that one in `req.route`.
 */
const MIDDLEWARE_CATCH_ALL = /^\/?(\{\*\w*\}|\*\w*)$/;

/**
 * The route pattern a request matched, e.g. `/api/articles/:id/headline`: Express's `req.route`,
 * set once routing found the handler (guards run after it, so a 401 or 403 has its route too).
 * Never the raw URL, which carries ids (unbounded label values) and may carry a query string.
 */
export function routeOf(request: IncomingMessage): string {
  const { route, baseUrl } = request as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  if (typeof route?.path !== 'string' || MIDDLEWARE_CATCH_ALL.test(route.path)) return UNMATCHED_ROUTE;
  return `${baseUrl ?? ''}${route.path}`;
}
