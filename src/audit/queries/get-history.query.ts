import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Actor, StoredArticleEvent } from '../../articles/stored-article-event';
import { traceIdOf } from '../../http/trace-context';
import { ArticleStreamReader } from '../article-stream-reader';
import { summarise } from '../history-summary';

/** One line of the history (API.md "Reads"): who changed what, when and why, without the payload. */
export interface HistoryEntry {
  revision: number;
  /** The event's log position, decimal text. */
  position: string;
  type: string;
  /** The schema version it was stored with. */
  schemaVersion: number;
  /** When it happened (ISO-8601): metadata.occurredAt. */
  at: string;
  actor: Actor;
  reason: string | null;
  correlationId: string | null;
  causationId: string | null;
  /** The W3C trace id (32 hex digits) of the request that wrote it, from metadata.traceparent; null for none. */
  traceId: string | null;
  summary: string;
}

export interface HistoryPage {
  items: HistoryEntry[];
  /** The revision the next page starts at; null on the last page. */
  nextCursor: string | null;
}

export class GetHistoryQuery extends Query<HistoryPage> {
  constructor(
    readonly articleId: string,
    readonly limit: number,
    readonly fromRevision: number,
  ) {
    super();
  }
}

/** One page of the stream, oldest first; one more event than asked tells whether a next page exists. */
@QueryHandler(GetHistoryQuery)
export class GetHistoryHandler implements IQueryHandler<GetHistoryQuery, HistoryPage> {
  constructor(private readonly reader: ArticleStreamReader) {}

  async execute({ articleId, limit, fromRevision }: GetHistoryQuery): Promise<HistoryPage> {
    const page = await this.reader.page(articleId, fromRevision, limit + 1);
    // An empty page is either past the end of a history or no article at all.
    if (page.length === 0) await this.reader.lastRevision(articleId);
    return {
      items: page.slice(0, limit).map(toHistoryEntry),
      nextCursor: page.length > limit ? String(page[limit].revision) : null,
    };
  }
}

function toHistoryEntry(e: StoredArticleEvent): HistoryEntry {
  const { revision, position, schemaVersion, occurredAt: at, actor, reason, correlationId, causationId } = e;
  const traceId = traceIdOf(e.traceparent);
  return { revision, position, type: e.event.type, schemaVersion, at, actor, reason, correlationId, causationId, traceId, summary: summarise(e) };
}
