import type { BodyBlock, QuoteSource, Speaker } from './article.events';

export type ArticleStatus = 'draft' | 'published' | 'retracted';

/** A quote in force (withdrawn ones are dropped): what a decision about it needs. */
export interface QuoteState {
  quoteId: string;
  speaker: Speaker;
  text: string;
  source: QuoteSource | null;
  /** Was live on the site at some point; from then on its text and speaker change only by correction. */
  publishedOnce: boolean;
}

/**
 * What `decide` reads of an article, and nothing more: whether it exists, its status, the texts a
 * command compares with (to append nothing for no change, to report a correction's before), its
 * body's block ids, its quotes in force, and whether it was ever published. What readers see is
 * the article view (src/articles/view), folded from the same events.
 */
export interface ArticleState {
  exists: boolean;
  status: ArticleStatus;
  headline: string;
  standfirst: string | null;
  body: BodyBlock[];
  /** In attribution order. */
  quotes: QuoteState[];
  /** Published at least once: corrections and retractions apply only then. */
  publishedOnce: boolean;
}

export const initialState: ArticleState = {
  exists: false,
  status: 'draft',
  headline: '',
  standfirst: null,
  body: [],
  quotes: [],
  publishedOnce: false,
};

/** A quote that may still be amended or withdrawn. */
export function activeQuote(state: ArticleState, quoteId: string): QuoteState | undefined {
  return state.quotes.find((quote) => quote.quoteId === quoteId);
}
