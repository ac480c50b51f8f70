import { once } from 'node:events';
import { events, paragraph, REPORTER, STANDARDS } from '../../projections/test-support/article-events';
import { ArticleEvent, articleStreamId } from '../../src/articles/domain/article.events';
import { formatPosition, Position } from '../../src/event-store/event-store.port';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { articlesProjection } from '../../projections/articles.projection';
import { startTestApp, TestApp } from '../support/test-app';
import { toAppend } from './support/seed';

const EDITOR = { id: 'u-editor', name: 'Eddie Editor' };
const DRAFT = '00000000-0000-4000-8000-00000000d001';
const PUB = '00000000-0000-4000-8000-00000000b001';
const RET = '00000000-0000-4000-8000-00000000e001';
const LATE = '00000000-0000-4000-8000-00000000f001';
const MISSING = '00000000-0000-4000-8000-000000000404';
const zelenskyy = { name: 'Volodymyr Zelenskyy', title: 'President of Ukraine' };
const macron = { name: 'Emmanuel Macron' };

describe('read endpoints', () => {
  let t: TestApp;
  let last: Position;
  let minute = 0;
  const append = async (articleId: string, actor: { id: string; name: string }, ...list: ArticleEvent[]) => {
    const occurredAt = new Date(Date.UTC(2025, 4, 16, 9, ++minute)).toISOString();
    last = (await t.eventStore.appendToStream(articleStreamId(articleId), toAppend(list, actor, occurredAt), 'any')).position;
  };
  const get = (path: string) => t.http.get(path).set('Authorization', t.auth('reporter'));
  const ids = (items: Array<{ id?: string; quoteId?: string; correctionId?: string }>) => items.map((i) => i.id ?? i.quoteId ?? i.correctionId);

  beforeAll(async () => {
    t = await startTestApp();
    await append(DRAFT, REPORTER, events.drafted(DRAFT, { headline: 'A draft' }));
    await append(
      PUB,
      REPORTER,
      events.drafted(PUB, { headline: 'Talks fail in Istanbul' }),
      events.quoteAttributed('q-z', zelenskyy, 'Ukraine is ready to take the fastest possible steps to bring real peace.', {
        attributedAt: '2025-05-16T09:02:00.000Z',
      }),
      events.quoteAttributed('q-m', macron, 'Moscow once again rejected the ceasefire.', { attributedAt: '2025-05-16T09:02:30.000Z' }),
    );
    await append(PUB, EDITOR, events.published());
    await append(
      RET,
      REPORTER,
      events.drafted(RET),
      events.quoteAttributed('q-t', { name: 'Donald Tusk' }, 'Pressure must follow.', { attributedAt: '2025-05-16T09:04:00.000Z' }),
      events.published(),
      events.retracted('Sources recanted.'),
    );
    const headlineChange = { field: 'headline', before: 'Talks fail in Istanbul', after: 'Talks fail in Istanbul, Turkey' };
    await append(
      PUB,
      STANDARDS,
      events.headlineRevised('Talks fail in Istanbul, Turkey'),
      events.correctionIssued('c1', [headlineChange], { issuedAt: '2025-05-16T09:05:00.000Z' }),
    );
    await append(
      PUB,
      STANDARDS,
      events.bodyRevised([paragraph('p1', 'Clarified.')]),
      events.correctionIssued('c2', [{ field: 'body.p1', before: 'First paragraph.', after: 'Clarified.' }], {
        kind: 'clarification',
        issuedAt: '2025-05-16T09:06:00.000Z',
      }),
    );
  });
  afterAll(async () => t.close());

  describe('GET /api/articles', () => {
    it('lists article summaries, newest update first, once the read models reach minPosition', async () => {
      const res = await get(`/api/articles?minPosition=${formatPosition(last)}`).expect(200);
      expect(ids(res.body.items)).toEqual([PUB, RET, DRAFT]);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items[0]).toEqual({
        id: PUB,
        revision: 7,
        status: 'published',
        headline: 'Talks fail in Istanbul, Turkey',
        standfirst: null,
        byline: ['Rita Reporter'],
        createdAt: '2025-05-16T09:00:00.000Z',
        updatedAt: '2025-05-16T09:06:00.000Z',
        firstPublishedAt: '2025-05-16T10:00:00.000Z',
        publishedAt: '2025-05-16T10:00:00.000Z',
        retraction: null,
        quoteCount: 2,
        correctionCount: 2,
      });
    });

    it.each([
      ['published', [PUB]],
      ['retracted', [RET]],
      ['draft', [DRAFT]],
    ])('filters by status=%s', async (status, expected) => {
      expect(ids((await get(`/api/articles?status=${status}`).expect(200)).body.items)).toEqual(expected);
    });

    it('pages with limit and cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: string }>; nextCursor: string | null } = (
          await get(`/api/articles?limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200)
        ).body;
        expect(page.items).toHaveLength(1);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([PUB, RET, DRAFT]);
    });
  });

  describe('GET /api/articles/{id}', () => {
    it('returns the article read model with its revision as ETag', async () => {
      const res = await get(`/api/articles/${PUB}`).expect(200);
      expect(res.headers.etag).toBe('"7"');
      expect(res.body).toMatchObject({
        id: PUB,
        revision: 7,
        status: 'published',
        headline: 'Talks fail in Istanbul, Turkey',
        body: [paragraph('p1', 'Clarified.')],
        quotes: [
          { quoteId: 'q-z', speaker: zelenskyy },
          { quoteId: 'q-m', speaker: macron },
        ],
        corrections: [
          { correctionId: 'c1', revision: 5, actor: STANDARDS },
          { correctionId: 'c2', kind: 'clarification', revision: 7 },
        ],
      });
      expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['createdAt', 'updatedAt', 'firstPublishedAt', 'publishedAt', 'byline', 'standfirst']));
    });

    it('answers 304 to a client that holds the current revision', async () => {
      await get(`/api/articles/${PUB}`).set('If-None-Match', '"7"').expect(304);
      await get(`/api/articles/${PUB}`).set('If-None-Match', '"6"').expect(200);
      // RFC 9110 §13.1.2: "*" is false for any current representation.
      await get(`/api/articles/${PUB}`).set('If-None-Match', '*').expect(304);
      await get(`/api/articles/${MISSING}`).set('If-None-Match', '*').expect(404);
    });

    it('answers 404 for an unknown article', async () => {
      const res = await get(`/api/articles/${MISSING}`).expect(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    });
  });

  describe('GET /api/quotes', () => {
    it.each([
      ['speaker=zelenskyy', ['q-z']],
      ['speaker=MACRON', ['q-m']],
      ['speaker=macron', ['q-m']],
      ['q=ready%20peace', ['q-z']],
      ['q=READY%20ceasefire', []],
      [`articleId=${RET}`, ['q-t']],
      ['speaker=%21%21%21', []],
      ['', ['q-t', 'q-m', 'q-z']],
    ])('%s finds %j', async (query, expected) => {
      expect(ids((await get(`/api/quotes?${query}`).expect(200)).body.items)).toEqual(expected);
    });

    it('returns every field, with the status of the quote and of its article', async () => {
      const res = await get(`/api/quotes?articleId=${RET}`).expect(200);
      expect(res.body.items[0]).toEqual({
        quoteId: 'q-t',
        articleId: RET,
        speaker: { name: 'Donald Tusk' },
        text: 'Pressure must follow.',
        source: null,
        status: 'active',
        articleStatus: 'retracted',
        attributedAt: '2025-05-16T09:04:00.000Z',
        updatedAt: '2025-05-16T09:04:00.000Z',
      });
    });

    it('pages', async () => {
      const first = await get('/api/quotes?limit=2').expect(200);
      expect(ids(first.body.items)).toEqual(['q-t', 'q-m']);
      const second = await get(`/api/quotes?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(ids(second.body.items)).toEqual(['q-z']);
      expect(second.body.nextCursor).toBeNull();
    });
  });

  describe('GET /api/corrections', () => {
    it('lists corrections newest first, each with the headline after its own changes', async () => {
      const res = await get('/api/corrections').expect(200);
      // The retraction (retractedAt 2025-05-18) is an entry too, newest.
      expect(res.body.items.map((c: { kind: string; articleId: string }) => [c.kind, c.articleId])).toEqual([
        ['retraction', RET],
        ['clarification', PUB],
        ['correction', PUB],
      ]);
      expect(ids(res.body.items.slice(1))).toEqual(['c2', 'c1']);
      expect(res.body.items[0]).toMatchObject({ kind: 'retraction', note: 'Sources recanted.', issuedAt: '2025-05-18T08:00:00.000Z', changes: [] });
      expect(res.body.items[2]).toEqual({
        correctionId: 'c1',
        articleId: PUB,
        headline: 'Talks fail in Istanbul, Turkey',
        kind: 'correction',
        note: 'We got it wrong.',
        issuedAt: '2025-05-16T09:05:00.000Z',
        actor: STANDARDS,
        revision: 5,
        changes: [{ field: 'headline', before: 'Talks fail in Istanbul', after: 'Talks fail in Istanbul, Turkey' }],
      });
    });

    it('filters by articleId and pages', async () => {
      expect((await get(`/api/corrections?articleId=${DRAFT}`).expect(200)).body).toEqual({ items: [], nextCursor: null });
      const first = await get(`/api/corrections?articleId=${PUB}&limit=1`).expect(200);
      expect(ids(first.body.items)).toEqual(['c2']);
      const second = await get(`/api/corrections?articleId=${PUB}&limit=1&cursor=${first.body.nextCursor}`).expect(200);
      expect(ids(second.body.items)).toEqual(['c1']);
      expect(second.body.nextCursor).toBeNull();
    });
  });

  describe('projections', () => {
    it('GET /api/projections shows each read model live at the head of the log', async () => {
      const res = await get(`/api/projections?minPosition=${formatPosition(last)}`).expect(200);
      expect(res.body).toEqual(
        PROJECTIONS.map(({ name, version }) => expect.objectContaining({ name, version, position: formatPosition(last), lagEvents: 0, status: 'live' })),
      );
    });

    it('GET /health shows the projections without a token', async () => {
      const res = await t.http.get('/health').expect(200);
      expect(res.body.projections).toEqual(
        ['articles', 'quotes', 'corrections', 'as_of'].map((name) => ({ name, status: 'live', position: formatPosition(last) })),
      );
    });

    it('POST /api/projections/{name}/rebuild is for admins: 202, then the new generation serves the same reads', async () => {
      const before = (await get('/api/articles').expect(200)).body;
      await t.http.post('/api/projections/articles/rebuild').set('Authorization', t.auth('editor')).expect(403);
      await t.http.post('/api/projections/nope/rebuild').set('Authorization', t.auth('admin')).expect(404);

      const swapped = once(t.app.get(ProjectionEngine).events, 'swapped');
      const res = await t.http.post('/api/projections/articles/rebuild').set('Authorization', t.auth('admin')).expect(202);
      expect(res.body).toEqual({ name: 'articles', generation: 2, version: articlesProjection.version, status: 'rebuilding' });
      await get('/api/articles').expect(200);
      expect(await swapped).toEqual(['articles', 2]);

      expect((await get('/api/articles').expect(200)).body).toEqual(before);
      const status = (await get('/api/projections').expect(200)).body[0];
      expect(status).toMatchObject({ name: 'articles', generation: 2, status: 'live' });
      expect(status.rebuild).toBeUndefined();
    });
  });

  describe('bad requests', () => {
    it.each([
      ['/api/articles?limit=0', 'limit'],
      ['/api/articles?limit=501', 'limit'],
      ['/api/articles?limit=ten', 'limit'],
      ['/api/articles?cursor=not-a-cursor', 'cursor'],
      ['/api/articles?status=lost', 'status'],
      ['/api/articles?minPosition=soon', 'minPosition'],
      [`/api/articles/${PUB}?minPosition=-5`, 'minPosition'],
      ['/api/quotes?limit=1&limit=2', 'limit'],
      ['/api/quotes?speaker=', 'speaker'],
      ['/api/corrections?cursor=WyJ4Il0', 'cursor'],
      ['/api/corrections?colour=red', 'colour'],
    ])('%s is a 400 naming %s', async (path, field) => {
      const res = await get(path).expect(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('needs a token', async () => {
      await t.http.get('/api/quotes').expect(401);
    });

    it('answers a minPosition beyond the end of the log with 400 at once: no command returned it', async () => {
      const res = await get(`/api/articles?minPosition=${last.commit + 1000n}`).expect(400);
      expect(res.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'minPosition' })] });
    });

    it('answers 504 when the read models do not reach a position of the log within 5 s', async () => {
      // The read models stop following the log; the log goes on.
      await t.app.get(ProjectionEngine).stop();
      await append(LATE, REPORTER, events.drafted(LATE));
      const res = await get(`/api/articles?minPosition=${last.commit}`).expect(504);
      expect(res.body).toMatchObject({ status: 504, type: '/problems/read-model-timeout' });
    }, 15_000);
  });
});
