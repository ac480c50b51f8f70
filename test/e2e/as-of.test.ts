import { systemClock } from '../../src/articles/commands/clock';
import { MERZ_RIGHT, MERZ_WRONG, parseSeedArticle, SEED_QUOTES } from '../support/seed-article';
import { startTestApp, TestApp, TestRole } from '../support/test-app';

type Json = Record<string, unknown>;
type Block = { id: string; type: string; text?: string };

/** Friday 16 May 2025 (UTC), at hh:mm. */
const at = (hhmm: string) => `2025-05-16T${hhmm}:00.000Z`;

/**
 * The seed article's life at known times (the command side's clock is set before each command,
 * so every event's occurredAt is known), then what readers saw as of instants between them.
 */
describe('as of any instant (e2e, #15 section 1)', () => {
  let t: TestApp;
  let now = at('00:00');
  let seed = '';
  let other = '';
  let lastPosition = '0';
  let merzBlock: Block;
  let quoteIds: string[] = [];
  const revisions: Record<string, number> = {};

  async function command(when: string, method: 'post' | 'put', path: string, role: TestRole, body: Json, revision?: number) {
    now = at(when);
    const req = t.http[method](path).set('Authorization', t.auth(role)).send(body);
    const res = await (revision === undefined ? req : req.set('If-Match', `"${revision}"`));
    expect(res.status).toBeLessThan(300);
    lastPosition = res.body.position;
    return res.body as { articleId: string; revision: number; position: string; quoteId?: string };
  }
  const get = (path: string, query: Json = {}) =>
    t.http
      .get(path)
      .query({ minPosition: lastPosition, ...query })
      .set('Authorization', t.auth('reporter'));
  const articleAsOf = (hhmm: string) => get(`/api/articles/${seed}`, { asOf: at(hhmm) });
  const textOf = (body: Block[]) => body.map((b) => b.text ?? '').join('\n');

  beforeAll(async () => {
    jest.spyOn(systemClock, 'now').mockImplementation(() => now);
    t = await startTestApp();

    // 08:00 drafted, 08:01-08:04 quoted, 09:00 published, 10:00 corrected (Olaf → Friedrich Merz),
    // 11:00 a quote withdrawn by a correction, 12:00 retracted. Another story is live from 09:30.
    const draft = await command('08:00', 'post', '/api/articles', 'reporter', { ...parseSeedArticle(), byline: ['Rita Reporter'] });
    seed = draft.articleId;
    let revision = draft.revision;
    quoteIds = [];
    for (const [i, quote] of SEED_QUOTES.entries()) {
      const res = await command(`08:0${i + 1}`, 'post', `/api/articles/${seed}/quotes`, 'reporter', { ...quote }, revision);
      quoteIds.push(res.quoteId!);
      revision = res.revision;
    }
    revisions.published = (await command('09:00', 'post', `/api/articles/${seed}/publish`, 'editor', {}, revision)).revision;

    const second = await command('09:30', 'post', '/api/articles', 'reporter', {
      headline: 'Harbour bridge to close for repairs',
      body: [{ type: 'paragraph', text: 'The harbour bridge will close at night for two weeks.' }],
    });
    other = second.articleId;
    revisions.other = (await command('09:31', 'post', `/api/articles/${other}/publish`, 'editor', {}, second.revision)).revision;

    const drafted = (await t.eventStore.readStream(`article-${seed}`))[0].data as { body: Block[] };
    merzBlock = drafted.body.find((b) => b.text?.includes(MERZ_WRONG))!;
    const corrected = drafted.body.map((b) => (b.id === merzBlock.id ? { ...b, text: b.text!.replace(MERZ_WRONG, MERZ_RIGHT) } : b));
    const correction = await command(
      '10:00',
      'post',
      `/api/articles/${seed}/corrections`,
      'standards',
      { kind: 'correction', note: 'An earlier version misnamed the German Chancellor. He is Friedrich Merz.', body: corrected },
      revisions.published,
    );
    revisions.corrected = correction.revision;
    const withdrawal = await command(
      '11:00',
      'post',
      `/api/articles/${seed}/corrections`,
      'standards',
      { kind: 'correction', note: 'The Trump quote was from another visit.', quotes: [{ quoteId: quoteIds[3], withdraw: true }] },
      revisions.corrected,
    );
    revisions.withdrawn = withdrawal.revision;
    revisions.retracted = (
      await command(
        '12:00',
        'post',
        `/api/articles/${seed}/retract`,
        'standards',
        { note: 'The article relied on a report we could not verify.' },
        revisions.withdrawn,
      )
    ).revision;
  });
  afterAll(async () => {
    await t.close();
    jest.restoreAllMocks();
  });

  describe('GET /api/articles/{id}?asOf=', () => {
    it('before the draft: 404', async () => {
      const res = await articleAsOf('07:59').expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: '/problems/not-found', status: 404 });
    });

    it('at the draft, not yet published: the draft, not visible to readers', async () => {
      const res = await articleAsOf('08:00').expect(200);
      expect(res.body).toMatchObject({ id: seed, revision: 0, status: 'draft', visible: false, asOf: at('08:00'), quotes: [] });
    });

    it('between publication and correction: visible, and the text says "Olaf Merz"', async () => {
      const res = await articleAsOf('09:14').expect(200);
      expect(res.body).toMatchObject({ revision: revisions.published, status: 'published', visible: true, corrections: [], retraction: null });
      expect(textOf(res.body.body)).toContain(MERZ_WRONG);
      expect(textOf(res.body.body)).not.toContain(MERZ_RIGHT);
      expect(res.body.quotes).toHaveLength(4);
      // The one article view: the same document the audit gives for that revision.
      const audit = await get(`/api/articles/${seed}/revisions/${revisions.published}`).expect(200);
      const { asOf: _asOf, visible: _visible, ...view } = res.body;
      expect(view).toEqual(audit.body);
    });

    it('after the correction: the text says "Friedrich Merz", with the correction', async () => {
      const res = await articleAsOf('10:30').expect(200);
      expect(res.body).toMatchObject({ revision: revisions.corrected, status: 'published', visible: true });
      expect(textOf(res.body.body)).toContain(MERZ_RIGHT);
      expect(textOf(res.body.body)).not.toContain(MERZ_WRONG);
      expect(res.body.corrections.map((c: Json) => c.note)).toEqual(['An earlier version misnamed the German Chancellor. He is Friedrich Merz.']);
    });

    it('after the retraction: not visible, with the retraction notice', async () => {
      const res = await articleAsOf('12:30').expect(200);
      expect(res.body).toMatchObject({
        revision: revisions.retracted,
        status: 'retracted',
        visible: false,
        retraction: { note: 'The article relied on a report we could not verify.', retractedAt: at('12:00') },
      });
    });

    it('an instant is the last revision at or before it: exactly at the correction, the correction', async () => {
      expect((await articleAsOf('10:00').expect(200)).body.revision).toBe(revisions.corrected);
      const justBefore = await get(`/api/articles/${seed}`, { asOf: '2025-05-16T09:59:59.999999Z' }).expect(200);
      expect(justBefore.body.revision).toBe(revisions.published);
      // The same instant in another offset.
      expect((await get(`/api/articles/${seed}`, { asOf: '2025-05-16T11:14:00+02:00' }).expect(200)).body.revision).toBe(revisions.published);
    });

    it('a future instant reads as now: the current article', async () => {
      const current = await get(`/api/articles/${seed}`).expect(200);
      const before = Date.now();
      const future = await get(`/api/articles/${seed}`, { asOf: '2999-01-01T00:00:00Z' }).expect(200);
      const { asOf, visible, ...view } = future.body;
      expect(view).toEqual(current.body);
      expect(visible).toBe(false);
      // It says which instant it read: now, not the year 2999.
      expect(Date.parse(asOf)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(asOf)).toBeLessThanOrEqual(Date.now());
    });

    it('an unknown article is 404 at any instant', async () => {
      await get('/api/articles/00000000-0000-4000-8000-000000000404', { asOf: at('12:30') }).expect(404);
    });
  });

  describe('GET /api/articles?asOf=&status=published: the site as a reader found it', () => {
    const live = async (hhmm: string) => {
      const res = await get('/api/articles', { asOf: at(hhmm), status: 'published' }).expect(200);
      expect(res.body.nextCursor).toBeNull();
      return res.body.items.map((a: Json) => [a.id, a.revision, a.headline]);
    };

    it('at three instants: the seed story alone, both stories at their revisions then, the other story alone', async () => {
      const headline = parseSeedArticle().headline;
      expect(await live('08:30')).toEqual([]);
      expect(await live('09:14')).toEqual([[seed, revisions.published, headline]]);
      // Newest revision first: the seed's correction (10:00) after the other's publication (09:31).
      expect(await live('10:30')).toEqual([
        [seed, revisions.corrected, headline],
        [other, revisions.other, 'Harbour bridge to close for repairs'],
      ]);
      expect(await live('12:30')).toEqual([[other, revisions.other, 'Harbour bridge to close for repairs']]);
    });

    it('items are the summaries of the time; without a status, drafts too', async () => {
      const res = await get('/api/articles', { asOf: at('09:14') }).expect(200);
      expect(res.body.items).toEqual([expect.objectContaining({ id: seed, status: 'published', quoteCount: 4, correctionCount: 0, updatedAt: at('09:00') })]);
      const drafts = await get('/api/articles', { asOf: at('08:02'), status: 'draft' }).expect(200);
      expect(drafts.body.items).toEqual([expect.objectContaining({ id: seed, revision: 2, quoteCount: 2 })]);
    });

    it('pages like the list of today', async () => {
      const first = await get('/api/articles', { asOf: at('10:30'), status: 'published', limit: 1 }).expect(200);
      expect(first.body.items.map((a: Json) => a.id)).toEqual([seed]);
      const second = await get('/api/articles', { asOf: at('10:30'), status: 'published', limit: 1, cursor: first.body.nextCursor }).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ id: other })], nextCursor: null });
    });

    it('a future instant reads as now', async () => {
      const current = await get('/api/articles', { status: 'published' }).expect(200);
      const future = await get('/api/articles', { status: 'published', asOf: '2999-01-01T00:00:00Z' }).expect(200);
      expect(future.body).toEqual(current.body);
    });
  });

  describe('GET /api/corrections?asOf= and GET /api/quotes?asOf=', () => {
    it('the corrections feed as it stood: nothing, the correction, then the withdrawal and the retraction', async () => {
      const feed = async (hhmm: string) => (await get('/api/corrections', { asOf: at(hhmm), articleId: seed }).expect(200)).body.items.map((c: Json) => c.kind);
      expect(await feed('09:14')).toEqual([]);
      expect(await feed('10:30')).toEqual(['correction']);
      expect(await feed('12:30')).toEqual(['retraction', 'correction', 'correction']);
      const future = await get('/api/corrections', { asOf: '2999-01-01T00:00:00Z' }).expect(200);
      expect(future.body).toEqual((await get('/api/corrections').expect(200)).body);
    });

    it('the quotes in force: the Trump quote active before its withdrawal, withdrawn after; article status of the time', async () => {
      const quotes = async (hhmm: string) =>
        (await get('/api/quotes', { asOf: at(hhmm), articleId: seed }).expect(200)).body.items.map((q: Json) => [q.quoteId, q.status, q.articleStatus]);
      expect(await quotes('07:59')).toEqual([]);
      expect(await quotes('08:02')).toEqual([
        [quoteIds[1], 'active', 'draft'],
        [quoteIds[0], 'active', 'draft'],
      ]);
      expect((await quotes('10:30'))[0]).toEqual([quoteIds[3], 'active', 'published']);
      expect((await quotes('11:30'))[0]).toEqual([quoteIds[3], 'withdrawn', 'published']);
      expect((await quotes('12:30')).map(([, , articleStatus]: string[]) => articleStatus)).toEqual(['retracted', 'retracted', 'retracted', 'retracted']);
      const trump = await get('/api/quotes', { asOf: at('10:30'), speaker: 'trump' }).expect(200);
      expect(trump.body.items).toEqual([expect.objectContaining({ quoteId: quoteIds[3], text: SEED_QUOTES[3].text })]);
    });
  });

  describe('a malformed time', () => {
    it.each(['yesterday', '2025-05-16', '2025-05-16 09:14:00Z', '2025-05-16T09:14:00', '2025-02-30T09:14:00Z', '2025-05-16T24:00:00Z', ''])(
      '"%s" is 400 on every as-of read, naming asOf',
      async (asOf) => {
        for (const path of [`/api/articles/${seed}`, '/api/articles', '/api/corrections', '/api/quotes']) {
          const res = await get(path, { asOf }).expect(400);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({ type: '/problems/invalid-input', status: 400 });
          expect(new Set(res.body.errors.map((e: Json) => e.field))).toEqual(new Set(['asOf']));
        }
      },
    );
  });
});
