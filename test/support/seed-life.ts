import { correctMerz, parseSeedArticle, SEED_QUOTES } from './seed-article';
import type { TestApp, TestRole } from './test-app';

type Json = Record<string, unknown>;

/** Where the seed article stands after each step of its life. */
export interface SeedLife {
  articleId: string;
  /** The revision readers saw while it said "Olaf Merz" (its publication). */
  published: number;
  /** The revision of the Merz correction's CorrectionIssued. */
  corrected: number;
  last: { revision: number; position: string };
}

/** Plays the seed article over HTTP: draft, its four quotes, publish, the Merz correction. */
export async function playSeedArticle(t: TestApp): Promise<SeedLife> {
  const command = (method: 'post' | 'put', path: string, role: TestRole, body: Json, revision?: number) => {
    const req = t.http[method](path).set('Authorization', t.auth(role)).send(body);
    return revision === undefined ? req : req.set('If-Match', `"${revision}"`);
  };
  const draft = await command('post', '/api/articles', 'reporter', { ...parseSeedArticle() }).expect(201);
  const articleId = draft.body.articleId as string;
  let last = draft.body as { revision: number; position: string };
  for (const quote of SEED_QUOTES) {
    last = (await command('post', `/api/articles/${articleId}/quotes`, 'reporter', { ...quote }, last.revision).expect(201)).body;
  }
  last = (await command('post', `/api/articles/${articleId}/publish`, 'editor', {}, last.revision).expect(200)).body;
  const published = last.revision;
  const before = (await t.http.get(`/api/articles/${articleId}?minPosition=${last.position}`).set('Authorization', t.auth('reporter')).expect(200)).body as {
    body: Array<{ text?: string }>;
  };
  const body = correctMerz(before.body);
  last = (
    await command(
      'post',
      `/api/articles/${articleId}/corrections`,
      'standards',
      { kind: 'correction', note: 'He is Friedrich Merz.', body },
      last.revision,
    ).expect(201)
  ).body;
  return { articleId, published, corrected: last.revision, last };
}
