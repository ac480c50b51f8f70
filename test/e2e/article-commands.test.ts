import { randomUUID } from 'node:crypto';
import { RecordedEvent } from '../../src/event-store/event-store.port';
import { MERZ_RIGHT, MERZ_WRONG, parseSeedArticle, SEED_QUOTES } from '../support/seed-article';
import { startTestApp, TestApp, TestRole } from '../support/test-app';

type Json = Record<string, unknown>;

describe('article commands (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const stream = (id: string): Promise<RecordedEvent[]> => t.eventStore.readStream(`article-${id}`);

  function command(method: 'post' | 'put' | 'delete', path: string, role: TestRole, body: Json, revision?: number | string) {
    const req = t.http[method](path).set('Authorization', t.auth(role)).send(body);
    return revision === undefined ? req : req.set('If-Match', `"${revision}"`);
  }

  async function draftSeed(): Promise<{ id: string; revision: number }> {
    const res = await command('post', '/api/articles', 'reporter', { ...parseSeedArticle(), byline: ['Rita Reporter'] }).expect(201);
    return { id: res.body.articleId, revision: res.body.revision };
  }

  async function publishedSeed(): Promise<{ id: string; revision: number; quoteId: string }> {
    const { id } = await draftSeed();
    const quote = await command('post', `/api/articles/${id}/quotes`, 'reporter', { ...SEED_QUOTES[2] }, 0).expect(201);
    const published = await command('post', `/api/articles/${id}/publish`, 'editor', {}, 1).expect(200);
    return { id, revision: published.body.revision, quoteId: quote.body.quoteId };
  }

  describe('the life of the seed article', () => {
    it('drafts, quotes, publishes, corrects Olaf to Friedrich Merz, retracts: each an event with its metadata', async () => {
      const seed = parseSeedArticle();
      const draft = await command('post', '/api/articles', 'reporter', { ...seed, byline: ['Rita Reporter'] })
        .set('X-Correlation-Id', 'seed-life')
        .expect(201);
      const id = draft.body.articleId as string;
      expect(draft.headers.location).toBe(`/api/articles/${id}`);
      expect(draft.headers.etag).toBe('"0"');
      expect(draft.headers['x-correlation-id']).toBe('seed-life');
      expect(draft.body).toEqual({ articleId: id, revision: 0, position: expect.stringMatching(/^\d+$/) });

      let revision = 0;
      const quoteIds: string[] = [];
      for (const quote of SEED_QUOTES) {
        const res = await command('post', `/api/articles/${id}/quotes`, 'reporter', { ...quote }, revision).expect(201);
        expect(res.body.quoteId).toEqual(expect.any(String));
        quoteIds.push(res.body.quoteId);
        revision = res.body.revision;
      }
      revision = (await command('post', `/api/articles/${id}/publish`, 'editor', { reason: 'Ready' }, revision).expect(200)).body.revision;

      const [drafted] = await stream(id);
      const body = (drafted.data as { body: Array<{ id: string; type: string; text?: string }> }).body;
      expect(body.map((b) => b.type)).toEqual(seed.body.map((b) => b.type));
      expect(body.filter((b) => b.type === 'list')).toHaveLength(1);
      const merzBlock = body.find((b) => b.text?.includes(MERZ_WRONG))!;
      const corrected = body.map((b) => (b.id === merzBlock.id ? { ...b, text: b.text!.replace(MERZ_WRONG, MERZ_RIGHT) } : b));

      const correction = await command(
        'post',
        `/api/articles/${id}/corrections`,
        'standards',
        {
          kind: 'correction',
          note: 'An earlier version misnamed the German Chancellor. He is Friedrich Merz.',
          body: corrected,
        },
        revision,
      ).expect(201);
      expect(correction.body.correctionId).toEqual(expect.any(String));
      expect(correction.body.revision).toBe(revision + 2);
      revision = correction.body.revision;

      await command('post', `/api/articles/${id}/retract`, 'standards', { note: 'Retracted for the test' }, revision).expect(200);

      const events = await stream(id);
      expect(events.map((e) => e.type)).toEqual([
        'ArticleDrafted',
        'QuoteAttributed',
        'QuoteAttributed',
        'QuoteAttributed',
        'QuoteAttributed',
        'ArticlePublished',
        'BodyRevised',
        'CorrectionIssued',
        'ArticleRetracted',
      ]);
      expect(events[0].metadata).toMatchObject({
        $correlationId: 'seed-life',
        $causationId: expect.any(String),
        actor: { id: 'u-reporter', name: 'Rita Reporter' },
        occurredAt: expect.any(String),
        schemaVersion: expect.any(Number),
      });
      // The correction's text change and the correction itself are one append: one causation.
      const [revised, issued] = events.slice(6, 8);
      expect(revised.metadata.$causationId).toBe(issued.metadata.$causationId);
      expect(issued.metadata).toMatchObject({ actor: { id: 'u-standards', name: 'Sam Standards' }, reason: expect.stringContaining('Friedrich Merz') });
      expect((issued.data as { changes: unknown[] }).changes).toEqual([
        { field: `body.${merzBlock.id}`, before: merzBlock.text, after: merzBlock.text!.replace(MERZ_WRONG, MERZ_RIGHT) },
      ]);
      // Block ids stay stable across the revision.
      expect((revised.data as { body: Array<{ id: string }> }).body.map((b) => b.id)).toEqual(body.map((b) => b.id));

      const after = await command('put', `/api/articles/${id}/headline`, 'editor', { headline: 'New', reason: 'x' }, revision + 1).expect(409);
      expect(after.body).toMatchObject({ status: 409, detail: expect.stringMatching(/retract/i) });
      expect(await stream(id)).toHaveLength(9);
    });
  });

  describe('bad input', () => {
    it('lists every failing field in one 400 and appends nothing', async () => {
      const head = await t.eventStore.headPosition();
      const res = await command('post', '/api/articles', 'reporter', {
        headline: 'x'.repeat(301),
        standfirst: 'y'.repeat(601),
        body: [
          { type: 'paragraph', text: '' },
          { type: 'list', text: 'not items' },
          { type: 'video', text: 'x' },
        ],
        byline: 'Rita',
        surprise: true,
      }).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining(['headline', 'standfirst', 'body[0].text', 'body[1].items', 'body[1].text', 'body[2].type', 'byline', 'surprise']),
      );
      expect(await t.eventStore.headPosition()).toEqual(head);
    });

    it('enforces the body limits: 1-500 blocks of at most 20,000 characters', async () => {
      const { id, revision } = await draftSeed();
      const paragraph = (text: string) => ({ type: 'paragraph', text });
      await command('put', `/api/articles/${id}/body`, 'reporter', { body: [] }, revision).expect(400);
      await command('put', `/api/articles/${id}/body`, 'reporter', { body: Array.from({ length: 501 }, () => paragraph('x')) }, revision).expect(400);
      const long = await command('put', `/api/articles/${id}/body`, 'reporter', { body: [paragraph('x'.repeat(20_001))] }, revision).expect(400);
      expect(long.body.errors).toEqual([expect.objectContaining({ field: 'body[0].text' })]);
      await command(
        'put',
        `/api/articles/${id}/body`,
        'reporter',
        { body: [{ type: 'list', items: ['x'.repeat(10_001), 'y'.repeat(10_000)] }] },
        revision,
      ).expect(400);
      await command('put', `/api/articles/${id}/body`, 'reporter', { body: [paragraph('x'.repeat(20_000))] }, revision).expect(200);
      expect(await stream(id)).toHaveLength(2);
    });

    it('refuses a quote without text, a note too long, and a malformed If-Match or id', async () => {
      const { id, revision } = await draftSeed();
      await command('post', `/api/articles/${id}/quotes`, 'reporter', { speaker: { name: 'X' }, text: '' }, revision).expect(400);
      await command('post', `/api/articles/${id}/quotes`, 'reporter', { text: 'No speaker' }, revision).expect(400);
      await command('post', `/api/articles/${id}/retract`, 'standards', { note: 'n'.repeat(2001) }, revision).expect(400);
      // A quoted "abc" is a well-formed entity tag that matches no revision (RFC 9110): 412.
      await command('put', `/api/articles/${id}/headline`, 'reporter', { headline: 'H' }, 'abc').expect(412);
      await t.http.put(`/api/articles/${id}/headline`).set('Authorization', t.auth('reporter')).set('If-Match', 'abc').send({ headline: 'H' }).expect(400);
      await command('put', '/api/articles/not-a-uuid/headline', 'reporter', { headline: 'H' }, 0).expect(400);
      expect(await stream(id)).toHaveLength(1);
    });
  });

  describe('refusals', () => {
    it('403 for a role that may not, and nothing is appended', async () => {
      const { id } = await draftSeed();
      await command('post', '/api/articles', 'standards', { ...parseSeedArticle() }).expect(403);
      await command('post', `/api/articles/${id}/publish`, 'reporter', {}, 0).expect(403);
      await command('post', `/api/articles/${id}/corrections`, 'editor', { kind: 'correction', note: 'n' }, 0).expect(403);
      await command('post', `/api/articles/${id}/retract`, 'admin', { note: 'n' }, 0).expect(403);
      await command('post', `/api/articles/${id}/publish`, 'editor', {}, 0).expect(200);
      // Once published, a reporter may no longer edit it.
      const res = await command('put', `/api/articles/${id}/headline`, 'reporter', { headline: 'H', reason: 'r' }, 1).expect(403);
      expect(res.body).toMatchObject({ status: 403, title: 'Forbidden' });
      expect(await stream(id)).toHaveLength(2);
    });

    it('428 without If-Match, 412 with a stale one, 404 for an unknown article', async () => {
      const { id } = await draftSeed();
      await command('put', `/api/articles/${id}/headline`, 'reporter', { headline: 'One' }, 0).expect(200);
      const missing = await command('put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Two' }).expect(428);
      expect(missing.body).toMatchObject({ status: 428, detail: expect.stringContaining('If-Match') });
      await command('put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Two' }, 0).expect(412);
      await command('put', `/api/articles/${randomUUID()}/headline`, 'reporter', { headline: 'Two' }, 0).expect(404);
      expect(await stream(id)).toHaveLength(2);
    });

    it('of 20 concurrent edits on one revision exactly one wins', async () => {
      const { id } = await draftSeed();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => command('put', `/api/articles/${id}/headline`, 'reporter', { headline: `Take ${i}` }, 0)),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(19);
      expect(await stream(id)).toHaveLength(2);
    });

    it('409 when a rule refuses: publish twice, correct a draft, edit a published quote', async () => {
      const { id, revision, quoteId } = await publishedSeed();
      await command('post', `/api/articles/${id}/publish`, 'editor', {}, revision).expect(409);
      const draft = await draftSeed();
      await command('post', `/api/articles/${draft.id}/corrections`, 'standards', { kind: 'correction', note: 'n', headline: 'H' }, 0).expect(409);
      // A published quote's text changes only through a correction; its source may change.
      const quote = { ...SEED_QUOTES[2], reason: 'Tidy' };
      await command('put', `/api/articles/${id}/quotes/${quoteId}`, 'editor', { ...quote, text: 'Changed words' }, revision).expect(409);
      await command('put', `/api/articles/${id}/quotes/${quoteId}`, 'editor', { ...quote, source: { description: 'Élysée statement' } }, revision).expect(200);
      const edit = await command('put', `/api/articles/${id}/headline`, 'editor', { headline: 'Without a reason' }, revision + 1).expect(400);
      expect(edit.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
      expect(await stream(id)).toHaveLength(4);
    });

    it('changes a published quote through a correction, recording before and after', async () => {
      const { id, revision, quoteId } = await publishedSeed();
      const res = await command(
        'post',
        `/api/articles/${id}/corrections`,
        'standards',
        {
          kind: 'clarification',
          note: 'The quote was abridged.',
          quotes: [{ quoteId, text: `${SEED_QUOTES[2].text}, Macron stated` }],
        },
        revision,
      ).expect(201);
      const [amended, issued] = (await stream(id)).slice(-2);
      expect(amended.type).toBe('QuoteAmended');
      expect(issued.data).toMatchObject({
        correctionId: res.body.correctionId,
        kind: 'clarification',
        changes: [{ field: `quotes.${quoteId}.text`, before: SEED_QUOTES[2].text, after: `${SEED_QUOTES[2].text}, Macron stated` }],
      });
    });
  });

  describe('no silent holes in what readers saw (#15)', () => {
    it('a published quote cannot be deleted (409, nothing appended), even after unpublish; a correction withdraws it', async () => {
      const { id, revision, quoteId } = await publishedSeed();
      const refused = await command('delete', `/api/articles/${id}/quotes/${quoteId}`, 'editor', { reason: 'Misattributed' }, revision).expect(409);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ type: '/problems/rule-violated', status: 409, detail: expect.stringMatching(/correction/) });
      const unpublished = await command('post', `/api/articles/${id}/unpublish`, 'editor', { reason: 'Held back' }, revision).expect(200);
      await command('delete', `/api/articles/${id}/quotes/${quoteId}`, 'editor', { reason: 'Misattributed' }, unpublished.body.revision).expect(409);
      expect(await stream(id)).toHaveLength(4);

      const correction = await command(
        'post',
        `/api/articles/${id}/corrections`,
        'standards',
        { kind: 'correction', note: 'The quote was not his.', quotes: [{ quoteId, withdraw: true }] },
        unpublished.body.revision,
      ).expect(201);
      const [withdrawn, issued] = (await stream(id)).slice(-2);
      expect(withdrawn).toMatchObject({ type: 'QuoteWithdrawn', data: { quoteId } });
      expect(issued.data).toMatchObject({
        correctionId: correction.body.correctionId,
        changes: [{ field: `quotes.${quoteId}`, before: SEED_QUOTES[2].text, after: null }],
      });
      const article = await t.http.get(`/api/articles/${id}?minPosition=${correction.body.position}`).set('Authorization', t.auth('reporter')).expect(200);
      expect(article.body.quotes).toEqual([]);
    });

    it('a quote attributed while the article is unpublished (never seen by readers) may still be deleted', async () => {
      const { id, revision } = await publishedSeed();
      const unpublished = await command('post', `/api/articles/${id}/unpublish`, 'editor', { reason: 'Held back' }, revision).expect(200);
      const quote = await command('post', `/api/articles/${id}/quotes`, 'editor', { ...SEED_QUOTES[3] }, unpublished.body.revision).expect(201);
      await command('delete', `/api/articles/${id}/quotes/${quote.body.quoteId}`, 'editor', { reason: 'Not needed' }, quote.body.revision).expect(200);
    });

    it('a clarification may be its note alone; a correction may not', async () => {
      const { id, revision } = await publishedSeed();
      await command('post', `/api/articles/${id}/corrections`, 'standards', { kind: 'correction', note: 'Nothing changed.' }, revision).expect(409);
      const res = await command(
        'post',
        `/api/articles/${id}/corrections`,
        'standards',
        { kind: 'clarification', note: 'Merz spoke by phone, not in person.' },
        revision,
      ).expect(201);
      const [issued] = (await stream(id)).slice(-1);
      expect(issued).toMatchObject({ type: 'CorrectionIssued', data: { kind: 'clarification', note: 'Merz spoke by phone, not in person.', changes: [] } });
      expect(res.body.revision).toBe(revision + 1);
    });

    it('a retraction is in the corrections history with its note, in order with the corrections', async () => {
      const { id, revision } = await publishedSeed();
      const note = await command('post', `/api/articles/${id}/corrections`, 'standards', { kind: 'editors-note', note: 'Under review.' }, revision).expect(201);
      const retracted = await command(
        'post',
        `/api/articles/${id}/retract`,
        'standards',
        { note: 'The reporting did not meet our standards.' },
        note.body.revision,
      ).expect(200);
      const res = await t.http
        .get(`/api/corrections?articleId=${id}&minPosition=${retracted.body.position}`)
        .set('Authorization', t.auth('reporter'))
        .expect(200);
      expect(res.body.items.map((c: Json) => [c.kind, c.note])).toEqual([
        ['retraction', 'The reporting did not meet our standards.'],
        ['editors-note', 'Under review.'],
      ]);
      expect(res.body.items[0]).toMatchObject({ articleId: id, revision: retracted.body.revision, changes: [], actor: { name: 'Sam Standards' } });
    });
  });

  describe('Idempotency-Key', () => {
    it('a repeated request returns the first response and appends nothing, also after a restart', async () => {
      const key = `draft-${randomUUID()}`;
      const send = (app: TestApp, body: Json) =>
        app.http.post('/api/articles').set('Authorization', app.auth('reporter')).set('Idempotency-Key', key).send(body);
      const first = await send(t, { ...parseSeedArticle() }).expect(201);
      const again = await send(t, { ...parseSeedArticle() }).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.etag).toBe(first.headers.etag);

      const id = first.body.articleId as string;
      const editKey = `edit-${randomUUID()}`;
      const edit = () =>
        t.http.put(`/api/articles/${id}/headline`).set('Authorization', t.auth('reporter')).set('If-Match', '"0"').set('Idempotency-Key', editKey);
      const edited = await edit().send({ headline: 'Edited once' }).expect(200);
      expect((await edit().send({ headline: 'Edited once' }).expect(200)).body).toEqual(edited.body);
      const reused = await edit().send({ headline: 'Something else' }).expect(422);
      expect(reused.body).toMatchObject({ status: 422 });
      expect(await stream(id)).toHaveLength(2);

      const dataDir = t.dataDir;
      await t.close({ keepData: true });
      t = await startTestApp({ dataDir, removeDataDirOnClose: true });
      expect((await send(t, { ...parseSeedArticle() }).expect(201)).body).toEqual(first.body);
      expect((await edit().send({ headline: 'Edited once' }).expect(200)).body).toEqual(edited.body);
      await send(t, { ...parseSeedArticle(), headline: 'Different' }).expect(422);
      expect(await stream(id)).toHaveLength(2);
    });
  });
});
