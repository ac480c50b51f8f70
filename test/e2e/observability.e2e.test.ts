import parsePrometheusTextFormat, { PrometheusFamily, PrometheusSample } from 'parse-prometheus-text-format';
import type { Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import type { DestinationStream } from 'pino';
import { NewsroomMetrics } from '../../src/observability/newsroom-metrics';
import { startTestApp, TestApp, TEST_USERS } from '../support/test-app';

type LogLine = Record<string, unknown>;

/** A pino destination that keeps every line, and lets a test wait for one (never a sleep). */
function captureLog() {
  const raw: string[] = [];
  const waiting: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  const stream: DestinationStream = {
    write(text: string) {
      raw.push(text);
      const line = JSON.parse(text) as LogLine;
      for (const w of waiting.filter((w) => w.match(line))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    },
  };
  const lines = () => raw.map((text) => JSON.parse(text) as LogLine);
  const waitFor = (match: (line: LogLine) => boolean): Promise<LogLine> =>
    new Promise((resolve) => {
      const found = lines().find(match);
      if (found) resolve(found);
      else waiting.push({ match, resolve });
    });
  return { stream, raw, lines, waitFor };
}

// The example of https://www.w3.org/TR/trace-context/ §3.2.2.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('observability (e2e): request log, /metrics, traceparent', () => {
  const log = captureLog();
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ logDestination: log.stream })));
  afterAll(async () => t.close());

  const draft = (headers: Record<string, string> = {}) =>
    t.http
      .post('/api/articles')
      .set('Authorization', t.auth('reporter'))
      .set(headers)
      .send({ headline: 'Council votes on the budget', body: [{ type: 'paragraph', text: 'A secret draft paragraph' }] });

  describe('the request log', () => {
    it('writes one JSON line per request: route pattern, status, duration, user, correlation and trace ids, and no secret', async () => {
      const drafted = await draft({ 'X-Correlation-Id': 'obs-draft', traceparent: TRACEPARENT }).expect(201);
      const id = drafted.body.articleId as string;
      await t.http
        .put(`/api/articles/${id}/headline`)
        .set('Authorization', t.auth('editor'))
        .set('If-Match', '"0"')
        .set('X-Correlation-Id', 'obs-revise')
        .send({ headline: 'Council passes the budget' })
        .expect(200);

      const line = await log.waitFor((l) => l.correlationId === 'obs-draft' && l.msg === 'request completed');
      expect(line).toEqual(
        expect.objectContaining({
          level: 'info',
          method: 'POST',
          route: '/api/articles',
          status: 201,
          durationMs: expect.any(Number),
          userId: TEST_USERS.reporter.id,
          correlationId: 'obs-draft',
          traceId: TRACE_ID,
        }),
      );
      const revised = await log.waitFor((l) => l.correlationId === 'obs-revise' && l.msg === 'request completed');
      expect(revised).toEqual(expect.objectContaining({ route: '/api/articles/:id/headline', status: 200, userId: TEST_USERS.editor.id }));
      expect(revised).not.toHaveProperty('traceId');

      // Not the URL, not a header, not the body: the id only ever appears in the route's place as ":id".
      const everything = log.raw.join('');
      for (const secret of [id, 'Bearer', TEST_USERS.reporter.token, TEST_USERS.editor.token, 'A secret draft paragraph', 'Council']) {
        expect(everything).not.toContain(secret);
      }
      expect(everything.toLowerCase()).not.toContain('authorization');
    });

    it('logs a refused token with no user and an unmatched path as such', async () => {
      await t.http.get('/api/articles').set('Authorization', 'Bearer not-a-token').set('X-Correlation-Id', 'obs-401').expect(401);
      await t.http.get('/nowhere?access_token=hush').set('X-Correlation-Id', 'obs-404').expect(404);
      expect(await log.waitFor((l) => l.correlationId === 'obs-401' && l.msg === 'request completed')).toEqual(
        expect.objectContaining({ route: '/api/articles', status: 401, userId: null }),
      );
      expect(await log.waitFor((l) => l.correlationId === 'obs-404' && l.msg === 'request completed')).toEqual(
        expect.objectContaining({ route: '(unmatched)', status: 404 }),
      );
      expect(log.raw.join('')).not.toContain('not-a-token');
      expect(log.raw.join('')).not.toContain('hush');
    });

    it('logs and counts a request refused for its body (malformed JSON, too large), with its correlation id', async () => {
      const malformed = await t.http
        .post('/api/articles')
        .set('Authorization', t.auth('reporter'))
        .set('Content-Type', 'application/json')
        .set('X-Correlation-Id', 'obs-bad-json')
        .send('{"headline": "unfinished');
      expect(malformed.status).toBe(400);
      expect(malformed.headers['x-correlation-id']).toBe('obs-bad-json');
      expect(await log.waitFor((l) => l.correlationId === 'obs-bad-json' && l.msg === 'request completed')).toEqual(
        expect.objectContaining({ method: 'POST', status: 400 }),
      );
      const huge = await t.http
        .post('/api/articles')
        .set('Authorization', t.auth('reporter'))
        .set('Content-Type', 'application/json')
        .set('Content-Length', '4000000000')
        .set('X-Correlation-Id', 'obs-too-large')
        .send('{}')
        .catch((error: { response?: { status: number } }) => error.response);
      expect(huge?.status).toBe(413);
      expect(await log.waitFor((l) => l.correlationId === 'obs-too-large' && l.msg === 'request completed')).toEqual(expect.objectContaining({ status: 413 }));
      expect(log.raw.join('')).not.toContain('unfinished');
    });

    it('logs and counts a path Fastify cannot decode (no hook of its runs for it), with the correlation id it echoes', async () => {
      const res = await t.http.get('/api/articles/%zz').set('Authorization', t.auth('reporter')).set('X-Correlation-Id', 'obs-bad-url');
      expect(res.status).toBe(400);
      expect(res.headers['x-correlation-id']).toBe('obs-bad-url');
      expect(await log.waitFor((l) => l.correlationId === 'obs-bad-url')).toEqual(
        expect.objectContaining({ msg: 'request completed', method: 'GET', route: '(unmatched)', status: 400 }),
      );
      expect(log.lines().filter((l) => l.correlationId === 'obs-bad-url')).toHaveLength(1);
    });

    it('logs a client that leaves mid-body as aborted (499), not as a 200 it was never sent', async () => {
      const server = t.app.getHttpServer() as Server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        const arrived = new Promise((resolve) => server.once('request', resolve));
        socket.write(
          'POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n' +
            `Authorization: ${t.auth('reporter')}\r\nX-Correlation-Id: obs-left\r\n\r\n{"headline":"Ha`,
        );
        // Once the server has the request's head (its correlation id is set on arrival), the client leaves.
        await arrived;
        socket.destroy();
        const line = await log.waitFor((l) => l.correlationId === 'obs-left');
        expect(line).toEqual(expect.objectContaining({ msg: 'request aborted', method: 'POST', status: 499 }));
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      const text = await (await t.http.get('/metrics')).text;
      expect(text).toMatch(/newsroom_http_request_duration_seconds_count\{[^}]*status="499"[^}]*\} 1/);
    });

    it("carries Nest's own log lines too, as JSON with their context", () => {
      expect(log.lines()).toContainEqual(expect.objectContaining({ context: 'NestApplication', level: 'info' }));
    });
  });

  describe('GET /metrics', () => {
    const scrape = async (app: TestApp = t): Promise<PrometheusFamily[]> => {
      const res = await app.http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      return parsePrometheusTextFormat(res.text);
    };
    const family = (families: PrometheusFamily[], name: string): PrometheusFamily => {
      const found = families.find((f) => f.name === name);
      if (!found) throw new Error(`${name} is not in /metrics`);
      return found;
    };
    const sample = (families: PrometheusFamily[], name: string, labels: Record<string, string>): PrometheusSample | undefined =>
      family(families, name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

    /** Each histogram series' count, keyed by name and labels (without `le`). */
    const histogramCounts = async (): Promise<Map<string, number>> => {
      const counts = new Map<string, number>();
      for (const metric of await t.app.get(NewsroomMetrics).registry.getMetricsAsJSON()) {
        if (String(metric.type) !== 'histogram') continue;
        for (const value of metric.values) {
          if ((value as { metricName?: string }).metricName !== `${metric.name}_count`) continue;
          counts.set(`${metric.name} ${JSON.stringify(value.labels)}`, value.value);
        }
      }
      return counts;
    };

    it('counts commands by type and outcome, times appends and requests by route, and shows the read models', async () => {
      const before = await scrape();
      const countsBefore = await histogramCounts();
      const drafted = (n: PrometheusFamily[]) => Number(sample(n, 'newsroom_commands_total', { type: 'DraftArticle', outcome: 'appended' })?.value ?? 0);
      const id = (await draft().expect(201)).body.articleId as string;
      // Without If-Match: 428, refused, nothing appended.
      await t.http.post(`/api/articles/${id}/publish`).set('Authorization', t.auth('editor')).send({}).expect(428);
      const position = (await t.http.post(`/api/articles/${id}/publish`).set('Authorization', t.auth('editor')).set('If-Match', '"0"').send({}).expect(200))
        .body.position as string;
      await t.http.get(`/api/articles/${id}?minPosition=${position}`).set('Authorization', t.auth('editor')).expect(200);

      const after = await scrape();
      expect(drafted(after) - drafted(before)).toBe(1);
      expect(sample(after, 'newsroom_commands_total', { type: 'PublishArticle', outcome: 'refused' })?.value).toBe('1');
      expect(sample(after, 'newsroom_commands_total', { type: 'PublishArticle', outcome: 'appended' })?.value).toBe('1');
      expect(family(after, 'newsroom_commands_total').type).toBe('COUNTER');

      // The text parser keeps no labels of a labelled histogram: their series come from the registry.
      expect(family(after, 'newsroom_append_seconds').type).toBe('HISTOGRAM');
      expect(family(after, 'newsroom_http_request_duration_seconds').type).toBe('HISTOGRAM');
      const series = await histogramCounts();
      // Two appends (the draft and the publish); the refused publish appended nothing.
      expect(series.get('newsroom_append_seconds {}')! - (countsBefore.get('newsroom_append_seconds {}') ?? 0)).toBe(2);
      const drafts = 'newsroom_http_request_duration_seconds {"method":"POST","route":"/api/articles","status":"201"}';
      expect(series.get(drafts)! - (countsBefore.get(drafts) ?? 0)).toBe(1);
      expect(series.get('newsroom_http_request_duration_seconds {"method":"POST","route":"/api/articles/:id/publish","status":"428"}')).toBe(1);
      expect([...series.keys()].some((key) => key.includes(id))).toBe(false);

      // The publish command folded the article the draft had left in the cache.
      expect(Number(family(after, 'newsroom_fold_cache_hits_total').metrics[0].value)).toBeGreaterThan(0);
      expect(family(after, 'newsroom_fold_cache_misses_total').type).toBe('COUNTER');

      const articles = Number(sample(after, 'newsroom_projection_position', { projection: 'articles' })?.value);
      expect(articles).toBeGreaterThanOrEqual(Number(position));
      expect(sample(after, 'newsroom_projection_status', { projection: 'articles', status: 'live' })?.value).toBe('1');
      expect(sample(after, 'newsroom_projection_lag_events', { projection: 'articles' })).toBeDefined();
      expect(sample(after, 'newsroom_projection_lag_seconds', { projection: 'articles' })).toBeDefined();
      // prom-client's default process metrics.
      expect(family(after, 'process_cpu_user_seconds_total').type).toBe('COUNTER');
    });

    it('is public, and each app counts into its own registry', async () => {
      const other = await startTestApp();
      try {
        const families = await scrape(other);
        expect(family(families, 'newsroom_commands_total').metrics).toEqual([]);
        expect(Number(sample(await scrape(), 'newsroom_commands_total', { type: 'DraftArticle', outcome: 'appended' })?.value)).toBeGreaterThan(0);
      } finally {
        await other.close();
      }
    });
  });

  describe('W3C traceparent', () => {
    const history = async (id: string) =>
      (await t.http.get(`/api/articles/${id}/history`).set('Authorization', t.auth('editor')).expect(200)).body.items as Array<{ traceId: string | null }>;

    it("is stored in every appended event's metadata beside the correlation id, and its trace id shown in the history", async () => {
      const id = (await draft({ traceparent: TRACEPARENT, 'X-Correlation-Id': 'obs-trace' }).expect(201)).body.articleId as string;
      const [event] = await t.eventStore.readStream(`article-${id}`);
      expect(event.metadata).toEqual(expect.objectContaining({ $correlationId: 'obs-trace', traceparent: TRACEPARENT }));
      expect(await history(id)).toEqual([expect.objectContaining({ revision: 0, traceId: TRACE_ID })]);
    });

    it.each([
      ['malformed', 'not-a-traceparent'],
      ['upper-case', TRACEPARENT.toUpperCase()],
      ['with an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
      ['of version ff', TRACEPARENT.replace(/^00/, 'ff')],
    ])('is ignored when %s (§3.2: the request goes on, untraced)', async (_, traceparent) => {
      const id = (await draft({ traceparent }).expect(201)).body.articleId as string;
      const [event] = await t.eventStore.readStream(`article-${id}`);
      expect(event.metadata).not.toHaveProperty('traceparent');
      expect(await history(id)).toEqual([expect.objectContaining({ revision: 0, traceId: null })]);
    });
  });
});

describe('LOG_LEVEL', () => {
  it('drops request lines below the level', async () => {
    const log = captureLog();
    const t = await startTestApp({ logDestination: log.stream, env: { LOG_LEVEL: 'warn' } });
    try {
      await t.http.get('/health').expect(200);
      await t.http.get('/nowhere').expect(404);
    } finally {
      await t.close();
    }
    expect(log.lines().filter((l) => l.msg === 'request completed')).toEqual([]);
  });
});
