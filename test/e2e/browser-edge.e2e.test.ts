import { startTestApp, TestApp } from '../support/test-app';

const ALLOWED = 'https://cms.example.org';
const REFUSED = 'https://evil.example.com';

const accessControl = (headers: Record<string, string>) => Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describe('CORS from CORS_ORIGINS (e2e, Fetch standard §3.2)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { CORS_ORIGINS: `${ALLOWED}, http://127.0.0.1:5173` } })));
  afterAll(() => t.close());

  const preflight = (origin: string, path = '/api/articles/00000000-0000-4000-8000-000000000000/headline') =>
    t.http
      .options(path)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'authorization, content-type, if-match, idempotency-key, traceparent');

  it('answers a preflight from an allowed origin with 204, its methods and the headers a client sends', async () => {
    const res = await preflight(ALLOWED).expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toBe('GET,POST,PUT,DELETE');
    const allowed = res.headers['access-control-allow-headers'].toLowerCase().split(',');
    for (const header of ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'x-correlation-id', 'traceparent']) {
      expect(allowed).toContain(header);
    }
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('exposes ETag, Location, Retry-After and X-Correlation-Id on an actual request from an allowed origin', async () => {
    const res = await t.http
      .post('/api/articles')
      .set('Origin', 'http://127.0.0.1:5173')
      .set('Authorization', t.auth('reporter'))
      .send({ headline: 'From the CMS', body: [{ type: 'paragraph', text: 'Text.' }] })
      .expect(201);
    expect(res.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
    expect(res.headers['access-control-expose-headers']).toBe('ETag,Location,Retry-After,X-Correlation-Id');
    expect(res.headers.etag).toBe('"0"');
  });

  it('gives the 400 for a path that does not decode (no hook runs for it) the same CORS headers as any other response', async () => {
    const allowed = await t.http.get('/api/articles/%zz').set('Origin', 'http://127.0.0.1:5173').expect(400);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
    expect(allowed.headers['access-control-expose-headers']).toBe('ETag,Location,Retry-After,X-Correlation-Id');
    expect(allowed.headers.vary).toMatch(/Origin/);
    expect(allowed.body).toMatchObject({ status: 400, detail: "Failed to decode param '%zz'" });
    const refused = await t.http.get('/api/articles/%zz').set('Origin', REFUSED).expect(400);
    expect(accessControl(refused.headers)).toEqual([]);
    expect(refused.headers.vary).toMatch(/Origin/);
  });

  it('sends no Access-Control-* header to another origin, on a preflight or a request', async () => {
    const pre = await preflight(REFUSED);
    expect(accessControl(pre.headers)).toEqual([]);
    const get = await t.http.get('/health').set('Origin', REFUSED).expect(200);
    expect(accessControl(get.headers)).toEqual([]);
    expect(get.headers.vary).toMatch(/Origin/);
  });

  it('an OPTIONS that is no preflight gets 204 with Allow for a known path, 404 for an unknown one', async () => {
    const res = await t.http.options('/api/articles').expect(204);
    expect(res.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(accessControl(res.headers)).toEqual([]);
    await t.http.options('/api/nothing-here').expect(404);
  });
});

describe('without CORS_ORIGINS (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('sends no Access-Control-* header at all, even to a preflight', async () => {
    const pre = await t.http.options('/api/articles').set('Origin', ALLOWED).set('Access-Control-Request-Method', 'POST').expect(204);
    expect(accessControl(pre.headers)).toEqual([]);
    expect(pre.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    const get = await t.http.get('/health').set('Origin', ALLOWED).expect(200);
    expect(accessControl(get.headers)).toEqual([]);
  });

  it("sets helmet's security headers, with a CSP that allows nothing on the API and lets the Swagger UI run", async () => {
    const api = await t.http.get('/api/articles').set('Authorization', t.auth('reporter')).expect(200);
    expect(api.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
    });
    expect(api.headers['x-powered-by']).toBeUndefined();
    // The problem documents carry them too.
    expect((await t.http.get('/api/articles').expect(401)).headers['x-content-type-options']).toBe('nosniff');

    const docs = await t.http.get('/api/docs/').expect(200);
    const csp = docs.headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/style-src [^;]*'unsafe-inline'/);
    expect(csp).toMatch(/img-src [^;]*data:/);
    // What the page loads lives on this origin, as script-src 'self' requires.
    const scripts = [...docs.text.matchAll(/<script src=['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const src of scripts) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      await t.http.get(new URL(src, 'http://127.0.0.1/api/docs/').pathname).expect(200);
    }
    await t.http.get('/api/docs-json').expect(200);
  });
});

describe('per-user rate limit (e2e, RFC 6585 §4)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } })));
  afterAll(() => t.close());

  it("answers 429 with Retry-After and a problem document after a user's limit, counting every route together, and not other users", async () => {
    const as = (role: 'reporter' | 'editor', path: string) => t.http.get(path).set('Authorization', t.auth(role));
    for (const path of ['/api/articles', '/api/quotes', '/api/corrections', '/api/articles', '/api/projections']) {
      await as('reporter', path).expect(200);
    }
    const res = await as('reporter', '/api/articles').expect(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: '/problems/too-many-requests', title: 'Too Many Requests', status: 429, instance: '/api/articles' });
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The same rate headers as an answered request has, at zero remaining.
    expect(res.headers).toMatchObject({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(retryAfter) });

    await as('editor', '/api/articles').expect(200);
    for (let i = 0; i < 10; i++) await t.http.get('/health').expect(200);
    await t.http.get('/health/ready').expect(200);
  });
});

describe('rate limit before authentication (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } })));
  afterAll(() => t.close());

  it('counts requests with no token or a wrong one against the client address, so guessing tokens is throttled too', async () => {
    for (const token of ['nope-1', 'nope-2', 'nope-3', 'nope-4', 'nope-5']) {
      await t.http.get('/api/articles').set('Authorization', `Bearer ${token}`).expect(401);
    }
    const throttled = await t.http.get('/api/articles').expect(429);
    expect(throttled.body.type).toBe('/problems/too-many-requests');
    // A valid token counts against its user, not the address.
    await t.http.get('/api/articles').set('Authorization', t.auth('reporter')).expect(200);
  });
});
