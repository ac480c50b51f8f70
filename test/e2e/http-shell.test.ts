import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadUsers, parseUsersFile } from '../../src/auth/users';
import { loadConfig } from '../../src/config/app-config';
import { rawRequest } from '../support/raw-request';
import { startTestApp, TestApp } from '../support/test-app';
import { tempDir } from '../support/temp-dir';

describe('HTTP shell', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('answers /health without a token', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', eventStore: 'embedded' });
    expect(Array.isArray(res.body.projections)).toBe(true);
  });

  it('refuses /api without a token, or with an unknown one, as a 401 problem', async () => {
    for (const auth of [undefined, 'Bearer nope', 'Basic abc']) {
      const req = t.http.post('/api/articles').send({ headline: 'x', body: [{ type: 'paragraph', text: 'x' }] });
      const res = await (auth ? req.set('Authorization', auth) : req).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
      expect(res.body.detail).toEqual(expect.any(String));
    }
  });

  it('answers an unknown route with a 404 problem, not a stack trace', async () => {
    const res = await t.http.get('/api/nowhere').set('Authorization', t.auth('reporter')).expect(404);
    expect(res.body).toMatchObject({ status: 404, type: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('turns malformed JSON into a 400 problem', async () => {
    const res = await t.http
      .post('/api/articles')
      .set('Authorization', t.auth('reporter'))
      .set('Content-Type', 'application/json')
      .send('{"headline": "oops",')
      .expect(400);
    expect(res.body).toMatchObject({ status: 400, type: '/problems/bad-request', detail: expect.stringContaining('JSON') });
  });

  it('turns a body over the limit into a 413 problem (BODY_LIMIT set low by the operator)', async () => {
    const small = await startTestApp({ env: { BODY_LIMIT: '64kb' } });
    try {
      const res = await small.http
        .post('/api/articles')
        .set('Authorization', small.auth('reporter'))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ headline: 'x', body: [{ type: 'paragraph', text: 'x'.repeat(100_000) }] }))
        .expect(413);
      expect(res.body).toMatchObject({ status: 413, type: '/problems/payload-too-large', detail: expect.stringContaining('BODY_LIMIT') });
      // Chunked, or compressed, its size is found while it is read (Fastify's own error): the same problem.
      const big = JSON.stringify({ headline: 'x', body: [{ type: 'paragraph', text: 'x'.repeat(100_000) }] });
      const headers = { Authorization: small.auth('reporter'), 'Content-Type': 'application/json' };
      const server = small.app.getHttpServer();
      const chunked = await rawRequest(server, { method: 'POST', path: '/api/articles', headers, body: big });
      const zipped = gzipSync(big);
      const inflated = await rawRequest(server, {
        method: 'POST',
        path: '/api/articles',
        headers: { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': zipped.length },
        body: zipped,
      });
      expect([chunked.status, inflated.status]).toEqual([413, 413]);
      expect([JSON.parse(chunked.body), JSON.parse(inflated.body)]).toEqual([res.body, res.body]);
      await small.http.get('/health').expect(200);
    } finally {
      await small.close();
    }
  });

  it('serves an OpenAPI document generated from the request schemas, and its UI', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/articles', '/api/articles/{id}/corrections', '/api/articles/{id}/quotes/{quoteId}']));
    const correct = doc.paths['/api/articles/{id}/corrections'].post;
    const body = correct.requestBody.content['application/json'].schema;
    // The document is the schema the server checks: body optional, unknown fields refused.
    expect(body.required).toEqual(['kind', 'note']);
    expect(body.additionalProperties).toBe(false);
    expect(correct.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header', required: true })]));
    expect(correct.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(correct.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '412', '422', '428']));
    const created = doc.paths['/api/articles'].post.responses['201'];
    expect(Object.keys(created.headers)).toEqual(expect.arrayContaining(['ETag', 'Location']));
    const quotes = doc.paths['/api/quotes'].get;
    expect(quotes.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['speaker', 'q', 'limit', 'cursor', 'minPosition']));
    expect(quotes.security).toEqual([{ bearer: [] }]);
    await t.http.get('/api/docs').expect(200).expect('Content-Type', /html/);
  });

  it('echoes X-Correlation-Id, or makes one', async () => {
    const given = await t.http.get('/health').set('X-Correlation-Id', 'trace-42').expect(200);
    expect(given.headers['x-correlation-id']).toBe('trace-42');
    const made = await t.http.get('/health').expect(200);
    expect(made.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('development users', () => {
  it('are created in DATA_DIR with tokens printed once, and refused in production', () => {
    const dir = tempDir();
    try {
      const printed: string[] = [];
      const config = loadConfig({ DATA_DIR: dir.path });
      const users = loadUsers(config, (line) => printed.push(line));
      const file = join(dir.path, 'dev-users.json');
      expect(existsSync(file)).toBe(true);
      expect(users.map((u) => u.roles).flat()).toEqual(expect.arrayContaining(['reporter', 'editor', 'standards', 'admin']));
      const tokens = printed.join('\n').match(/Bearer (\S+)/g) ?? [];
      expect(tokens).toHaveLength(4);
      // Only hashes are stored, never the tokens themselves.
      const stored = readFileSync(file, 'utf8');
      for (const token of tokens) expect(stored).not.toContain(token.slice(7));
      expect(parseUsersFile(stored, file)).toHaveLength(4);

      const again: string[] = [];
      loadUsers(config, (line) => again.push(line));
      expect(again.join('\n')).not.toMatch(/Bearer/);

      expect(() => loadUsers(loadConfig({ DATA_DIR: dir.path, NODE_ENV: 'production' }))).toThrow(/NEWSROOM_USERS_FILE/);
    } finally {
      dir.remove();
    }
  });

  it('a malformed users file stops the start with a clear reason', () => {
    expect(() => parseUsersFile('[{"id":"a","name":"A","roles":["pope"],"tokenSha256":"00"}]', 'users.json')).toThrow(/roles/);
  });
});
