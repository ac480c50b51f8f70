import { randomUUID } from 'node:crypto';
import { ArticleCommand } from '../../src/articles/domain/article.commands';
import { decide, evolve } from '../../src/articles/domain/article.decider';
import { ARTICLE_EVENT_SCHEMA_VERSIONS, articleStreamId } from '../../src/articles/domain/article.events';
import { ArticleState, initialState } from '../../src/articles/domain/article.state';
import { EventStore, EventToAppend, JsonValue } from '../../src/event-store/event-store.port';

const actor = { id: 'bench', name: 'Bench Editor', roles: ['reporter', 'editor', 'standards'] as ('reporter' | 'editor' | 'standards')[] };
const SPEAKERS = ['Volodymyr Zelenskyy', 'Emmanuel Macron', 'Donald Trump', 'Friedrich Merz', 'Keir Starmer', 'Donald Tusk'];
const WORDS = 'ceasefire talks allies sanctions pressure Istanbul delegation Kremlin support peace unified response negotiations'.split(' ');

/** A small deterministic random source, so that every run generates the same log. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * Writes a realistic log of about `total` events over `articles` articles through the article
 * decider (so every event sequence is one the product could have written): drafts, many body
 * revisions, headline and standfirst edits, quotes, publishes, corrections. Articles advance
 * round-robin, so the global log interleaves them as a busy newsroom would.
 */
export async function generateLog(store: EventStore, total: number, articles: number, onProgress?: (done: number) => void): Promise<number> {
  const rand = random(42);
  const sentence = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const paragraphs = () => Array.from({ length: 3 + Math.floor(rand() * 4) }, () => ({ type: 'paragraph' as const, text: sentence(20) }));
  const states: Array<{ id: string; state: ArticleState; revision: bigint }> = Array.from({ length: articles }, () => ({
    id: randomUUID(),
    state: initialState,
    revision: -1n,
  }));
  let written = 0;
  let tick = 0;

  const next = (a: ArticleState): ArticleCommand => {
    const roll = rand();
    if (a.status === 'published' && roll < 0.02) {
      return { type: 'IssueCorrection', data: { kind: 'correction', note: 'Fixed a name', body: paragraphs() } };
    }
    if (a.status === 'draft' && roll < 0.03) return { type: 'PublishArticle', data: {} };
    if (roll < 0.1 && a.quotes.length < 8) {
      const name = SPEAKERS[Math.floor(rand() * SPEAKERS.length)];
      return { type: 'AttributeQuote', data: { speaker: { name }, text: sentence(15), source: { description: 'Statement' } } };
    }
    if (roll < 0.13 && a.quotes.length > 0) {
      const quote = a.quotes[0];
      return { type: 'AmendQuote', data: { quoteId: quote.quoteId, source: { description: `Statement ${tick}` } } };
    }
    if (roll < 0.2) return { type: 'ReviseHeadline', data: { headline: `${sentence(6)} ${tick}` } };
    if (roll < 0.25) return { type: 'ReviseStandfirst', data: { standfirst: `${sentence(12)} ${tick}` } };
    return {
      type: 'ReviseBody',
      data: { body: a.body.map((b, i) => (i === Math.floor(rand() * a.body.length) && b.type !== 'list' ? { ...b, text: `${sentence(20)} ${tick}` } : b)) },
    };
  };

  while (written < total) {
    const pending: Promise<unknown>[] = [];
    for (const article of states) {
      if (written >= total) break;
      tick++;
      const now = new Date(Date.UTC(2026, 0, 1) + tick * 1000).toISOString();
      const command: ArticleCommand =
        article.revision < 0n
          ? {
              type: 'DraftArticle',
              data: { articleId: article.id, headline: `Article ${article.id.slice(0, 8)}`, body: paragraphs(), byline: ['Bench Editor'] },
            }
          : next(article.state);
      const reason = article.state.status === 'published' ? 'Update' : null;
      const events = decide(command, article.state, { actor, now, newId: randomUUID, reason });
      if (events.length === 0) continue;
      const correlationId = randomUUID();
      const toAppend: EventToAppend[] = events.map((event) => ({
        id: randomUUID(),
        type: event.type,
        data: event.data as unknown as JsonValue,
        metadata: {
          $correlationId: correlationId,
          $causationId: correlationId,
          actor: { id: actor.id, name: actor.name },
          reason,
          occurredAt: now,
          schemaVersion: ARTICLE_EVENT_SCHEMA_VERSIONS[event.type],
        },
      }));
      pending.push(store.appendToStream(articleStreamId(article.id), toAppend, article.revision < 0n ? 'no_stream' : article.revision));
      article.state = events.reduce(evolve, article.state);
      article.revision += BigInt(events.length);
      written += events.length;
    }
    await Promise.all(pending);
    onProgress?.(written);
  }
  return written;
}
