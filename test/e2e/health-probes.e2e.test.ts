import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { readiness } from '../../src/http/health-report';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { appendArticle } from '../read-models/support/seed';
import { startTestApp, TestApp } from '../support/test-app';

const draft = (t: TestApp, headline: string) =>
  t.http
    .post('/api/articles')
    .set('Authorization', t.auth('reporter'))
    .send({ headline, body: [{ type: 'paragraph', text: 'Text.' }] });

/** Resolves once the named projection's live generation has failed (the runtime says so as it happens). */
function projectionFailed(runtime: ProjectionEngine, name: string): Promise<void> {
  const done = () => runtime.slot(name)?.liveFailure != null;
  return new Promise((resolve) => {
    const check = () => done() && (runtime.events.off('failed', check), resolve());
    runtime.events.on('failed', check);
    check();
  });
}

describe('GET /health/live and /health/ready (e2e)', () => {
  let t: TestApp;
  beforeEach(async () => (t = await startTestApp()));
  afterEach(() => t.close());

  it('both answer 200 without a token while all is well', async () => {
    expect((await t.http.get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http.get('/health/ready').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('ready is a 503 problem with Retry-After while the store is read-only, live stays 200, and ready returns when a write succeeds', async () => {
    (t.eventStore as SqliteEventStore).injectFaultForTests({ readOnly: true });
    await draft(t, 'Refused').expect(503);

    const res = await t.http.get('/health/ready').expect(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: '/problems/not-ready', status: 503, instance: '/health/ready' });
    expect(res.body.detail).toMatch(/read-only/);
    expect(res.body.detail).not.toMatch(/readonly database/i);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await t.http.get('/health/live').expect(200);
    expect((await t.http.get('/health').expect(200)).body.status).toBe('degraded');

    (t.eventStore as SqliteEventStore).injectFaultForTests({ readOnly: false });
    await draft(t, 'Accepted').expect(201);
    await t.http.get('/health/ready').expect(200);
  });

  it('ready probes the store while a fault is recorded: 200 once the store writes again, with no command sent', async () => {
    const store = t.eventStore as SqliteEventStore;
    store.injectFaultForTests({ readOnly: true });
    await draft(t, 'Refused').expect(503);
    expect((await t.http.get('/health').expect(200)).body.status).toBe('degraded');

    store.injectFaultForTests({ readOnly: false });
    expect((await t.http.get('/health/ready').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http.get('/health').expect(200)).body.status).toBe('ok');
  });

  it('stays 200 while a read model has failed, which /health reports as degraded', async () => {
    const failed = projectionFailed(t.app.get(ProjectionEngine), 'quotes');
    const articleId = randomUUID();
    const actor = { id: 'u', name: 'U' };
    await appendArticle(t.eventStore, articleId, actor, {
      type: 'ArticleDrafted',
      data: { articleId, headline: 'h', standfirst: null, body: [], byline: [], draftedAt: '2025-01-01T00:00:00.000Z' },
    });
    // Past the command side, as a bug or a hand-edited log could: a withdrawal of a quote never attributed.
    await appendArticle(t.eventStore, articleId, actor, { type: 'QuoteWithdrawn', data: { quoteId: 'never' } });
    await failed;

    const health = (await t.http.get('/health').expect(200)).body;
    expect(health.status).toBe('degraded');
    expect(health.projections.find((p: { name: string }) => p.name === 'quotes')).toMatchObject({ status: 'failed' });
    expect((await t.http.get('/health/ready').expect(200)).body).toEqual({ status: 'ok' });
  });
});

describe('readiness', () => {
  const fault = { status: 'degraded' as const, code: 'SQLITE_FULL', detail: 'events.sqlite has no space left', since: '2025-01-01T00:00:00.000Z' };
  const at = (iso: string) => Date.parse(iso);

  it('is not ready for 30 s after a commit last met a fault that refuses writes, then ready again to let a write try', () => {
    const condition = { ...fault, reason: 'out-of-space' as const, lastSeen: '2025-01-01T00:01:00.000Z' };
    expect(readiness(condition, at('2025-01-01T00:01:10.000Z'))).toMatchObject({ ready: false, retryAfterSeconds: 20 });
    expect(readiness(condition, at('2025-01-01T00:01:31.000Z'))).toEqual({ ready: true });
  });

  it('for a store that probes: not ready for as long as its probe finds the fault, however old, retrying after the probe interval', () => {
    const condition = { ...fault, reason: 'read-only' as const, lastSeen: '2025-01-01T00:00:00.000Z' };
    expect(readiness(condition, at('2025-01-01T01:00:00.000Z'), true, 1)).toMatchObject({ ready: false, retryAfterSeconds: 1 });
  });

  it('is never ready on a replaced log, and ready on a damaged event (appends still work)', () => {
    expect(readiness({ ...fault, reason: 'replaced', code: 'ENOENT' }, at('2030-01-01T00:00:00.000Z'))).toMatchObject({ ready: false });
    expect(readiness({ ...fault, reason: 'corrupt', code: 'SQLITE_CORRUPT' }, at('2025-01-01T00:00:01.000Z'))).toEqual({ ready: true });
  });
});
