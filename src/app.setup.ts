import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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
  const openApi = new DocumentBuilder()
    .setTitle('Newsroom')
    .setDescription('Event-sourced newsroom: every edit to a story is an event.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  // The UI at /api/docs, the document at /api/docs-json; generated from the DTOs.
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  app.enableShutdownHooks();
  return app;
}
