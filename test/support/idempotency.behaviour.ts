import { randomUUID } from 'node:crypto';
import { articleStreamId } from '../../src/articles/domain/article.events';
import type { TestApp, TestRole } from './test-app';

type Json = Record<string, unknown>;

/**
 * What API.md promises of Idempotency-Key, whatever the store: a key names one request of one
 * user; the same key with the same request returns the first response (same ids, revision and
 * position) and appends nothing, whatever the If-Match, however many copies race, across
 * restarts; with a different request, on any article and any command, it is 422.
 *
 * `servers()` gives the app instances copies are spread over (one, or two on one store);
 * `restart()` replaces them with new instances on the same store.
 */
export function idempotencyBehaviour(servers: () => TestApp[], restart: () => Promise<void>): void {
  const first = () => servers()[0];
  const on = (i: number) => servers()[i % servers().length];
  const command = (app: TestApp, method: 'post' | 'put' | 'delete', path: string, role: TestRole, body: Json, ifMatch?: string, key?: string) => {
    let req = app.http[method](path).set('Authorization', app.auth(role)).send(body);
    if (ifMatch !== undefined) req = req.set('If-Match', ifMatch);
    return key === undefined ? req : req.set('Idempotency-Key', key);
  };
  const stream = (id: string) => first().eventStore.readStream(articleStreamId(id));
  const draft = async () =>
    (await command(first(), 'post', '/api/articles', 'reporter', { headline: 'Talks', body: [{ type: 'paragraph', text: 'x' }] }).expect(201)).body
      .articleId as string;
  const quote = { speaker: { name: 'Volodymyr Zelenskyy' }, text: 'We discussed the meeting in Istanbul.' };

  it.each([8, 16, 32])('%i copies of one keyed request at once: one quote, one answer, and the quote can be withdrawn', async (copies) => {
    for (let round = 0; round < 3; round++) {
      const id = await draft();
      const key = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: copies }, (_, i) => command(on(i), 'post', `/api/articles/${id}/quotes`, 'reporter', quote, '"0"', key)),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
      const bodies = new Set(answers.map((a) => JSON.stringify(a.body)));
      expect(bodies.size).toBe(1);
      const { quoteId, revision, position } = answers[0].body;
      expect(revision).toBe(1);
      expect(await stream(id)).toHaveLength(2);
      // What was answered is what was stored: the quote withdraws, on every server.
      await command(on(round), 'delete', `/api/articles/${id}/quotes/${quoteId}`, 'reporter', {}, '"1"').expect(200);
      const events = await stream(id);
      expect(events.map((e) => e.type)).toEqual(['ArticleDrafted', 'QuoteAttributed', 'QuoteWithdrawn']);
      expect(events[1].data).toMatchObject({ quoteId });
      expect(events[1].position.commit.toString()).toBe(position);
    }
    const health = (await first().http.get('/health').expect(200)).body;
    expect(health.status).toBe('ok');
  });

  it('a resend after a lost response, with the new ETag in If-Match, returns the first response and appends nothing', async () => {
    const id = await draft();
    const key = randomUUID();
    const original = await command(first(), 'post', `/api/articles/${id}/quotes`, 'reporter', quote, '"0"', key).expect(201);
    const resent = await command(on(1), 'post', `/api/articles/${id}/quotes`, 'reporter', quote, `"${original.body.revision}"`, key).expect(201);
    expect(resent.body).toEqual(original.body);
    expect(resent.headers.etag).toBe(original.headers.etag);
    const stale = await command(first(), 'post', `/api/articles/${id}/quotes`, 'reporter', quote, '"0"', key).expect(201);
    expect(stale.body).toEqual(original.body);
    const events = await stream(id);
    expect(events).toHaveLength(2);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });

  it('a resend naming the article in capitals or with a trailing slash is the same request: the first response, nothing appended', async () => {
    const id = await draft();
    const key = randomUUID();
    const original = await command(first(), 'put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Talks resume' }, '"0"', key).expect(200);
    for (const path of [`/api/articles/${id.toUpperCase()}/headline`, `/api/articles/${id}/headline/`]) {
      const resent = await command(on(1), 'put', path, 'reporter', { headline: 'Talks resume' }, '"0"', key).expect(200);
      expect(resent.body).toEqual(original.body);
    }
    expect(await stream(id)).toHaveLength(2);
  });

  it('the same key with a different request is 422 on any article and any command, and appends nothing', async () => {
    const id = await draft();
    const other = await draft();
    const key = randomUUID();
    await command(first(), 'post', `/api/articles/${id}/quotes`, 'reporter', quote, '"0"', key).expect(201);
    const head = await first().eventStore.headPosition();
    const reused = [
      command(first(), 'post', `/api/articles/${id}/quotes`, 'reporter', { ...quote, text: 'Something else.' }, '"1"', key),
      command(on(1), 'post', `/api/articles/${other}/quotes`, 'reporter', quote, '"0"', key),
      command(first(), 'put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Other' }, '"1"', key),
      command(on(1), 'post', '/api/articles', 'reporter', { headline: 'New', body: [{ type: 'paragraph', text: 'y' }] }, undefined, key),
    ];
    for (const res of await Promise.all(reused)) {
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect(await first().eventStore.headPosition()).toEqual(head);
  });

  it('keyed drafts and corrections derive every id from the key: copies make one article and one correction', async () => {
    const key = randomUUID();
    const body = { headline: 'Istanbul', body: [{ type: 'paragraph', text: 'Olaf Merz spoke.' }] };
    const drafts = await Promise.all(Array.from({ length: 8 }, (_, i) => command(on(i), 'post', '/api/articles', 'reporter', body, undefined, key)));
    expect(new Set(drafts.map((d) => `${d.status} ${JSON.stringify(d.body)} ${d.headers.location}`)).size).toBe(1);
    const id = drafts[0].body.articleId as string;
    await command(first(), 'post', `/api/articles/${id}/publish`, 'editor', {}, '"0"').expect(200);
    const blockId = ((await stream(id))[0].data as { body: Array<{ id: string }> }).body[0].id;
    const correction = { kind: 'correction', note: 'He is Friedrich Merz.', body: [{ id: blockId, type: 'paragraph', text: 'Friedrich Merz spoke.' }] };
    const correctionKey = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => command(on(i), 'post', `/api/articles/${id}/corrections`, 'standards', correction, '"1"', correctionKey)),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect((await stream(id)).map((e) => e.type)).toEqual(['ArticleDrafted', 'ArticlePublished', 'BodyRevised', 'CorrectionIssued']);
  });

  it('a keyed request that changed nothing answers the same after the article moved on, and appends nothing', async () => {
    const id = await draft();
    const key = randomUUID();
    const unchanged = await command(first(), 'put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Talks' }, '"0"', key).expect(200);
    expect(unchanged.body.revision).toBe(0);
    await command(on(1), 'put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Talks in Istanbul' }, '"0"').expect(200);
    for (const ifMatch of ['"0"', '"1"']) {
      const again = await command(on(1), 'put', `/api/articles/${id}/headline`, 'reporter', { headline: 'Talks' }, ifMatch, key).expect(200);
      expect(again.body).toEqual(unchanged.body);
    }
    expect((await stream(id)).map((e) => e.type)).toEqual(['ArticleDrafted', 'HeadlineRevised']);
  });

  it('a keyed request a rule refused is refused the same way when repeated, even once the rule would allow it', async () => {
    const id = await draft();
    const key = randomUUID();
    const refused = await command(first(), 'post', `/api/articles/${id}/retract`, 'standards', { note: 'Fabricated.' }, '"0"', key).expect(409);
    await command(first(), 'post', `/api/articles/${id}/publish`, 'editor', {}, '"0"').expect(200);
    const again = await command(on(1), 'post', `/api/articles/${id}/retract`, 'standards', { note: 'Fabricated.' }, '"1"', key).expect(409);
    expect(again.body.detail).toBe(refused.body.detail);
    const stale = await command(first(), 'put', `/api/articles/${id}/headline`, 'reporter', { headline: 'X' }, '"0"', `${key}-stale`)
      .set('Authorization', first().auth('editor'))
      .expect(412);
    const staleAgain = await command(on(1), 'put', `/api/articles/${id}/headline`, 'reporter', { headline: 'X' }, '"1"', `${key}-stale`)
      .set('Authorization', first().auth('editor'))
      .expect(412);
    expect(staleAgain.headers.etag).toBe(stale.headers.etag);
    expect((await stream(id)).map((e) => e.type)).toEqual(['ArticleDrafted', 'ArticlePublished']);
  });

  it('after a restart, a repeat still returns the first response and appends nothing', async () => {
    const id = await draft();
    const key = randomUUID();
    const original = await command(first(), 'post', `/api/articles/${id}/quotes`, 'reporter', quote, '"0"', key).expect(201);
    await restart();
    const copies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => command(on(i), 'post', `/api/articles/${id}/quotes`, 'reporter', quote, i % 2 ? '"1"' : '"0"', key)),
    );
    for (const copy of copies) expect(copy.body).toEqual(original.body);
    expect(await stream(id)).toHaveLength(2);
    await command(first(), 'post', `/api/articles/${id}/quotes`, 'reporter', { ...quote, text: 'Changed.' }, '"1"', key).expect(422);
  });
}
