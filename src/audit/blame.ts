import type { BlockId, BodyBlock } from '../articles/domain/article.events';
import { sameContent } from '../articles/domain/body-blocks';
import type { Actor, StoredArticleEvent } from '../articles/stored-article-event';

/** The change that last touched a part of the article. */
export interface Attribution {
  revision: number;
  at: string;
  actor: Actor;
  reason: string | null;
  /** The event that made the change, e.g. "BodyRevised". */
  type: string;
  correlationId: string | null;
  /** Set when the change was part of a correction (same append as its CorrectionIssued). */
  correctionId: string | null;
}

/** GET /api/articles/{id}/blame. */
export interface ArticleBlame {
  articleId: string;
  revision: number;
  headline: { text: string; lastChange: Attribution };
  standfirst: { text: string | null; lastChange: Attribution };
  body: Array<{ block: BodyBlock; lastChange: Attribution }>;
}

/**
 * Follows a stream once and remembers, for the headline, the standfirst and each block id, the
 * event that last changed its content. A block that only moved, or a revision that left it as it
 * was, does not take the blame. Work per event is bounded by the body's size, not the history's.
 */
export class BlameTracker {
  private headline: Attribution | null = null;
  private standfirst: Attribution | null = null;
  private blocks = new Map<BlockId, Attribution>();
  private state = { headline: '', standfirst: null as string | null, body: [] as BodyBlock[] };
  private last: StoredArticleEvent | null = null;
  private current: Attribution | null = null;
  /** The changes of the current append; a CorrectionIssued closing it names them. */
  private append: { causationId: string | null; changes: Attribution[] } = { causationId: null, changes: [] };

  apply(entry: StoredArticleEvent): void {
    this.last = entry;
    if (entry.causationId === null || entry.causationId !== this.append.causationId) {
      this.append = { causationId: entry.causationId, changes: [] };
    }
    const { event } = entry;
    switch (event.type) {
      case 'ArticleDrafted': {
        const by = this.attribution(entry);
        this.headline = by;
        this.standfirst = by;
        this.blocks = new Map(event.data.body.map((block) => [block.id, by]));
        this.state = { headline: event.data.headline, standfirst: event.data.standfirst, body: event.data.body };
        break;
      }
      case 'HeadlineRevised':
        if (event.data.headline !== this.state.headline) this.headline = this.attribution(entry);
        this.state.headline = event.data.headline;
        break;
      case 'StandfirstRevised':
        if (event.data.standfirst !== this.state.standfirst) this.standfirst = this.attribution(entry);
        this.state.standfirst = event.data.standfirst;
        break;
      case 'BodyRevised':
        this.reviseBody(event.data.body, entry);
        break;
      case 'CorrectionIssued':
        for (const change of this.append.changes) change.correctionId = event.data.correctionId;
        break;
    }
  }

  result(articleId: string): ArticleBlame | null {
    const { headline, standfirst, last } = this;
    if (!headline || !standfirst || !last) return null;
    return {
      articleId,
      revision: last.revision,
      headline: { text: this.state.headline, lastChange: headline },
      standfirst: { text: this.state.standfirst, lastChange: standfirst },
      body: this.state.body.map((block) => ({ block, lastChange: this.blocks.get(block.id)! })),
    };
  }

  private reviseBody(body: BodyBlock[], entry: StoredArticleEvent): void {
    const previous = new Map(this.state.body.map((block) => [block.id, block]));
    const blocks = new Map<BlockId, Attribution>();
    for (const block of body) {
      const old = previous.get(block.id);
      const kept = old && sameContent(old, block) ? this.blocks.get(block.id) : undefined;
      blocks.set(block.id, kept ?? this.attribution(entry));
    }
    this.blocks = blocks;
    this.state.body = body;
  }

  /** One attribution per event, shared by everything it changed. */
  private attribution(entry: StoredArticleEvent): Attribution {
    if (this.current?.revision === entry.revision) return this.current;
    const { revision, occurredAt, actor, reason, correlationId } = entry;
    this.current = { revision, at: occurredAt, actor, reason, type: entry.event.type, correlationId, correctionId: null };
    this.append.changes.push(this.current);
    return this.current;
  }
}
