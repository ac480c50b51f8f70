import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { ProblemFilter } from './http/problem.filter';

/** Builds the application as main.ts and the e2e tests both run it. */
export async function createApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : {}),
  });
  app.useBodyParser('json', { limit: config.bodyLimit, type: ['application/json', 'application/*+json'] });
  // body-parser's own errors (too large, malformed JSON) happen before routing: filter them too.
  app.useGlobalFilters(new ProblemFilter());
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  return app;
}
