import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';

/**
 * The application's OpenAPI 3.1 document, as served at /api/docs-json: the routes' decorators
 * (src/http/openapi.ts) and the request schemas, whose JSON Schema goes in as the server checks it
 * (OpenAPI 3.1's schemas are JSON Schema 2020-12, hence the version). Needs an app created by
 * createApp; does not need it to listen.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('Newsroom')
    .setDescription('Event-sourced newsroom: every edit to a story is an event. See docs/api.md.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An opaque token from the users file' })
    .build();
  return { ...SwaggerModule.createDocument(app, info), openapi: '3.1.0' };
}

/**
 * Builds the document without a server: the app is created on a temporary DATA_DIR (with a users
 * file, so no development tokens are made or printed), never listens, and is closed and its
 * directory removed before this resolves. The environment is not read, so the document depends
 * on the code alone (what docs/openapi.json holds and test/docs/openapi-up-to-date.test.ts checks).
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  // Imported here: app.setup imports this file.
  const { createApp } = await import('../app.setup');
  const dataDir = mkdtempSync(join(tmpdir(), 'newsroom-openapi-'));
  try {
    const usersFile = join(dataDir, 'users.json');
    writeFileSync(usersFile, JSON.stringify([{ id: 'openapi', name: 'OpenAPI', roles: ['reporter'], tokenSha256: '0'.repeat(64) }]));
    const app = await createApp(loadConfig({ DATA_DIR: dataDir, NEWSROOM_USERS_FILE: usersFile }), { logger: false });
    try {
      return openApiDocument(app);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The text of docs/openapi.json for a document: two-space JSON and a final newline. */
export function openApiJson(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
