import { join } from 'node:path';
import { MERZ_RIGHT, MERZ_WRONG, SEED_QUOTES } from '../support/seed-article';
import { playSeedArticle } from '../support/seed-life';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp, TestRole } from '../support/test-app';
import { EsdbTestServer, startEsdbTestServer } from './esdb-test-server';

type Json = Record<string, unknown>;

/**
 * The whole application with EVENTSTORE_URL pointing at the protocol test server: the seed
 * article's life, then the server dropping every connection and coming back.
 */
describe('the application on EventStoreDB (through the protocol test server)', () => {
  const dir = tempDir('newsroom-esdb-app-');
  let esdb: EsdbTestServer;
  let t: TestApp;

  beforeAll(async () => {
    esdb = await startEsdbTestServer({ file: join(dir.path, 'esdb.sqlite') });
    t = await startTestApp({ env: { EVENTSTORE_URL: esdb.url } });
  });
  afterAll(async () => {
    await t.close();
    await esdb.stop();
    dir.remove();
  });

  const command = (method: 'post' | 'put', path: string, role: TestRole, body: Json, revision?: number) => {
    const req = t.http[method](path).set('Authorization', t.auth(role)).send(body);
    return revision === undefined ? req : req.set('If-Match', `"${revision}"`);
  };
  const read = (path: string, position: string) =>
    t.http
      .get(`${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`)
      .set('Authorization', t.auth('reporter'))
      .expect(200);

  let articleId: string;
  let last: { revision: number; position: string };

  it('plays the seed article: draft, quotes, publish, the Merz correction', async () => {
    expect((await t.http.get('/health').expect(200)).body.eventStore).toBe('eventstoredb');
    ({ articleId, last } = await playSeedArticle(t));

    const article = (await read(`/api/articles/${articleId}`, last.position)).body;
    expect(article).toMatchObject({ revision: 7, status: 'published' });
    expect(JSON.stringify(article.body)).toContain(MERZ_RIGHT);
    expect(JSON.stringify(article.body)).not.toContain(MERZ_WRONG);
    const quotes = (await read(`/api/quotes?speaker=zelenskyy`, last.position)).body.items as Json[];
    expect(quotes).toHaveLength(2);
    const corrections = (await read(`/api/corrections?articleId=${articleId}`, last.position)).body.items as Json[];
    expect(corrections).toEqual([
      expect.objectContaining({ kind: 'correction', changes: [expect.objectContaining({ after: expect.stringContaining('Friedrich Merz') })] }),
    ]);
    const history = (await read(`/api/articles/${articleId}/history`, last.position)).body.items as Json[];
    expect(history.map((h) => h.type)).toEqual([
      'ArticleDrafted',
      'QuoteAttributed',
      'QuoteAttributed',
      'QuoteAttributed',
      'QuoteAttributed',
      'ArticlePublished',
      'BodyRevised',
      'CorrectionIssued',
    ]);
  });

  it('answers 503 and writes nothing while the store is down, then resumes every projection with no gap and no duplicate', async () => {
    await esdb.stop();
    const refused = await command('put', `/api/articles/${articleId}/headline`, 'editor', { headline: 'During the outage', reason: 'r' }, last.revision).expect(
      503,
    );
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 503, detail: expect.stringContaining('nothing was written') });
    // This instance cannot accept writes: out of rotation, and /health says why.
    const notReady = await t.http.get('/health/ready').expect(503);
    expect(notReady.body.type).toBe('/problems/not-ready');
    expect((await t.http.get('/health')).body).toMatchObject({ status: 'degraded' });
    await esdb.start();

    // Edits after the outage, while the projections' subscriptions come back.
    const quote = await command('post', `/api/articles/${articleId}/quotes`, 'editor', { ...SEED_QUOTES[0], reason: 'Restored' }, last.revision).expect(201);
    last = (
      await command('put', `/api/articles/${articleId}/headline`, 'editor', { headline: 'After the outage', reason: 'Sharper' }, quote.body.revision).expect(
        200,
      )
    ).body;

    const article = (await read(`/api/articles/${articleId}`, last.position)).body;
    expect(article).toMatchObject({ revision: 9, headline: 'After the outage' });
    // A call reached the store again: back in rotation.
    await t.http.get('/health/ready').expect(200);
    expect(article.quotes).toHaveLength(5);
    const stream = await t.eventStore.readStream(`article-${articleId}`);
    expect(stream.map((e) => e.type).slice(-2)).toEqual(['QuoteAttributed', 'HeadlineRevised']);
    const quotes = (await read(`/api/quotes?articleId=${articleId}`, last.position)).body.items as Json[];
    expect(new Set(quotes.map((q) => q.quoteId)).size).toBe(5);
    expect((await read(`/api/corrections?articleId=${articleId}`, last.position)).body.items).toHaveLength(1);

    // A clean rebuild of the articles read model from the log gives the same article.
    await t.http.post('/api/projections/articles/rebuild').set('Authorization', t.auth('admin')).expect(202);
    const projections = async () => (await t.http.get('/api/projections').set('Authorization', t.auth('admin')).expect(200)).body as Json[];
    while ((await projections()).some((p) => p.status !== 'live')) await new Promise((resolve) => setImmediate(resolve));
    expect((await read(`/api/articles/${articleId}`, last.position)).body).toEqual(article);
    for (const projection of await projections()) expect(projection).toMatchObject({ status: 'live', lagEvents: 0 });
  });
});
