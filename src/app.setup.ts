import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { prepareDataDir } from './common/data-dir';
import { applyBrowserEdge } from './http/browser-edge';
import { answerClientErrors } from './http/client-errors';
import { streamLargeJson } from './http/large-json';
import { openApiDocument } from './http/openapi-document';
import { ProblemFilter } from './http/problem.filter';
import { Logger } from 'nestjs-pino';
import type { LogOutput } from './observability/request-log';

/**
 * Builds the application as main.ts and the e2e tests both run it. Logs go to stdout as JSON lines
 * (README "Observability"), to `logDestination` when given (tests capture them), or nowhere with
 * `logger: false`.
 */
export async function createApp(config: AppConfig, options: { logger?: false; logDestination?: LogOutput } = {}): Promise<INestApplication> {
  // Before any module writes there (users file, store, read models): refuse a read-only one clearly.
  prepareDataDir(config.dataDir);
  const log = options.logDestination ?? (options.logger === false ? 'off' : 'stdout');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { log }), {
    // A provider that refuses to start (store locked, damaged, unwritable) throws its error to the
    // caller, which prints it and exits 1, instead of Nest's process.abort().
    abortOnError: false,
    bodyParser: false,
    // Held until the structured logger below takes over, so that every line goes through it.
    bufferLogs: true,
    ...(options.logger === false ? { logger: false } : {}),
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Security headers, CORS and OPTIONS first: they hold for every response, errors included.
  applyBrowserEdge(app, config);
  // A maximum article, revision, blame or diff is written a piece at a time (see streamLargeJson).
  app.use(streamLargeJson);
  // Bodies are read by the HTTP module's middleware (HttpModule.configure), after the request
  // log, the metrics and the correlation id, so that a body refused there is logged and counted.
  // body-parser's own errors (too large, malformed JSON, bad charset or coding) happen before
  // routing: the same filter answers them.
  app.useGlobalFilters(app.get(ProblemFilter));
  app.disable('x-powered-by');
  // What Node's HTTP parser refuses (431, malformed framing) is a problem document too.
  answerClientErrors(app.getHttpServer());
  // ETags are revisions, set by the routes that have them; not Express's hashes of any body.
  app.set('etag', false);
  // The UI at /api/docs, the document at /api/docs-json (and docs/openapi.json: npm run docs:openapi).
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app));
  return app;
}
