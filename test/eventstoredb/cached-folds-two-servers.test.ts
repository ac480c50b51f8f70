import { join } from 'node:path';
import { parseSeedArticle } from '../support/seed-article';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp } from '../support/test-app';
import { EsdbTestServer, startEsdbTestServer } from './esdb-test-server';

/**
 * The command runner decides on its cached fold without reading the stream first (issue #13:
 * no empty tail read). Two application servers on one EventStoreDB (the protocol test double)
 * make each other's folds stale; these are the answers a stale fold must not change.
 */
describe('cached folds behind another server (e2e, EventStoreDB test double, two servers)', () => {
  const dir = tempDir('newsroom-esdb-folds-');
  let esdb: EsdbTestServer;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    esdb = await startEsdbTestServer({ file: join(dir.path, 'esdb.sqlite') });
    [a, b] = [await startTestApp({ env: { EVENTSTORE_URL: esdb.url } }), await startTestApp({ env: { EVENTSTORE_URL: esdb.url } })];
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await esdb.stop();
    dir.remove();
  });

  const headline = (app: TestApp, id: string, text: string, revision: number) =>
    app.http.put(`/api/articles/${id}/headline`).set('Authorization', app.auth('reporter')).set('If-Match', `"${revision}"`).send({ headline: text });

  /** An article drafted and revised once on server A, so that A holds its fold at revision 1. */
  async function foldedOnA(): Promise<string> {
    const draft = await a.http
      .post('/api/articles')
      .set('Authorization', a.auth('reporter'))
      .send({ ...parseSeedArticle(), byline: ['Rita Reporter'] })
      .expect(201);
    const id = draft.body.articleId as string;
    await headline(a, id, 'First headline', 0).expect(200);
    return id;
  }

  it('a command on a cached fold that is current reads nothing from the store', async () => {
    const id = await foldedOnA();
    const reads = jest.spyOn(a.eventStore, 'readStream');
    try {
      const res = await headline(a, id, 'Second headline', 1).expect(200);
      expect(res.body.revision).toBe(2);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  it('If-Match naming the revision another server wrote is current, not 412', async () => {
    const id = await foldedOnA();
    await headline(b, id, 'Written on B', 1).expect(200);
    const res = await headline(a, id, 'Written on A', 2).expect(200);
    expect(res.body.revision).toBe(3);
    const article = await a.http.get(`/api/articles/${id}?minPosition=${res.body.position}`).set('Authorization', a.auth('reporter')).expect(200);
    expect(article.body.headline).toBe('Written on A');
  });

  it('nothing-to-change on a stale fold is answered from the stream: 412 with the current revision', async () => {
    const id = await foldedOnA();
    await headline(b, id, 'Changed on B', 1).expect(200);
    // A's fold still says "First headline" at revision 1, so the request looks like no change there.
    const res = await headline(a, id, 'First headline', 1).expect(412);
    expect(res.headers.etag).toBe('"2"');
    expect((await a.eventStore.readStream(`article-${id}`)).map((e) => e.type)).toHaveLength(3);
  });

  it('a refusal the stale fold would give is answered from the stream', async () => {
    const id = await foldedOnA();
    await b.http.post(`/api/articles/${id}/publish`).set('Authorization', b.auth('editor')).set('If-Match', '"1"').send({}).expect(200);
    const unpublish = (revision: number) =>
      a.http.post(`/api/articles/${id}/unpublish`).set('Authorization', a.auth('editor')).set('If-Match', `"${revision}"`).send({ reason: 'Held back' });
    // On A's fold the article is a draft at revision 1, which cannot be unpublished (409). It was
    // published on B at revision 2: If-Match "1" is stale (412), and If-Match "2" unpublishes it.
    const stale = await unpublish(1).expect(412);
    expect(stale.headers.etag).toBe('"2"');
    expect((await unpublish(2).expect(200)).body.revision).toBe(3);
  });

  it('If-Match naming the revision the stale fold holds gets 412 from the store, with the current revision', async () => {
    const id = await foldedOnA();
    await headline(b, id, 'Changed on B', 1).expect(200);
    const res = await headline(a, id, 'Changed on A', 1).expect(412);
    expect(res.headers.etag).toBe('"2"');
    // Refused, the fold is dropped: the next command reads the stream and succeeds.
    await headline(a, id, 'Changed on A', 2).expect(200);
  });
});
