import { evolve } from '../articles/domain/article.decider';
import { initialState, type ArticleState, type ArticleStatus } from '../articles/domain/article.state';
import type { ArticleCorrection, ArticleReadModel } from '../../projections/articles.projection';
import type { AuditedEvent } from './audited-event';

/** The article as it stood right after one revision has the article read model's shape. */
export type ArticleAtRevision = ArticleReadModel;

/**
 * Folds a stream once, event by event, with the decider's own evolve (so a rebuilt revision is
 * what the write side saw), adding what the read model shows and the decider does not keep:
 * correction details, quote update times, the time of each revision. Appends only, so a fold
 * of n events costs O(n) no matter how many snapshots are taken along the way.
 */
export class ArticleReplay {
  private state: ArticleState = initialState;
  private last: AuditedEvent | null = null;
  private readonly quoteUpdatedAt = new Map<string, string>();
  private readonly corrections: ArticleCorrection[] = [];
  private retraction: ArticleAtRevision['retraction'] = null;

  get status(): ArticleStatus {
    return this.state.status;
  }

  apply(entry: AuditedEvent): void {
    this.last = entry;
    const { event } = entry;
    if (!event) return;
    this.state = evolve(this.state, event);
    switch (event.type) {
      case 'QuoteAttributed':
      case 'QuoteAmended':
        this.quoteUpdatedAt.set(event.data.quoteId, entry.at);
        break;
      case 'CorrectionIssued': {
        const { correctionId, kind, note, issuedAt, changes } = event.data;
        this.corrections.push({ correctionId, kind, note, issuedAt, actor: entry.actor, revision: entry.revision, changes });
        break;
      }
      case 'ArticleRetracted':
        this.retraction = { note: event.data.note, retractedAt: event.data.retractedAt };
        break;
    }
  }

  /** The article after the last applied event; null before any. */
  view(): ArticleAtRevision | null {
    const { state, last } = this;
    if (!last || !state.exists) return null;
    const quotes = state.quotes
      .filter((q) => !q.withdrawn)
      .map(({ quoteId, speaker, text, source, attributedAt }) => ({
        quoteId,
        speaker,
        text,
        source,
        attributedAt,
        updatedAt: this.quoteUpdatedAt.get(quoteId) ?? attributedAt,
      }));
    return {
      id: state.articleId ?? '',
      revision: last.revision,
      status: state.status,
      headline: state.headline,
      standfirst: state.standfirst,
      body: state.body,
      byline: state.byline,
      quotes,
      corrections: this.corrections.slice(),
      createdAt: state.createdAt ?? last.at,
      updatedAt: last.at,
      firstPublishedAt: state.firstPublishedAt,
      publishedAt: state.publishedAt,
      retraction: this.retraction,
    };
  }
}
