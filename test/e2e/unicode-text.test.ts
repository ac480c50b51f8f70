import { once } from 'node:events';
import { join } from 'node:path';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { randomUUID } from 'node:crypto';
import { events, REPORTER } from '../../projections/test-support/article-events';
import { articleStreamId } from '../../src/articles/domain/article.events';
import { CORPUS, QUERIES } from '../../src/text/corpus';
import { toAppend } from '../read-models/support/seed';
import { fingerprint } from '../read-models/support/read-models-file';
import { isWellFormed } from '../../src/text';
import { startTestApp, TestApp, TestRole } from '../support/test-app';

const nfd = (text: string) => text.normalize('NFD');

/**
 * Issue #11 through the HTTP API: text is compared, segmented, matched and cut by Unicode's rules,
 * whatever the script and whichever normal form a client sends.
 */
describe('text in every script (Unicode rules at the API)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const send = async (method: 'post' | 'put' | 'delete', path: string, role: TestRole, body: object, ifMatch?: number) => {
    const req = t.http[method](path).set('Authorization', t.auth(role));
    return (ifMatch === undefined ? req : req.set('If-Match', `"${ifMatch}"`)).send(body);
  };
  const get = (path: string) => t.http.get(path).set('Authorization', t.auth('reporter'));

  describe('canonical equivalence: text is NFC before the decider sees it', () => {
    const headline = 'Café Müller: Zelensky’s talks in Kraków';
    const standfirst = 'Señor Ñúñez and Åsa Romson in Tórshavn.';
    const paragraph = 'Μητσοτάκης and Zelenskyy met in Αθήνα; Olaf Merz spoke.';

    it('an article drafted in NFD is stored in NFC', async () => {
      const draft = await send('post', '/api/articles', 'reporter', { headline: nfd(headline), body: [{ type: 'paragraph', text: nfd(paragraph) }] });
      expect(draft.status).toBe(201);
      const article = await get(`/api/articles/${draft.body.articleId}?minPosition=${draft.body.position}`);
      expect(article.body.headline).toBe(headline);
      expect(article.body.headline).not.toBe(nfd(headline));
      expect(article.body.body[0].text).toBe(paragraph);
      // Its event says its text is NFC already, so readers need not normalise it again.
      const [stored] = await t.eventStore.readStream(articleStreamId(draft.body.articleId));
      expect(stored.metadata.textForm).toBe('NFC');
    });

    it('every command re-sent in NFD appends nothing, and a published quote re-sent in NFD with a new source is accepted', async () => {
      const speaker = { name: 'Volodymyr Zelenskyy', title: 'Président de l’Ukraine' };
      const said = 'Nous sommes prêts à négocier, dit-il à Genève.';
      const draft = await send('post', '/api/articles', 'reporter', {
        headline,
        standfirst,
        body: [
          { type: 'paragraph', text: paragraph },
          { type: 'list', items: ['Zürich', 'Gdańsk'] },
        ],
      });
      const id: string = draft.body.articleId;
      const quote = await send('post', `/api/articles/${id}/quotes`, 'reporter', { speaker, text: said }, 0);
      expect(quote.status).toBe(201);
      const published = await send('post', `/api/articles/${id}/publish`, 'editor', {}, 1);
      expect(published.status).toBe(200);
      const at = 2;

      const article = await get(`/api/articles/${id}?minPosition=${published.body.position}`);
      const sameAgain: Array<[string, 'put', string, object]> = [
        ['headline', 'put', `/api/articles/${id}/headline`, { headline: nfd(headline), reason: 'Re-sent from a phone' }],
        ['standfirst', 'put', `/api/articles/${id}/standfirst`, { standfirst: nfd(standfirst), reason: 'Re-sent from a phone' }],
        [
          'body',
          'put',
          `/api/articles/${id}/body`,
          {
            body: article.body.body.map((b: { id: string; type: string; text?: string; items?: string[] }) =>
              b.type === 'list' ? { ...b, items: b.items!.map(nfd) } : { ...b, text: nfd(b.text!) },
            ),
            reason: 'Re-sent from a phone',
          },
        ],
      ];
      for (const [field, method, path, body] of sameAgain) {
        const res = await send(method, path, 'editor', body, at);
        expect({ field, status: res.status, revision: res.body.revision }).toEqual({ field, status: 200, revision: at });
      }

      const amended = await send(
        'put',
        `/api/articles/${id}/quotes/${quote.body.quoteId}`,
        'editor',
        {
          speaker: { name: nfd(speaker.name), title: nfd(speaker.title) },
          text: nfd(said),
          source: { description: 'Press conference' },
          reason: 'Source named',
        },
        at,
      );
      expect(amended.status).toBe(200);
      expect(amended.body.revision).toBe(at + 1);
      const after = await get(`/api/articles/${id}?minPosition=${amended.body.position}`);
      expect(after.body.quotes[0]).toMatchObject({ speaker, text: said, source: { description: 'Press conference' } });
    });

    it('text stored in NFD before this rule (by older code) is read in NFC: re-sent in NFC it appends nothing', async () => {
      const id = randomUUID();
      const stream = articleStreamId(id);
      const speaker = { name: nfd('Ærøskøbing Müller') };
      const legacy = toAppend(
        [
          events.drafted(id, { headline: nfd(headline), body: [{ id: 'p1', type: 'paragraph', text: nfd(paragraph) }] }),
          events.quoteAttributed('7b0c1c2e-0000-4000-8000-00000000000a', speaker, nfd('Wir müssen öffnen.')),
          events.published(),
        ],
        REPORTER,
      );
      const appended = await t.eventStore.appendToStream(stream, legacy, 'no_stream');
      const at = Number(appended.nextExpectedRevision);
      const same = await send('put', `/api/articles/${id}/headline`, 'editor', { headline, reason: 'Re-sent' }, at);
      expect({ status: same.status, revision: same.body.revision }).toEqual({ status: 200, revision: at });
      const amended = await send(
        'put',
        `/api/articles/${id}/quotes/7b0c1c2e-0000-4000-8000-00000000000a`,
        'editor',
        { speaker: { name: 'Ærøskøbing Müller' }, text: 'Wir müssen öffnen.', source: { description: 'Interview' }, reason: 'Source named' },
        at,
      );
      expect(amended.status).toBe(200);
      const revision = await get(`/api/articles/${id}/revisions/${at}`);
      expect(revision.body.headline).toBe(headline);
    });

    it('text of only spaces and invisible characters is empty: refused where text is required, no standfirst where it is optional', async () => {
      const invisible = '\u00ad\u200b\u2060\ufeff\u3000 ';
      const blankDraft = await send('post', '/api/articles', 'reporter', { headline: invisible, body: [{ type: 'paragraph', text: 'Text.' }] });
      expect(blankDraft.status).toBe(400);
      expect(blankDraft.body.errors).toEqual([{ field: 'headline', message: 'must hold visible text, not only spaces or invisible characters' }]);

      const draft = await send('post', '/api/articles', 'reporter', { headline: 'Kyiv', standfirst: invisible, body: [{ type: 'paragraph', text: 'Text.' }] });
      expect(draft.status).toBe(201);
      const id: string = draft.body.articleId;
      expect((await get(`/api/articles/${id}?minPosition=${draft.body.position}`)).body.standfirst).toBeNull();
      for (const [path, body] of [
        ['headline', { headline: invisible }],
        ['body', { body: [{ type: 'paragraph', text: invisible }] }],
        ['quotes', { speaker: { name: invisible }, text: 'Said.' }],
        ['quotes', { speaker: { name: 'Зеленський' }, text: invisible }],
      ] as const) {
        const res = await send(path === 'quotes' ? 'post' : 'put', `/api/articles/${id}/${path}`, 'reporter', body, 0);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
      }
    });
  });

  it('the word diff of a Ukrainian headline is in whole words', async () => {
    const before = 'Зеленський провів переговори з союзниками';
    const after = 'Зеленський провів розмову із союзниками';
    const draft = await send('post', '/api/articles', 'reporter', { headline: before, body: [{ type: 'paragraph', text: 'Κυβέρνηση της Ελλάδας' }] });
    const id: string = draft.body.articleId;
    await send('put', `/api/articles/${id}/headline`, 'reporter', { headline: after }, 0);
    await send('put', `/api/articles/${id}/body`, 'reporter', { body: [{ type: 'paragraph', text: 'Κυβέρνηση της Κύπρου' }] }, 1);
    const diff = await get(`/api/articles/${id}/diff?from=0&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body.headline.words).toEqual([
      { op: 'equal', text: 'Зеленський провів ' },
      { op: 'delete', text: 'переговори з' },
      { op: 'insert', text: 'розмову із' },
      { op: 'equal', text: ' союзниками' },
    ]);
    const changed = JSON.stringify(diff.body.body);
    expect(changed).toContain('"op":"delete","text":"Ελλάδας"');
    expect(changed).toContain('"op":"insert","text":"Κύπρου"');
  });

  it('a long reason is summarised at a grapheme boundary: no lone surrogate in the history', async () => {
    // 984 code points (a reason holds 1,000), 280 graphemes: the cut at 240 falls among emoji ZWJ
    // sequences of five code points (seven UTF-16 code units) each; a cut at 239 UTF-16 code
    // units would end in the middle of 🏽's surrogate pair.
    const reason = `${'x'.repeat(104)}${'👩🏽‍⚕️'.repeat(176)}`;
    const draft = await send('post', '/api/articles', 'reporter', { headline: 'H', body: [{ type: 'paragraph', text: 'T' }], reason });
    expect(draft.status).toBe(201);
    const history = await get(`/api/articles/${draft.body.articleId}/history`);
    const summary: string = history.body.items[0].summary;
    expect(isWellFormed(summary)).toBe(true);
    expect(summary.endsWith('👩🏽‍⚕️…')).toBe(true);
  });

  describe('quote search over a corpus in ten scripts (GET /api/quotes)', () => {
    const quoteIds = new Map<string, string>();
    let position = '';
    beforeAll(async () => {
      const draft = await send('post', '/api/articles', 'reporter', { headline: 'Voices', body: [{ type: 'paragraph', text: 'Quotes.' }] });
      let revision = 0;
      for (const { id, speaker, text } of CORPUS) {
        const res = await send('post', `/api/articles/${draft.body.articleId}/quotes`, 'reporter', { speaker: { name: speaker }, text }, revision++);
        expect(res.status).toBe(201);
        quoteIds.set(res.body.quoteId, id);
        position = res.body.position;
      }
    });

    it.each(QUERIES.map((q) => [q.field, q.query, q.finds, q.rule] as const))('%s=%s finds exactly %j (%s)', async (field, query, finds) => {
      const res = await get('/api/quotes').query({ [field === 'speaker' ? 'speaker' : 'q']: query, minPosition: position, limit: 100 });
      expect(res.status).toBe(200);
      const found = (res.body.items as Array<{ quoteId: string }>).map((q) => quoteIds.get(q.quoteId)).sort();
      expect(found).toEqual([...finds].sort());
    });

    it('a rebuild of the quotes read model gives byte-identical documents and search keys', async () => {
      const file = join(t.dataDir, 'read-models.sqlite');
      // Every read model at the last attribution first, so that only the rebuild could change them.
      await get(`/api/projections?minPosition=${position}`).expect(200);
      const before = fingerprint(file);
      const swapped = once(t.app.get(ProjectionEngine).events, 'swapped');
      await t.http.post('/api/projections/quotes/rebuild').set('Authorization', t.auth('admin')).expect(202);
      await swapped;
      expect(fingerprint(file)).toEqual(before);
    });
  });
});
