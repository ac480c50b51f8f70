import fc from 'fast-check';
import { startTestApp, TestApp, TestRole } from '../support/test-app';

/**
 * Issue #12's property: the read model and the audit are one fold. For random sequences of
 * commands sent over HTTP (any of them may be refused, as a client's would be), the article read
 * model equals GET /revisions/{last}, and /revisions/{n} equals the read model as it stood right
 * after the command that ended at revision n.
 */
describe('one article view (property)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  type Step =
    | { kind: 'headline'; text: string }
    | { kind: 'standfirst'; text: string }
    | { kind: 'body'; texts: string[] }
    | { kind: 'quote'; speaker: string; text: string; withSource: boolean }
    | { kind: 'amend'; pick: number; text: string }
    | { kind: 'withdraw'; pick: number }
    | { kind: 'publish' }
    | { kind: 'unpublish' }
    | { kind: 'correction'; text: string; pickQuote: number | null }
    | { kind: 'retract' };

  // Non-Latin text too, and words the view must keep exactly as sent.
  const words = fc.constantFrom('Merz', 'Friedrich', 'Зеленський', 'الميزانية', '予算', 'café', 'naïve', 'Ωμέγα', '👩🏽‍⚕️', 'budget');
  const text = fc.array(words, { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
  const step: fc.Arbitrary<Step> = fc.oneof(
    text.map((t) => ({ kind: 'headline' as const, text: t })),
    text.map((t) => ({ kind: 'standfirst' as const, text: t })),
    fc.array(text, { minLength: 1, maxLength: 3 }).map((texts) => ({ kind: 'body' as const, texts })),
    fc.record({ speaker: words, text, withSource: fc.boolean() }).map((q) => ({ kind: 'quote' as const, ...q })),
    fc.record({ pick: fc.nat(), text }).map((a) => ({ kind: 'amend' as const, ...a })),
    fc.nat().map((pick) => ({ kind: 'withdraw' as const, pick })),
    fc.constant({ kind: 'publish' as const }),
    fc.constant({ kind: 'unpublish' as const }),
    fc.record({ text, pickQuote: fc.option(fc.nat(), { nil: null }) }).map((c) => ({ kind: 'correction' as const, ...c })),
    fc.constant({ kind: 'retract' as const }),
  );

  /** The request for a step on the article as it stands (quotes picked among those in force). */
  function requestFor(s: Step, id: string, quoteIds: string[]): { method: 'put' | 'post' | 'delete'; path: string; role: TestRole; body: object } {
    const base = `/api/articles/${id}`;
    const quoteId = (pick: number) => quoteIds[pick % Math.max(quoteIds.length, 1)] ?? '00000000-0000-4000-8000-000000000000';
    switch (s.kind) {
      case 'headline':
        return { method: 'put', path: `${base}/headline`, role: 'editor', body: { headline: s.text } };
      case 'standfirst':
        return { method: 'put', path: `${base}/standfirst`, role: 'editor', body: { standfirst: s.text } };
      case 'body':
        return { method: 'put', path: `${base}/body`, role: 'editor', body: { body: s.texts.map((t) => ({ type: 'paragraph', text: t })) } };
      case 'quote':
        return {
          method: 'post',
          path: `${base}/quotes`,
          role: 'editor',
          body: { speaker: { name: s.speaker }, text: s.text, ...(s.withSource ? { source: { description: 'Interview' } } : {}) },
        };
      case 'amend':
        return { method: 'put', path: `${base}/quotes/${quoteId(s.pick)}`, role: 'editor', body: { speaker: { name: 'Amended' }, text: s.text } };
      case 'withdraw':
        return { method: 'delete', path: `${base}/quotes/${quoteId(s.pick)}`, role: 'editor', body: { reason: 'Withdrawn in a test' } };
      case 'publish':
        return { method: 'post', path: `${base}/publish`, role: 'editor', body: {} };
      case 'unpublish':
        return { method: 'post', path: `${base}/unpublish`, role: 'editor', body: { reason: 'Held back' } };
      case 'correction': {
        const quotes = s.pickQuote !== null && quoteIds.length > 0 ? [{ quoteId: quoteId(s.pickQuote), text: s.text }] : undefined;
        return {
          method: 'post',
          path: `${base}/corrections`,
          role: 'standards',
          body: { kind: 'correction', note: 'His name is Friedrich Merz.', headline: s.text, quotes },
        };
      }
      case 'retract':
        return { method: 'post', path: `${base}/retract`, role: 'standards', body: { note: 'Fabricated.' } };
    }
  }

  const read = async (id: string, position: string) => {
    const res = await t.http.get(`/api/articles/${id}`).query({ minPosition: position }).set('Authorization', t.auth('reporter'));
    expect(res.status).toBe(200);
    return res.body as { revision: number; quotes: Array<{ quoteId: string }> };
  };
  const revision = async (id: string, n: number) => {
    const res = await t.http.get(`/api/articles/${id}/revisions/${n}`).set('Authorization', t.auth('reporter'));
    expect(res.status).toBe(200);
    return res.body;
  };

  it('the read model is /revisions/{last}, and /revisions/{n} the read model after n', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const drafted = await t.http
          .post('/api/articles')
          .set('Authorization', t.auth('reporter'))
          .send({ headline: 'German Chancellor Olaf Merz visits Kyiv', body: [{ type: 'paragraph', text: 'Olaf Merz arrived.' }], byline: ['Rita Reporter'] });
        expect(drafted.status).toBe(201);
        const id: string = drafted.body.articleId;
        const seen = new Map<number, unknown>([[0, await read(id, drafted.body.position)]]);
        let current = seen.get(0) as { revision: number; quotes: Array<{ quoteId: string }> };

        for (const s of steps) {
          const { method, path, role, body } = requestFor(
            s,
            id,
            current.quotes.map((q) => q.quoteId),
          );
          const res = await t.http[method](path).set('Authorization', t.auth(role)).set('If-Match', `"${current.revision}"`).send(body);
          // A refusal is part of the game (publishing a retracted article, say), never a 5xx.
          expect(res.status).toBeLessThan(500);
          if (res.status >= 300) continue;
          current = await read(id, res.body.position);
          seen.set(current.revision, current);
        }

        expect(await revision(id, current.revision)).toEqual(current);
        for (const [n, view] of seen) expect(await revision(id, n)).toEqual(view);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
