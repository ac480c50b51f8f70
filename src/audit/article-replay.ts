import { evolve } from '../articles/domain/article.decider';
import type { BodyBlock, CorrectionKind, FieldChange, QuoteSource, Speaker } from '../articles/domain/article.events';
import { initialState, type ArticleState, type ArticleStatus } from '../articles/domain/article.state';
import type { Actor, AuditedEvent } from './audited-event';

/** A quote in force at a revision (withdrawn ones are left out), in attribution order. */
export interface QuoteAtRevision {
  quoteId: string;
  speaker: Speaker;
  text: string;
  source: QuoteSource | null;
  attributedAt: string;
  updatedAt: string;
}

export interface CorrectionAtRevision {
  correctionId: string;
  kind: CorrectionKind;
  note: string;
  issuedAt: string;
  actor: Actor;
  revision: number;
  changes: FieldChange[];
}

/** The article as it stood right after one revision: the fields of the article read model. */
export interface ArticleAtRevision {
  id: string;
  revision: number;
  status: ArticleStatus;
  headline: string;
  standfirst: string | null;
  body: BodyBlock[];
  byline: string[];
  quotes: QuoteAtRevision[];
  corrections: CorrectionAtRevision[];
  createdAt: string | null;
  /** The occurredAt of this revision's event. */
  updatedAt: string;
  firstPublishedAt: string | null;
  publishedAt: string | null;
  retraction: { note: string; retractedAt: string } | null;
}

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
  private readonly corrections: CorrectionAtRevision[] = [];
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
      createdAt: state.createdAt,
      updatedAt: last.at,
      firstPublishedAt: state.firstPublishedAt,
      publishedAt: state.publishedAt,
      retraction: this.retraction,
    };
  }
}
