import { startTestApp, TestApp } from '../support/test-app';

/**
 * A large answer (an article of 1.2 million characters, its revision, blame and diff) is written
 * a piece at a time with chunked transfer coding (src/http/large-json.ts): the client gets the
 * same JSON as from a small one.
 */
describe('large JSON answers', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const paragraphs = (seed: string) => Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, type: 'paragraph', text: `${seed}${i} ж"\\`.padEnd(20_000, 'ж') }));

  it('sends a small article as stored, with Content-Length, and 304 for its own ETag', async () => {
    const body = [{ id: 'p1', type: 'paragraph', text: 'Short, with "quotes", ж and 😀.' }];
    const draft = await t.http.post('/api/articles').set('Authorization', t.auth('reporter')).send({ headline: 'Short read', body });
    const article = await t.http.get(`/api/articles/${draft.body.articleId}?minPosition=${draft.body.position}`).set('Authorization', t.auth('reporter'));
    expect(article.status).toBe(200);
    expect(article.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(article.headers['content-length'])).toBe(Buffer.byteLength(article.text));
    expect(article.headers.etag).toBe('"0"');
    expect(article.body).toMatchObject({ id: draft.body.articleId, revision: 0, headline: 'Short read', body });
    const again = await t.http.get(`/api/articles/${draft.body.articleId}`).set('Authorization', t.auth('reporter')).set('If-None-Match', '"0"');
    expect(again.status).toBe(304);
  });

  it('sends a maximum-size article, revision, blame and diff whole, as JSON, chunked', async () => {
    const draft = await t.http
      .post('/api/articles')
      .set('Authorization', t.auth('reporter'))
      .send({ headline: 'Long read', body: paragraphs('a') });
    expect(draft.status).toBe(201);
    const id: string = draft.body.articleId;
    const revised = await t.http
      .put(`/api/articles/${id}/body`)
      .set('Authorization', t.auth('reporter'))
      .set('If-Match', '"0"')
      .send({ body: paragraphs('b') });
    expect(revised.status).toBe(200);

    const article = await t.http.get(`/api/articles/${id}?minPosition=${revised.body.position}`).set('Authorization', t.auth('reporter'));
    expect(article.status).toBe(200);
    expect(article.headers['transfer-encoding']).toBe('chunked');
    expect(article.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(article.headers.etag).toBe('"1"');
    expect(article.body.body).toEqual(paragraphs('b'));

    const revision = await t.http.get(`/api/articles/${id}/revisions/0`).set('Authorization', t.auth('reporter'));
    expect(revision.headers['transfer-encoding']).toBe('chunked');
    expect(revision.body.body).toEqual(paragraphs('a'));

    const diff = await t.http.get(`/api/articles/${id}/diff?from=0&to=1`).set('Authorization', t.auth('reporter'));
    expect(diff.status).toBe(200);
    expect(diff.body.body.changed.map((c: { id: string }) => c.id)).toEqual(paragraphs('b').map((p) => p.id));

    const head = await t.http.head(`/api/articles/${id}`).set('Authorization', t.auth('reporter'));
    expect(head.status).toBe(200);
    expect(head.text ?? '').toBe('');
  });
});
