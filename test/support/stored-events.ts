import type { ArticleEvent } from '../../src/articles/domain/article.events';
import type { StoredArticleEvent } from '../../src/articles/stored-article-event';

/**
 * A StoredArticleEvent for specs, as readArticleEvent would give it: `event` at `revision` of
 * `articleId`, with every other field defaulted and `more` on top.
 */
export function storedEvent(event: ArticleEvent, more: Partial<StoredArticleEvent> = {}): StoredArticleEvent {
  const revision = more.revision ?? 0;
  return {
    articleId: '6f1c2d3e-0000-4000-8000-000000000001',
    eventId: `event-${revision}`,
    revision,
    position: String(100 + revision),
    schemaVersion: 1,
    occurredAt: '2025-03-02T10:00:00.000Z',
    actor: { id: 'u-editor', name: 'Eddie Editor' },
    reason: null,
    correlationId: null,
    causationId: `cause-${revision}`,
    traceparent: null,
    idempotencyKey: null,
    chainHash: null,
    event,
    ...more,
  };
}
