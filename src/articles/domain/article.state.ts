import type { BodyBlock, QuoteSource, Speaker } from './article.events';

export type ArticleStatus = 'draft' | 'published' | 'retracted';

export interface QuoteState {
  quoteId: string;
  speaker: Speaker;
  text: string;
  source: QuoteSource | null;
  attributedAt: string;
  withdrawn: boolean;
  /** Was live on the site at some point; from then on its text and speaker change only by correction. */
  publishedOnce: boolean;
}

/** What the decider knows about one article: only what its events say. */
export interface ArticleState {
  exists: boolean;
  articleId: string | null;
  status: ArticleStatus;
  headline: string;
  standfirst: string | null;
  body: BodyBlock[];
  byline: string[];
  /** In attribution order, withdrawn ones included. */
  quotes: QuoteState[];
  /** Correction ids, oldest first. */
  corrections: string[];
  createdAt: string | null;
  /**
   * The latest time carried in event data. Revisions carry no time, so this lags behind them;
   * read models take updatedAt from the events' `occurredAt` metadata instead.
   */
  updatedAt: string | null;
  firstPublishedAt: string | null;
  /** When the live version went up; null while it is not published. */
  publishedAt: string | null;
  retractedAt: string | null;
}

export const initialState: ArticleState = {
  exists: false,
  articleId: null,
  status: 'draft',
  headline: '',
  standfirst: null,
  body: [],
  byline: [],
  quotes: [],
  corrections: [],
  createdAt: null,
  updatedAt: null,
  firstPublishedAt: null,
  publishedAt: null,
  retractedAt: null,
};

/** A quote that may still be amended or withdrawn. */
export function activeQuote(state: ArticleState, quoteId: string): QuoteState | undefined {
  return state.quotes.find((quote) => quote.quoteId === quoteId && !quote.withdrawn);
}
