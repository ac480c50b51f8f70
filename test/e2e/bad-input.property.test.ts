import fc from 'fast-check';
import type { Response } from 'supertest';
import { COMMAND_BODIES } from '../../src/articles/commands/command.schemas';
import { jsonSchemas } from '../../src/common/json-schema';
import { startTestApp, TestApp, TestRole } from '../support/test-app';
import { PROJECTIONS } from '../../src/read-models/projections.registry';

type Json = unknown;
type Schema = Record<string, unknown>;

/**
 * For every command endpoint, structurally wrong bodies and headers generated from its own schema
 * (wrong types at every depth, nulls, arrays for objects, unknown and magic keys, sizes past the
 * limits, odd media types and codings): each is a 4xx problem document, never a 5xx, nothing is
 * appended, and every read model stays healthy.
 */
describe('bad input, generated from the schemas (property)', () => {
  let t: TestApp;
  let draftId: string;
  let publishedId: string;
  let quoteId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const post = (path: string, role: TestRole, body: object, ifMatch?: string) => {
      const req = t.http.post(path).set('Authorization', t.auth(role)).send(body);
      return (ifMatch ? req.set('If-Match', ifMatch) : req).expect((res: Response) => expect(res.status).toBeLessThan(300));
    };
    draftId = (await post('/api/articles', 'reporter', { headline: 'Draft', body: [{ type: 'paragraph', text: 'x' }] })).body.articleId;
    publishedId = (await post('/api/articles', 'reporter', { headline: 'Live', body: [{ type: 'paragraph', text: 'x' }] })).body.articleId;
    quoteId = (await post(`/api/articles/${publishedId}/quotes`, 'reporter', { speaker: { name: 'A' }, text: 'Q' }, '"0"')).body.quoteId;
    await post(`/api/articles/${publishedId}/publish`, 'editor', {}, '"1"');
  });
  afterAll(async () => t.close());

  const block = { id: 'b1', type: 'paragraph', text: 'Text.' };
  const list = { type: 'list', items: ['One', 'Two'] };
  const quote = {
    speaker: { name: 'Volodymyr Zelenskyy', title: 'President' },
    text: 'Words.',
    source: { description: 'Call', url: 'https://example.org' },
    reason: 'Why',
  };

  /** Each endpoint with a valid body, on an article where that body would be accepted. */
  const endpoints = () =>
    [
      {
        name: 'draft',
        method: 'post',
        path: '/api/articles',
        role: 'reporter',
        schema: COMMAND_BODIES.draft.schema,
        body: { headline: 'H', standfirst: 'S', body: [block, list], byline: ['Rita'], reason: 'R' },
      },
      {
        name: 'headline',
        method: 'put',
        path: `/api/articles/${draftId}/headline`,
        role: 'reporter',
        schema: COMMAND_BODIES.headline.schema,
        body: { headline: 'New', reason: 'R' },
      },
      {
        name: 'standfirst',
        method: 'put',
        path: `/api/articles/${draftId}/standfirst`,
        role: 'reporter',
        schema: COMMAND_BODIES.standfirst.schema,
        body: { standfirst: 'New', reason: 'R' },
      },
      {
        name: 'body',
        method: 'put',
        path: `/api/articles/${draftId}/body`,
        role: 'reporter',
        schema: COMMAND_BODIES.body.schema,
        body: { body: [block, list], reason: 'R' },
      },
      { name: 'quote', method: 'post', path: `/api/articles/${draftId}/quotes`, role: 'reporter', schema: COMMAND_BODIES.quote.schema, body: quote },
      {
        name: 'amend',
        method: 'put',
        path: `/api/articles/${publishedId}/quotes/${quoteId}`,
        role: 'editor',
        schema: COMMAND_BODIES.quote.schema,
        body: quote,
      },
      {
        name: 'withdraw',
        method: 'delete',
        path: `/api/articles/${draftId}/quotes/${quoteId}`,
        role: 'reporter',
        schema: COMMAND_BODIES.reasonOnly.schema,
        body: { reason: 'R' },
      },
      {
        name: 'publish',
        method: 'post',
        path: `/api/articles/${draftId}/publish`,
        role: 'editor',
        schema: COMMAND_BODIES.reasonOnly.schema,
        body: { reason: 'R' },
      },
      {
        name: 'unpublish',
        method: 'post',
        path: `/api/articles/${publishedId}/unpublish`,
        role: 'editor',
        schema: COMMAND_BODIES.unpublish.schema,
        body: { reason: 'R' },
      },
      {
        name: 'correction',
        method: 'post',
        path: `/api/articles/${publishedId}/corrections`,
        role: 'standards',
        schema: COMMAND_BODIES.correction.schema,
        body: {
          kind: 'correction',
          note: 'N',
          headline: 'H2',
          standfirst: 'S2',
          body: [block],
          quotes: [{ quoteId, speaker: { name: 'B' }, text: 'T', source: null }],
          reason: 'R',
        },
      },
      {
        name: 'retract',
        method: 'post',
        path: `/api/articles/${publishedId}/retract`,
        role: 'standards',
        schema: COMMAND_BODIES.retract.schema,
        body: { note: 'N', reason: 'R' },
      },
    ] as const;

  it.each(endpoints().map((e) => [e.name]))('%s: every structurally wrong body is a 4xx problem that appends nothing', async (name) => {
    const endpoint = endpoints().find((e) => e.name === name)!;
    const ifMatch = endpoint.path.startsWith('/api/articles/') ? (endpoint.path.includes(publishedId) ? '"2"' : '"0"') : undefined;
    await fc.assert(
      fc.asyncProperty(mutation(endpoint.body, endpoint.schema as unknown as Schema), async (bad) => {
        const before = await t.eventStore.headPosition();
        let req = t.http[endpoint.method](endpoint.path).set('Authorization', t.auth(endpoint.role)).set('Content-Type', 'application/json');
        if (ifMatch) req = req.set('If-Match', ifMatch);
        const res = await req.send(bad.text);
        expectProblem(res, bad.description);
        expect(await t.eventStore.headPosition()).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });

  it.each(endpoints().map((e) => [e.name]))('%s: wrong media types, codings and headers are a 4xx problem that appends nothing', async (name) => {
    const endpoint = endpoints().find((e) => e.name === name)!;
    const ifMatch = endpoint.path.startsWith('/api/articles/') ? (endpoint.path.includes(publishedId) ? '"2"' : '"0"') : '"0"';
    await fc.assert(
      fc.asyncProperty(badHeaders(ifMatch), async (headers) => {
        const before = await t.eventStore.headPosition();
        let req = t.http[endpoint.method](endpoint.path).set('Authorization', t.auth(endpoint.role));
        for (const [header, value] of Object.entries(headers)) req = req.set(header, value);
        const res = await req.send(JSON.stringify(endpoint.body));
        expectProblem(res, JSON.stringify(headers));
        expect(await t.eventStore.headPosition()).toEqual(before);
      }),
      { numRuns: 25 },
    );
  });

  it('leaves every read model healthy', async () => {
    const health = (await t.http.get('/health').expect(200)).body;
    expect(health.status).toBe('ok');
    expect(health.projections.map((p: { status: string }) => p.status)).toEqual(PROJECTIONS.map(() => 'live'));
  });
});

function expectProblem(res: Response, what: string): void {
  if (res.status < 400 || res.status >= 500) throw new Error(`${res.status} for ${what}: ${JSON.stringify(res.body).slice(0, 300)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: res.status, type: expect.any(String), detail: expect.any(String) });
}

const MAGIC_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'reason ', 'Headline', '$where'];

/** Nested arrays or objects `depth` levels deep, as JSON text. */
const deep = (depth: number, kind: 'array' | 'object') =>
  kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** JSON text of a value `schema` refuses: of another type, null, too long, too many, or nested 2,000 deep. */
function wrongValue(schema: Schema): fc.Arbitrary<string> {
  // Checked with ajv itself: a value the schema would take (null where null is allowed) is no mutation.
  const accepts = jsonSchemas.exact.compile(schema);
  return anyValueBut(schema).filter((text) => !accepts(JSON.parse(text)));
}

function anyValueBut(schema: Schema): fc.Arbitrary<string> {
  const type = schemaType(schema);
  const options: Array<fc.Arbitrary<string>> = [fc.constant('null'), fc.constant(deep(2_000, 'array')), fc.constant(deep(2_000, 'object'))];
  if (type !== 'string') options.push(fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)));
  if (type !== 'integer') options.push(fc.oneof(fc.integer(), fc.constant(1e308), fc.constant(-0.5)).map(String));
  options.push(fc.boolean().map(String));
  if (type !== 'array') options.push(fc.constantFrom('[]', '[[]]', '[null]', '[{}]'));
  if (type !== 'object') options.push(fc.constantFrom('{}', '{"__proto__":{"admin":true}}', '{"0":1}'));
  if (type === 'string') {
    const max = schema.maxLength as number | undefined;
    if (max !== undefined) options.push(fc.constantFrom('x', '😀', 'ж').map((c) => JSON.stringify(c.repeat(max + 1))));
    const values = (schema.enum as string[] | undefined) ?? (schema.const !== undefined ? [schema.const as string] : undefined);
    if (values)
      options.push(
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((s) => !values.includes(s))
          .map((s) => JSON.stringify(s)),
      );
  }
  if (type === 'array' && (schema.maxItems as number) <= 600) {
    options.push(fc.constant(JSON.stringify(Array.from({ length: (schema.maxItems as number) + 1 }, () => null))));
  }
  return fc.oneof(...options);
}

function schemaType(schema: Schema): string | undefined {
  if (schema.type) return schema.type as string;
  if (schema.oneOf || schema.anyOf) {
    const types = ((schema.oneOf ?? schema.anyOf) as Schema[]).map(schemaType);
    return types.every((t) => t === types[0]) ? types[0] : undefined;
  }
  if (schema.const !== undefined) return typeof schema.const;
  return undefined;
}

/** The schema that applies at a child of `value` (the branch a oneOf picks by its discriminator). */
function childSchema(schema: Schema, value: Json, key: string | number): Schema | undefined {
  const branches = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (branches) {
    const tag = (value as { type?: unknown })?.type;
    const branch =
      branches.find((b) => (b.properties as Record<string, Schema> | undefined)?.type?.const === tag) ?? branches.find((b) => b.type === typeof value);
    return branch && childSchema(branch, value, key);
  }
  if (typeof key === 'number') return schema.items as Schema;
  return (schema.properties as Record<string, Schema> | undefined)?.[key];
}

interface Site {
  path: Array<string | number>;
  schema: Schema;
  value: Json;
  required: boolean;
}

/** Every place in a valid body, with the schema that applies there. */
function sites(value: Json, schema: Schema, path: Array<string | number> = [], required = true): Site[] {
  const here: Site = { path, schema, value, required };
  if (Array.isArray(value)) return [here, ...value.flatMap((item, i) => sites(item, childSchema(schema, value, i)!, [...path, i]))];
  if (value && typeof value === 'object') {
    const branch =
      ((schema.oneOf as Schema[] | undefined) ?? []).find((b) => (b.properties as Record<string, Schema>).type?.const === (value as { type?: string }).type) ??
      schema;
    const needed = new Set((branch.required as string[] | undefined) ?? []);
    return [here, ...Object.entries(value).flatMap(([key, child]) => sites(child, childSchema(schema, value, key)!, [...path, key], needed.has(key)))];
  }
  return [here];
}

/** JSON text of `root` with the value at `path` replaced by `replacement` (JSON text), or removed. */
function rewrite(root: Json, path: Array<string | number>, replacement: string | null, addKey?: string): string {
  const marker = `\u0000${Math.random()}\u0000`;
  const copy = structuredClone(root) as Record<string | number, Json>;
  if (path.length === 0 && addKey === undefined) return replacement ?? '';
  const parent = path.slice(0, -1).reduce<Record<string | number, Json>>((node, key) => node[key] as Record<string | number, Json>, copy);
  const target = addKey === undefined ? parent : (path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], copy) as Record<string, Json>);
  const key = addKey ?? path[path.length - 1];
  if (replacement === null && addKey === undefined) delete parent[key];
  else Object.defineProperty(target, key, { value: marker, enumerable: true, configurable: true, writable: true });
  return JSON.stringify(copy).replace(JSON.stringify(marker), replacement ?? 'null');
}

/** A structurally wrong body: a wrong value somewhere, a required field removed, or an unknown key added. */
function mutation(body: Json, schema: Schema): fc.Arbitrary<{ text: string; description: string }> {
  const all = sites(body, schema);
  const replaced = fc.constantFrom(...all).chain((site) =>
    wrongValue(site.schema).map((value) => ({
      text: rewrite(body, site.path, value),
      description: `${site.path.join('.') || '(root)'} = ${value.slice(0, 60)}`,
    })),
  );
  const removable = all.filter((site) => site.required && site.path.length > 0);
  const removed = removable.length
    ? fc.constantFrom(...removable).map((site) => ({ text: rewrite(body, site.path, null), description: `without ${site.path.join('.')}` }))
    : replaced;
  const objects = all.filter((site) => site.value && typeof site.value === 'object' && !Array.isArray(site.value));
  const added = fc
    .tuple(fc.constantFrom(...objects), fc.oneof(fc.constantFrom(...MAGIC_KEYS), fc.string({ minLength: 1, maxLength: 10 })), anyValueBut({}))
    .filter(
      ([site, key]) => !Object.prototype.hasOwnProperty.call((site.schema.properties as object | undefined) ?? {}, key) && !schemaHasKey(site.schema, key),
    )
    .map(([site, key, value]) => ({ text: rewrite(body, site.path, value, key), description: `${site.path.join('.')}[${JSON.stringify(key)}] added` }));
  return fc.oneof(replaced, removed, added);
}

function schemaHasKey(schema: Schema, key: string): boolean {
  const branches = (schema.oneOf as Schema[] | undefined) ?? [schema];
  return branches.some((b) => Object.prototype.hasOwnProperty.call((b.properties as object | undefined) ?? {}, key));
}

/** Headers that make any command request wrong, whatever its body. */
function badHeaders(ifMatch: string): fc.Arbitrary<Record<string, string>> {
  const json = { 'Content-Type': 'application/json', 'If-Match': ifMatch };
  return fc.oneof(
    fc
      .constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'json')
      .map((type) => ({ ...json, 'Content-Type': type })),
    fc.constantFrom('latin1', 'iso-8859-1', 'utf-16', 'ebcdic').map((charset) => ({ ...json, 'Content-Type': `application/json; charset=${charset}` })),
    fc.constantFrom('xyz', 'gzip', 'deflate', 'br', 'compress', 'gzip, xyz').map((coding) => ({ ...json, 'Content-Encoding': coding })),
    fc.constantFrom('0', '"0', 'W/0', '"0" "1"', '', ',', 'W/"', 'abc').map((value) => ({ ...json, 'If-Match': value })),
    fc.oneof(fc.constant('x'.repeat(201)), fc.constant('\u00e9t\u00e9'), fc.constant('with space')).map((key) => ({ ...json, 'Idempotency-Key': key })),
  );
}
