import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { prepareDataDir } from './common/data-dir';
import { answerExpectContinue, bodyLimitBytes, registerBodyParsers } from './http/body-reading';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyBrowserEdge, corsHeaders, edgeSecurityHeaders } from './http/browser-edge';
import { correlationIdOf } from './http/correlation-id.middleware';
import { answerClientError, REQUEST_TIMEOUT_MS } from './http/client-errors';
import { answerExpectations, refusedFraming, refuseFaultyFraming } from './http/message-framing';
import { answerPipelinedInOrder } from './http/pipelining';
import { openApiDocument } from './http/openapi-document';
import { pathOf, ProblemFilter, problem, sendProblem } from './http/problem.filter';
import { isPercentEncodedUtf8 } from './http/query-string.guard';
import { LargeJsonFastifyAdapter } from './http/large-json';
import { recordRoutes } from './observability/route-of';
import { NewsroomMetrics } from './observability/newsroom-metrics';
import { REQUEST_LOGGER } from './observability/observability.module';
import { observeRequests } from './observability/request-observer';
import { Logger } from 'nestjs-pino';
import { startupLogger, type LogOutput } from './observability/request-log';

/**
 * The HTTP server's options (Fastify, through @nestjs/platform-fastify), each chosen so that the
 * API behaves as API.md says whatever the framework's defaults:
 * - routes match case-insensitively and with or without a trailing slash (`/API/articles/`);
 * - a path parameter may be as long as a request line (a 101-character id is a 400 naming the
 *   field, not a 404);
 * - the body limit is ours (BODY_LIMIT, by default the largest valid command: API.md "Limits"),
 *   not Fastify's 1 MiB;
 * - Node's own timeouts stay as Node sets them (requests 300 s, keep-alive 5 s): Fastify would
 *   lift the first and raise the second; a request met while the app closes is served, not
 *   answered with Fastify's own 503;
 * - what Node's HTTP parser refuses, and a path Fastify cannot decode, are problem documents, and
 *   so is a request without Host (Node's own check is off: refuseFaultyFraming answers it).
 */
export function serverOptions(
  bodyLimit: number,
  observe: (request: IncomingMessage, response: ServerResponse) => void = () => {},
  corsOrigins: readonly string[] = [],
) {
  return {
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    bodyLimit,
    // Fastify's request id (which @fastify/middie hands the request log as `req.id`) is the correlation id.
    genReqId: (request: IncomingMessage) => correlationIdOf(request),
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: 5_000,
    // Shutdown is GracefulShutdown's (graceful-shutdown.ts): no 503 of Fastify's own, not a problem document.
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    // A request without Host reaches refuseFaultyFraming (message-framing.ts), which answers its 400
    // as a problem document; Node's own check would send an empty 400 before any hook runs.
    http: { requireHostHeader: false },
    // Fastify runs no hook for these: they are logged and counted here (observeRequests).
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      observe(request.raw, reply.raw);
      answerBadPath(error, request, reply, corsOrigins);
    },
  };
}

/**
 * Fastify's `frameworkErrors` handler, for a path it could not route: a segment whose
 * percent-encoding does not decode as UTF-8 (RFC 3986 §2.1, FST_ERR_BAD_URL) is 400 naming the
 * segment (unless framingFault finds fault with the request: that comes first), with the
 * security headers every response has and, for an origin in `corsOrigins`
 * (CORS_ORIGINS), the CORS headers (no middleware or hook runs for it, @fastify/cors's neither).
 */
export function answerBadPath(_error: Error, request: FastifyRequest, reply: FastifyReply, corsOrigins: readonly string[] = []): void {
  // A faulty Host, version, framing or Expect comes first, as it does for every other request (message-framing.ts).
  if (refusedFraming(request, reply, corsOrigins)) return;
  const path = pathOf(request);
  const segment = path.split('/').find((part) => !isPercentEncodedUtf8(part)) ?? path;
  const body = { ...problem(400, 'bad-request', `Failed to decode param '${segment}'`), instance: path };
  correlationIdOf(request.raw, reply.raw);
  edgeSecurityHeaders(request.raw, reply.raw, () => sendProblem(reply, 400, corsHeaders(corsOrigins, request.headers.origin), JSON.stringify(body)));
}

/**
 * Builds the application as main.ts and the e2e tests both run it, on Fastify. Logs go to stdout
 * as JSON lines (README "Observability"), to `logDestination` when given (tests capture them), or
 * nowhere with `logger: false`. Before requests, call `app.init()` (or `listen`) and await
 * `app.getHttpAdapter().getInstance().ready()`.
 */
export async function createApp(config: AppConfig, options: { logger?: false; logDestination?: LogOutput } = {}): Promise<NestFastifyApplication> {
  // Before any module writes there (users file, store, read models): refuse a read-only one clearly.
  prepareDataDir(config.dataDir);
  const log = options.logDestination ?? (options.logger === false ? 'off' : 'stdout');
  const bodyLimit = bodyLimitBytes(config.bodyLimit);
  // Set below, once the logger and the metrics exist; Fastify calls it for a path it cannot decode.
  const observer: { observe?: (request: IncomingMessage, response: ServerResponse) => void } = {};
  const fastifyOptions = serverOptions(bodyLimit, (request, response) => observer.observe?.(request, response), config.corsOrigins);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, { log }), new LargeJsonFastifyAdapter(fastifyOptions), {
    // A provider that refuses to start (store locked, damaged, unwritable) throws its error to the
    // caller, which prints it and exits 1, instead of Nest's process.abort().
    abortOnError: false,
    // Bodies are read by registerBodyParsers below, not Nest's parsers.
    bodyParser: false,
    // Held until the structured logger below takes over, so that every line goes through it.
    bufferLogs: true,
    // Until then (and for a start-up that fails), JSON lines without colours into a file or a pipe.
    logger: options.logger === false ? false : startupLogger(),
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  // First of all the request hooks: the correlation id, and the request's line and timing once it ends.
  // Then, in the same hook, a request with a faulty Host, version, Transfer-Encoding or Expect is
  // refused (RFC 9112 §3.2, §6), before CORS, the middleware and the routes.
  observer.observe = observeRequests(
    app.getHttpAdapter() as LargeJsonFastifyAdapter,
    app.get(REQUEST_LOGGER),
    app.get(NewsroomMetrics),
    refuseFaultyFraming(config.corsOrigins),
  );
  // JSON in UTF-8 only, inflated from gzip, deflate or br, within the limit; other bodies unread.
  registerBodyParsers(fastify, bodyLimit);
  // Pipelined requests reach the app one at a time, none after a response that closes the connection.
  answerPipelinedInOrder(fastify.server);
  // Expect: 100-continue is answered 100 only once the body is about to be read: a refusal comes without it.
  answerExpectContinue(fastify.server);
  // Any other expectation goes to the app, which answers it 417 (refuseFaultyFraming).
  answerExpectations(fastify.server);
  recordRoutes(fastify);
  // Security headers, CORS and OPTIONS first: they hold for every response, errors included.
  applyBrowserEdge(app, config);
  // Before the body is read, the HTTP module's middleware (HttpModule.configure) refuses a body
  // without a valid token, a bad charset or a declared length over the limit; they run after the
  // request log, the metrics and the correlation id, so that a body refused there is logged and
  // counted. The parser's own errors (too large, malformed JSON, not UTF-8, bad coding) go to
  // Fastify's error handler, which Nest gives the same filter.
  app.useGlobalFilters(app.get(ProblemFilter));
  // The UI at /api/docs, the document at /api/docs-json (and docs/openapi.json: npm run docs:openapi).
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app));
  return app;
}
