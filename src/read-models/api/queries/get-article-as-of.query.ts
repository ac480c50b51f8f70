import { Inject, Injectable } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { articleStreamId } from '../../../articles/domain/article.events';
import { readArticleEvent } from '../../../articles/stored-article-event';
import { evolveArticleView, type ArticleView } from '../../../articles/view/article-view';
import { NotFoundError } from '../../../common/app-error';
import { EVENT_STORE, EventStore } from '../../../event-store/event-store.port';
import { streamPages } from '../../../event-store/stream-pages';
import { sortableTime } from '../../../projection-kit/sortable-time';
import { instantOf } from '../as-of';

/**
 * GET /api/articles/{id}?asOf=: the one article view at the last revision at or before the
 * instant, and what a reader saw then: `visible` (published at that instant) and, for an article
 * retracted by then, its notice (`retraction`, as in every view).
 */
export type ArticleAsOf = ArticleView & {
  /** The instant read, as ISO-8601 UTC with milliseconds. */
  asOf: string;
  /** Whether readers could see the article at that instant: its status then was "published". */
  visible: boolean;
};

export class GetArticleAsOfQuery extends Query<ArticleAsOf> {
  constructor(
    /** The article's id (a UUID). */
    readonly id: string,
    /** The `asOf` query parameter, checked against the AsOf schema (RFC 3339 date-time). */
    readonly asOf: string,
  ) {
    super();
  }
}

/**
 * Folds the article's own stream, oldest first, with evolveArticleView (the fold of the read model
 * and the audit), up to the last event whose occurredAt is at or before the instant, and reads no
 * further (no other stream, no read model). Throws NotFoundError (404) when the article has no
 * event by then (it did not exist yet, or never), InvalidInputError (400) for an instant that is no
 * time, UnreadableEventError for an event this code cannot read.
 */
@Injectable()
@QueryHandler(GetArticleAsOfQuery)
export class GetArticleAsOfHandler implements IQueryHandler<GetArticleAsOfQuery, ArticleAsOf> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ id, asOf }: GetArticleAsOfQuery): Promise<ArticleAsOf> {
    const instant = instantOf(asOf);
    let view: ArticleView | null = null;
    read: for await (const page of streamPages(this.store, articleStreamId(id), 0n)) {
      for (const recorded of page) {
        const event = readArticleEvent(recorded);
        if (sortableTime(event.occurredAt) > instant) break read;
        view = evolveArticleView(view, event);
      }
    }
    if (!view) throw new NotFoundError(`There is no article ${id} as of ${instant}`);
    return { ...view, asOf: instant, visible: view.status === 'published' };
  }
}
