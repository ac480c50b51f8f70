import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, runCli } from '../cli/run-cli';
import { buildOpenApiDocument, openApiJson } from './openapi-document';

const USAGE = `Usage: npm run docs:openapi

Builds the application's OpenAPI 3.1 document (what /api/docs-json serves) without starting a
server, and writes it to docs/openapi.json. Run it after changing a route, a schema or a
response; test/docs/openapi-up-to-date.test.ts fails until you do.

Exit codes: 0 written; 1 the document could not be built or written.`;

/** Where the document lives in the repository, from the repository root. */
const TARGET = resolve(__dirname, '../../docs/openapi.json');

async function main(): Promise<number> {
  const document = await buildOpenApiDocument();
  writeFileSync(TARGET, openApiJson(document));
  process.stdout.write(`Wrote ${TARGET}: ${Object.keys(document.paths).length} paths\n`);
  return EXIT.ok;
}

runCli(USAGE, main);
