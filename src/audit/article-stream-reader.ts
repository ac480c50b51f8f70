import { Inject, Injectable } from '@nestjs/common';
import { articleStreamId } from '../articles/domain/article.events';
import { NotFoundError } from '../common/app-error';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { streamPages } from '../event-store/stream-pages';
import { readArticleEvent, type StoredArticleEvent } from '../articles/stored-article-event';

/** Reads article streams for the audit endpoints, straight from the event store. */
@Injectable()
export class ArticleStreamReader {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Up to `maxCount` events from `fromRevision` (numbers), read a page at a time (streamPages),
   * so that a page of maximum-size events does not hold the event loop for all of them at once.
   */
  async page(articleId: string, fromRevision: number, maxCount: number): Promise<StoredArticleEvent[]> {
    const events: StoredArticleEvent[] = [];
    const to = BigInt(fromRevision) + BigInt(maxCount) - 1n;
    for await (const page of streamPages(this.store, articleStreamId(articleId), BigInt(fromRevision), to)) {
      for (const event of page) events.push(readArticleEvent(event));
    }
    return events;
  }

  /** The article's last revision; 404 when it has no stream. */
  async lastRevision(articleId: string): Promise<number> {
    const revision = await this.store.streamRevision(articleStreamId(articleId));
    if (revision === null) throw new NotFoundError(`Article ${articleId} not found`);
    return Number(revision);
  }

  /** 404 unless every revision named exists (the article too). */
  async requireRevisions(articleId: string, ...revisions: number[]): Promise<number> {
    const last = await this.lastRevision(articleId);
    const beyond = revisions.find((revision) => revision > last);
    if (beyond !== undefined) {
      throw new NotFoundError(`Article ${articleId} has no revision ${beyond}; its last revision is ${last}`);
    }
    return last;
  }

  /** Events 0..toRevision, oldest first, read a page at a time so the stream is read once. */
  async *upTo(articleId: string, toRevision: number): AsyncGenerator<StoredArticleEvent> {
    for await (const page of streamPages(this.store, articleStreamId(articleId), 0n, BigInt(toRevision))) {
      yield* page.map(readArticleEvent);
    }
  }
}
