import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** The label of a request that matched no route (404, or a body refused before routing). */
export const UNMATCHED_ROUTE = '(unmatched)';

type RoutedRequest = IncomingMessage & { routePattern?: string };

/**
 * Keeps the route pattern Fastify matched (e.g. `/api/articles/:id/headline`) on Node's request,
 * where the request log and the metrics (middleware, on Node's objects) read it once the response
 * is out. Set in preHandler: once the body is read and before the guards, so that a request
 * refused while its body was read counts as unmatched and a 401 or 403 has its route.
 */
export function recordRoutes(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => {
    const pattern = request.routeOptions.url;
    if (!request.is404 && typeof pattern === 'string') (request.raw as RoutedRequest).routePattern = pattern;
    done();
  });
}

/**
 * The route pattern a request matched (see recordRoutes), or UNMATCHED_ROUTE. Never the raw URL,
 * which carries ids (unbounded label values) and may carry a query string.
 */
export function routeOf(request: IncomingMessage): string {
  return (request as RoutedRequest).routePattern ?? UNMATCHED_ROUTE;
}
