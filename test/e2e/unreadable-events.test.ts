import { randomUUID } from 'node:crypto';
import { events, REPORTER } from '../../projections/test-support/article-events';
import { articleStreamId } from '../../src/articles/domain/article.events';
import type { EventToAppend, JsonObject } from '../../src/event-store/event-store.port';
import { formatPosition } from '../../src/event-store/event-store.port';
import { toAppend } from '../read-models/support/seed';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue #12's one strict policy, through the HTTP API: an article stream holding an event this
 * code cannot read, or one that breaks the article's life (a second ArticleDrafted, no
 * ArticleDrafted first), is refused alike by commands and by every audit read, with a 500 that
 * names the event's position; no command appends on top of it.
 */
describe('unreadable article events (one reader, one policy)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  /** A drafted article with one more event planted as it would be by hand or by newer code. */
  async function plant(planted: (revision: number) => EventToAppend[]): Promise<{ id: string; position: string; revision: number }> {
    const id = randomUUID();
    const stream = articleStreamId(id);
    await t.eventStore.appendToStream(stream, toAppend([events.drafted(id)], REPORTER), 'no_stream');
    const result = await t.eventStore.appendToStream(stream, planted(1), 0n);
    return { id, position: formatPosition(result.position), revision: Number(result.nextExpectedRevision) };
  }
  const headline = (metadata: (m: JsonObject) => unknown) => () =>
    toAppend([{ type: 'HeadlineRevised', data: { headline: 'Planted' } }], REPORTER).map((e) => ({ ...e, metadata: metadata(e.metadata) as JsonObject }));

  const cases: Array<[string, (revision: number) => EventToAppend[]]> = [
    ['an unknown event type', () => [{ id: randomUUID(), type: 'ArticleTranslated', data: { language: 'uk' }, metadata: {} }]],
    ['a schema version newer than this code', headline((m) => ({ ...m, schemaVersion: 9 }))],
    ['a schema version that is not a number', headline((m) => ({ ...m, schemaVersion: '9' }))],
    ['metadata that is not an object', headline(() => ['not', 'metadata'])],
    ['data that does not match its schema', () => [{ id: randomUUID(), type: 'HeadlineRevised', data: { headline: 42 }, metadata: {} }]],
    ['a second ArticleDrafted', () => toAppend([events.drafted(randomUUID())], REPORTER)],
  ];

  it.each(cases)('%s: commands and audit reads answer 500 naming its position, and nothing is appended', async (_, planted) => {
    const { id, position, revision } = await plant(planted);
    const auth = { Authorization: t.auth('editor') };
    const command = await t.http.put(`/api/articles/${id}/headline`).set(auth).set('If-Match', `"${revision}"`).send({ headline: 'After' });
    expect(command.status).toBe(500);
    expect(command.body).toMatchObject({ type: '/problems/unreadable-event', status: 500 });
    expect(command.body.detail).toContain(`position ${position}`);
    for (const path of [`revisions/${revision}`, `diff?from=0&to=${revision}`, 'history', 'blame']) {
      const read = await t.http.get(`/api/articles/${id}/${path}`).set(auth);
      expect({ path, status: read.status, type: read.body.type }).toEqual({ path, status: 500, type: '/problems/unreadable-event' });
      expect(read.body.detail).toContain(`position ${position}`);
    }
    expect(await t.eventStore.streamRevision(articleStreamId(id))).toBe(BigInt(revision));
  });

  it('a stream that does not open with ArticleDrafted is refused the same way', async () => {
    const id = randomUUID();
    const result = await t.eventStore.appendToStream(
      articleStreamId(id),
      toAppend([{ type: 'HeadlineRevised', data: { headline: 'Orphan' } }], REPORTER),
      'no_stream',
    );
    const auth = { Authorization: t.auth('editor') };
    const command = await t.http.put(`/api/articles/${id}/headline`).set(auth).set('If-Match', '"0"').send({ headline: 'After' });
    expect(command.status).toBe(500);
    expect(command.body.detail).toContain(`position ${formatPosition(result.position)}`);
    const history = await t.http.get(`/api/articles/${id}/history`).set(auth);
    expect(history.status).toBe(500);
    expect(history.body.type).toBe('/problems/unreadable-event');
  });

  it('metadata stored as null reads as no metadata: the event is read, its actor unknown', async () => {
    const { id, revision } = await plant(headline(() => null));
    const res = await t.http.get(`/api/articles/${id}/revisions/${revision}`).set('Authorization', t.auth('reporter'));
    expect(res.status).toBe(200);
    expect(res.body.headline).toBe('Planted');
  });
});
