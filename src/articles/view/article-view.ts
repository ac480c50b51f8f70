/**
 * The one article view: what GET /api/articles/{id} shows, and what the audit shows at any
 * revision. One pure fold, `evolveArticleView(view | null, event) → view` (emmett's single-stream
 * projection shape), serves the articles projection and the audit's revisions and diffs, so the
 * article at its last revision is, by construction, the read model.
 */
import { unhandledEvent, type BodyBlock, type CorrectionKind, type FieldChange, type QuoteSource, type Speaker } from '../domain/article.events';
import type { Actor, StoredArticleEvent } from '../stored-article-event';

export type ArticleStatus = 'draft' | 'published' | 'retracted';

export interface ArticleView {
  id: string;
  /** The stream revision this view reflects (a number, first event = 0); also its ETag. */
  revision: number;
  status: ArticleStatus;
  headline: string;
  standfirst: string | null;
  body: BodyBlock[];
  byline: string[];
  /** Quotes in force (withdrawn ones are left out), in attribution order. */
  quotes: QuoteView[];
  /** Corrections, clarifications and editor's notes, oldest first. */
  corrections: CorrectionView[];
  /** When it was drafted (ISO-8601). */
  createdAt: string;
  /** occurredAt of the event at `revision`. */
  updatedAt: string;
  firstPublishedAt: string | null;
  /** When the current publication began; null while the article is not published (a draft, or retracted). */
  publishedAt: string | null;
  retraction: { note: string; retractedAt: string } | null;
}

export interface QuoteView {
  quoteId: string;
  speaker: Speaker;
  text: string;
  source: QuoteSource | null;
  attributedAt: string;
  updatedAt: string;
}

export interface CorrectionView {
  correctionId: string;
  kind: CorrectionKind;
  note: string;
  issuedAt: string;
  actor: Actor;
  /** The stream revision of its CorrectionIssued event. */
  revision: number;
  changes: FieldChange[];
}

/** An item of GET /api/articles: the article without its heavy parts. */
export type ArticleSummary = Omit<ArticleView, 'body' | 'quotes' | 'corrections'> & {
  quoteCount: number;
  correctionCount: number;
};

/** The log holds an event for an article it never drafted, or a second draft: it is broken, and nothing is guessed. */
export class BrokenStreamError extends Error {
  constructor(e: StoredArticleEvent, why: string) {
    super(`${e.event.type} at position ${e.position} (revision ${e.revision} of article ${e.articleId}): ${why}`);
    this.name = 'BrokenStreamError';
  }
}

/**
 * The view after `e`: a new one from ArticleDrafted, otherwise `view` with the event applied.
 * Pure: never mutates `view`. Throws BrokenStreamError for an event before the article's
 * ArticleDrafted, or a second ArticleDrafted.
 */
export function evolveArticleView(view: ArticleView | null, e: StoredArticleEvent): ArticleView {
  const { event } = e;
  if (event.type === 'ArticleDrafted') {
    if (view) throw new BrokenStreamError(e, 'the article was drafted already');
    const { headline, standfirst, body, byline, draftedAt } = event.data;
    return {
      id: e.articleId,
      revision: e.revision,
      status: 'draft',
      headline,
      standfirst,
      body,
      byline,
      quotes: [],
      corrections: [],
      createdAt: draftedAt,
      updatedAt: e.occurredAt,
      firstPublishedAt: null,
      publishedAt: null,
      retraction: null,
    };
  }
  if (!view) throw new BrokenStreamError(e, 'the article was never drafted');
  const a: ArticleView = { ...view, revision: e.revision, updatedAt: e.occurredAt };
  switch (event.type) {
    case 'HeadlineRevised':
      return { ...a, headline: event.data.headline };
    case 'StandfirstRevised':
      return { ...a, standfirst: event.data.standfirst };
    case 'BodyRevised':
      return { ...a, body: event.data.body };
    case 'QuoteAttributed': {
      const { quoteId, speaker, text, source, attributedAt } = event.data;
      return { ...a, quotes: [...a.quotes, { quoteId, speaker, text, source, attributedAt, updatedAt: e.occurredAt }] };
    }
    case 'QuoteAmended': {
      const { quoteId, speaker, text, source } = event.data;
      return { ...a, quotes: a.quotes.map((q) => (q.quoteId === quoteId ? { ...q, speaker, text, source, updatedAt: e.occurredAt } : q)) };
    }
    case 'QuoteWithdrawn':
      return { ...a, quotes: a.quotes.filter((q) => q.quoteId !== event.data.quoteId) };
    case 'ArticlePublished': {
      const at = event.data.publishedAt;
      return { ...a, status: 'published', publishedAt: at, firstPublishedAt: a.firstPublishedAt ?? at };
    }
    case 'ArticleUnpublished':
      return { ...a, status: 'draft', publishedAt: null };
    case 'CorrectionIssued': {
      const { correctionId, kind, note, issuedAt, changes } = event.data;
      return { ...a, corrections: [...a.corrections, { correctionId, kind, note, issuedAt, actor: e.actor, revision: e.revision, changes }] };
    }
    case 'ArticleRetracted': {
      const { note, retractedAt } = event.data;
      return { ...a, status: 'retracted', publishedAt: null, retraction: { note, retractedAt } };
    }
    default:
      return unhandledEvent(event);
  }
}

/** The view without its heavy parts, for lists. */
export function summariseArticle(a: ArticleView): ArticleSummary {
  const { body: _body, quotes, corrections, ...rest } = a;
  return { ...rest, quoteCount: quotes.length, correctionCount: corrections.length };
}
