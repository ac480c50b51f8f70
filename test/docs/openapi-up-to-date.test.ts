import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOpenApiDocument, openApiJson } from '../../src/http/openapi-document';
import { startTestApp } from '../support/test-app';

const COMMITTED = resolve(__dirname, '../../docs/openapi.json');

describe('docs/openapi.json', () => {
  it('is what `npm run docs:openapi` generates from the code now (regenerate it after changing a route or schema)', async () => {
    const generated = openApiJson(await buildOpenApiDocument());
    const committed = readFileSync(COMMITTED, 'utf8');
    // Parsed first, so a failure shows which paths or schemas differ; then the text, byte for byte.
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
    expect(committed).toBe(generated);
  }, 60_000);

  it('is the document the running server serves at /api/docs-json', async () => {
    const app = await startTestApp();
    try {
      const served = await app.http.get('/api/docs-json').expect(200);
      expect(served.body).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
    } finally {
      await app.close();
    }
  }, 60_000);
});
