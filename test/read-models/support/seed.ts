import { randomUUID } from 'node:crypto';
import { ARTICLE_EVENT_SCHEMA_VERSIONS, ArticleEvent, articleStreamId } from '../../../src/articles/domain/article.events';
import { AppendResult, EventStore, EventToAppend } from '../../../src/event-store/event-store.port';
import { StoryWriter } from './story-writer';

type Actor = { id: string; name: string };

/** The events of one append, with the metadata the command side writes. */
export function toAppend(events: readonly ArticleEvent[], actor: Actor, occurredAt = new Date().toISOString()): EventToAppend[] {
  const correlationId = randomUUID();
  return events.map((event) => ({
    id: randomUUID(),
    type: event.type,
    data: event.data as unknown as EventToAppend['data'],
    metadata: {
      $correlationId: correlationId,
      $causationId: correlationId,
      actor,
      reason: null,
      occurredAt,
      schemaVersion: ARTICLE_EVENT_SCHEMA_VERSIONS[event.type],
    },
  }));
}

/** Appends straight to the store, as one append (a correction's events belong together). */
export function appendArticle(store: EventStore, articleId: string, actor: Actor, ...events: ArticleEvent[]): Promise<AppendResult> {
  return store.appendToStream(articleStreamId(articleId), toAppend(events, actor), 'any');
}

/**
 * Appends a realistic log of at least `count` events (see StoryWriter), many appends per
 * commit so that seeding 100k events takes seconds. Returns the last append's result.
 */
export async function seedStories(store: EventStore, count: number, seed = 1): Promise<AppendResult> {
  const writer = new StoryWriter(seed);
  let written = 0;
  let last: AppendResult | null = null;
  while (written < count) {
    const appends = [];
    for (let i = 0; i < 500 && written < count; i++) {
      const { articleId, actor, events, occurredAt } = writer.next();
      written += events.length;
      appends.push(store.appendToStream(articleStreamId(articleId), toAppend(events, actor, occurredAt), 'any'));
    }
    const results = await Promise.all(appends);
    last = results[results.length - 1];
  }
  return last!;
}
