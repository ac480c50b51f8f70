import { randomUUID } from 'node:crypto';
import { MERZ_RIGHT, MERZ_WRONG, parseSeedArticle, SEED_QUOTES } from '../support/seed-article';
import { startTestApp, TestApp, TestRole } from '../support/test-app';

type Json = Record<string, unknown>;
type Block = { id: string; type: string; text?: string; items?: string[] };

describe('audit: history, revisions, diffs and blame (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  function command(method: 'post' | 'put', path: string, role: TestRole, body: Json, revision: number | undefined, correlationId: string) {
    const req = t.http[method](path).set('Authorization', t.auth(role)).set('X-Correlation-Id', correlationId).send(body);
    return revision === undefined ? req : req.set('If-Match', `"${revision}"`);
  }
  const read = (path: string, role: TestRole = 'reporter') => t.http.get(path).set('Authorization', t.auth(role));

  /** The seed article's life through HTTP: draft, four quotes, publish, a headline edit, the Merz correction. */
  async function playSeedLife(): Promise<{ id: string; merzBlock: Block; note: string }> {
    const draft = await command('post', '/api/articles', 'reporter', { ...parseSeedArticle(), byline: ['Rita Reporter'] }, undefined, 'seed-draft').expect(201);
    const id = draft.body.articleId as string;
    let revision = 0;
    for (const [i, quote] of SEED_QUOTES.entries()) {
      revision = (await command('post', `/api/articles/${id}/quotes`, 'reporter', { ...quote, reason: `Quote ${i}` }, revision, `seed-quote-${i}`).expect(201))
        .body.revision;
    }
    revision = (await command('post', `/api/articles/${id}/publish`, 'editor', { reason: 'Ready to go' }, revision, 'seed-publish').expect(200)).body.revision;
    const headline = { headline: 'Zelenskyy calls Trump and allies after Istanbul talks collapse', reason: 'Sharper headline' };
    revision = (await command('put', `/api/articles/${id}/headline`, 'editor', headline, revision, 'seed-headline').expect(200)).body.revision;

    const body = (await read(`/api/articles/${id}/revisions/${revision}`).expect(200)).body.body as Block[];
    const merzBlock = body.find((b) => b.text?.includes(MERZ_WRONG))!;
    const corrected = body.map((b) => (b.id === merzBlock.id ? { ...b, text: b.text!.replace(MERZ_WRONG, MERZ_RIGHT) } : b));
    const note = 'An earlier version misnamed the German Chancellor. He is Friedrich Merz.';
    await command('post', `/api/articles/${id}/corrections`, 'standards', { kind: 'correction', note, body: corrected }, revision, 'seed-correction').expect(
      201,
    );
    return { id, merzBlock, note };
  }

  describe('the seed article', () => {
    let seed: Awaited<ReturnType<typeof playSeedLife>>;
    beforeAll(async () => (seed = await playSeedLife()));

    it('history lists every event oldest first, with actor, reason, correlation id and a summary', async () => {
      const res = await read(`/api/articles/${seed.id}/history`, 'standards').expect(200);
      expect(res.body.nextCursor).toBeNull();
      const items = res.body.items as Json[];
      expect(items.map((e) => [e.revision, e.type, (e.actor as Json).name, e.reason, e.correlationId])).toEqual([
        [0, 'ArticleDrafted', 'Rita Reporter', null, 'seed-draft'],
        [1, 'QuoteAttributed', 'Rita Reporter', 'Quote 0', 'seed-quote-0'],
        [2, 'QuoteAttributed', 'Rita Reporter', 'Quote 1', 'seed-quote-1'],
        [3, 'QuoteAttributed', 'Rita Reporter', 'Quote 2', 'seed-quote-2'],
        [4, 'QuoteAttributed', 'Rita Reporter', 'Quote 3', 'seed-quote-3'],
        [5, 'ArticlePublished', 'Eddie Editor', 'Ready to go', 'seed-publish'],
        [6, 'HeadlineRevised', 'Eddie Editor', 'Sharper headline', 'seed-headline'],
        [7, 'BodyRevised', 'Sam Standards', seed.note, 'seed-correction'],
        [8, 'CorrectionIssued', 'Sam Standards', seed.note, 'seed-correction'],
      ]);
      expect(items[0]).toEqual({
        revision: 0,
        position: expect.stringMatching(/^\d+$/),
        type: 'ArticleDrafted',
        schemaVersion: 2,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        actor: { id: 'u-reporter', name: 'Rita Reporter' },
        reason: null,
        correlationId: 'seed-draft',
        causationId: expect.any(String),
        // The seed was written without a traceparent header.
        traceId: null,
        summary: 'Article drafted by Rita Reporter',
      });
      const positions = items.map((e) => BigInt(e.position as string));
      expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
      expect(items[1].summary).toBe('Quote from Volodymyr Zelenskyy attributed by Rita Reporter: Quote 0');
      expect(items[6].summary).toBe('Headline revised by Eddie Editor: Sharper headline');
      expect(items[8].summary).toBe(`Correction issued by Sam Standards: ${seed.note}`);
    });

    it('rebuilds the article as it stood before and after the Merz correction', async () => {
      const before = (await read(`/api/articles/${seed.id}/revisions/6`).expect(200)).body;
      const after = (await read(`/api/articles/${seed.id}/revisions/8`).expect(200)).body;
      const paragraph = (article: Json) => (article.body as Block[]).find((b) => b.id === seed.merzBlock.id)!.text;
      expect(paragraph(before)).toContain(MERZ_WRONG);
      expect(paragraph(after)).toContain(MERZ_RIGHT);
      expect(before).toMatchObject({ id: seed.id, revision: 6, status: 'published', byline: ['Rita Reporter'], corrections: [] });
      expect(before.quotes).toHaveLength(4);
      expect(Object.keys(before)).toEqual(
        expect.arrayContaining([
          'id',
          'revision',
          'status',
          'headline',
          'standfirst',
          'body',
          'byline',
          'quotes',
          'corrections',
          'createdAt',
          'updatedAt',
          'firstPublishedAt',
          'publishedAt',
        ]),
      );
      expect(after.corrections).toEqual([
        expect.objectContaining({ kind: 'correction', note: seed.note, revision: 8, actor: { id: 'u-standards', name: 'Sam Standards' } }),
      ]);
      const draft = (await read(`/api/articles/${seed.id}/revisions/0`).expect(200)).body;
      expect(draft).toMatchObject({ revision: 0, status: 'draft', headline: parseSeedArticle().headline, quotes: [], firstPublishedAt: null });
      // updatedAt is the revision's own time (its occurredAt), as the history shows it.
      const history = (await read(`/api/articles/${seed.id}/history?limit=1`).expect(200)).body;
      expect(draft.updatedAt).toBe(history.items[0].at);
    });

    it('the diff across the correction names only "Olaf" deleted and "Friedrich" inserted', async () => {
      const diff = (await read(`/api/articles/${seed.id}/diff?from=6&to=8`).expect(200)).body;
      const words = (diff.body.changed as Array<{ id: string; words: Json[] }>).flatMap((c) => c.words.filter((w) => w.op !== 'equal'));
      expect(words).toEqual([
        { op: 'delete', text: 'Olaf' },
        { op: 'insert', text: 'Friedrich' },
      ]);
      expect(diff.body.changed.map((c: Block) => c.id)).toEqual([seed.merzBlock.id]);
      expect(diff).toMatchObject({
        from: { revision: 6 },
        to: { revision: 8 },
        headline: null,
        standfirst: null,
        status: null,
        body: { added: [], removed: [], moved: [] },
        quotes: { attributed: [], amended: [], withdrawn: [] },
        statusChanges: [],
        corrections: [expect.objectContaining({ note: seed.note })],
      });
    });

    it('the diff over the whole life shows the quotes, the publication and the headline', async () => {
      const diff = (await read(`/api/articles/${seed.id}/diff?from=0&to=8`).expect(200)).body;
      expect(diff.status).toEqual({ before: 'draft', after: 'published' });
      expect(diff.statusChanges).toEqual([
        expect.objectContaining({ revision: 5, type: 'ArticlePublished', status: 'published', actor: { id: 'u-editor', name: 'Eddie Editor' } }),
      ]);
      expect(diff.quotes.attributed).toHaveLength(4);
      expect(diff.headline.after).toBe('Zelenskyy calls Trump and allies after Istanbul talks collapse');
    });

    it('blame names the standards desk for the corrected paragraph', async () => {
      const blame = (await read(`/api/articles/${seed.id}/blame`).expect(200)).body;
      expect(blame.revision).toBe(8);
      const entry = (blame.body as Array<{ block: Block; lastChange: Json }>).find((b) => b.block.id === seed.merzBlock.id)!;
      expect(entry.lastChange).toMatchObject({
        revision: 7,
        type: 'BodyRevised',
        actor: { id: 'u-standards', name: 'Sam Standards' },
        reason: seed.note,
        correctionId: expect.any(String),
      });
      const others = (blame.body as Array<{ block: Block; lastChange: Json }>).filter((b) => b.block.id !== seed.merzBlock.id);
      expect(new Set(others.map((b) => (b.lastChange.actor as Json).name))).toEqual(new Set(['Rita Reporter']));
      expect(blame.headline.lastChange).toMatchObject({ revision: 6, actor: { name: 'Eddie Editor' }, reason: 'Sharper headline' });
      expect(blame.standfirst.lastChange).toMatchObject({ revision: 0, actor: { name: 'Rita Reporter' } });
    });

    it('pages through the history with limit and cursor', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? 'limit=4' : `limit=4&cursor=${cursor}`;
        const page = (await read(`/api/articles/${seed.id}/history?${query}`).expect(200)).body;
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items.map((e: Json) => e.revision));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      const beyond = (await read(`/api/articles/${seed.id}/history?cursor=9`).expect(200)).body;
      expect(beyond).toEqual({ items: [], nextCursor: null });
    });

    it('400 for malformed revisions, ranges and query parameters', async () => {
      const bad = [
        'revisions/abc',
        'revisions/-1',
        'revisions/1.5',
        'diff?from=8&to=6',
        'diff?from=3&to=3',
        'diff?from=x&to=2',
        'diff?to=2',
        'diff?from=&to=2',
        'diff?from=0&to=2&extra=1',
        'history?limit=0',
        'history?limit=501',
        'history?cursor=abc',
        'history?sort=asc',
        'blame?x=1',
      ];
      for (const path of bad) {
        const res = await read(`/api/articles/${seed.id}/${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      await read(`/api/articles/not-a-uuid/history`).expect(400);
      await read(`/api/articles/${seed.id}/history?limit=500&minPosition=0`).expect(200);
    });

    it('404 for revisions beyond the last one and for an unknown article; 401 without a token', async () => {
      await read(`/api/articles/${seed.id}/revisions/9`).expect(404);
      await read(`/api/articles/${seed.id}/diff?from=0&to=9`).expect(404);
      await read(`/api/articles/${seed.id}/diff?from=9&to=10`).expect(404);
      const unknown = randomUUID();
      for (const path of ['history', 'revisions/0', 'diff?from=0&to=1', 'blame', 'history?cursor=3']) {
        const res = await read(`/api/articles/${unknown}/${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      await t.http.get(`/api/articles/${seed.id}/history`).expect(401);
    });
  });

  describe('an event log written in the old shape (ArticleDrafted v1, byline as one string)', () => {
    const id = randomUUID();
    const v1Byline = 'Rita Reporter and Eddie Editor';

    beforeAll(async () => {
      await t.eventStore.appendToStream(
        `article-${id}`,
        [
          {
            id: randomUUID(),
            type: 'ArticleDrafted',
            data: {
              articleId: id,
              headline: 'Written by the old code',
              standfirst: null,
              body: [{ id: 'b-legacy', type: 'paragraph', text: 'A paragraph from before the byline became a list.' }],
              byline: v1Byline,
              draftedAt: '2024-01-02T03:04:05.000Z',
            },
            metadata: {
              $correlationId: 'legacy-import',
              $causationId: randomUUID(),
              actor: { id: 'u-reporter', name: 'Rita Reporter' },
              reason: null,
              occurredAt: '2024-01-02T03:04:05.000Z',
              schemaVersion: 1,
            },
          },
        ],
        'no_stream',
      );
    });

    it('reads it through history and revisions in the current shape', async () => {
      const history = (await read(`/api/articles/${id}/history`).expect(200)).body;
      expect(history.items).toEqual([expect.objectContaining({ revision: 0, type: 'ArticleDrafted', schemaVersion: 1, correlationId: 'legacy-import' })]);
      const article = (await read(`/api/articles/${id}/revisions/0`).expect(200)).body;
      expect(article).toMatchObject({ id, byline: ['Rita Reporter', 'Eddie Editor'], createdAt: '2024-01-02T03:04:05.000Z' });
    });

    it('takes commands on it, and the stored event keeps its old shape', async () => {
      const edited = await command('put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Rewritten by the new code' }, 0, 'legacy-edit').expect(200);
      expect(edited.body.revision).toBe(1);
      await command('post', `/api/articles/${id}/publish`, 'editor', {}, 1, 'legacy-publish').expect(200);

      const article = (await read(`/api/articles/${id}/revisions/2`).expect(200)).body;
      expect(article).toMatchObject({ status: 'published', headline: 'Rewritten by the new code', byline: ['Rita Reporter', 'Eddie Editor'] });
      const diff = (await read(`/api/articles/${id}/diff?from=0&to=2`).expect(200)).body;
      expect(diff).toMatchObject({ byline: null, headline: { before: 'Written by the old code', after: 'Rewritten by the new code' } });
      const blame = (await read(`/api/articles/${id}/blame`).expect(200)).body;
      expect(blame.body).toEqual([expect.objectContaining({ lastChange: expect.objectContaining({ revision: 0, correlationId: 'legacy-import' }) })]);

      const [stored] = await t.eventStore.readStream(`article-${id}`);
      expect(stored.data).toMatchObject({ byline: v1Byline });
      expect(stored.metadata.schemaVersion).toBe(1);
    });

    it('new drafts are written as ArticleDrafted v2 with a list byline', async () => {
      const res = await command(
        'post',
        '/api/articles',
        'reporter',
        { ...parseSeedArticle(), byline: ['Rita Reporter', 'Eddie Editor'] },
        undefined,
        'new-draft',
      ).expect(201);
      const [stored] = await t.eventStore.readStream(`article-${res.body.articleId}`);
      expect(stored.metadata.schemaVersion).toBe(2);
      expect(stored.data).toMatchObject({ byline: ['Rita Reporter', 'Eddie Editor'] });
    });
  });
});
