/**
 * What a user asks of an article: imperative, plain data. Time, ids, the actor and the reason
 * travel beside the command in a DecideContext, never inside it.
 */
import type { CorrectionKind, QuoteSource, Speaker } from './article.events';
import type { BlockInput } from './body-blocks';

export type { BlockInput } from './body-blocks';

export interface DraftArticle {
  type: 'DraftArticle';
  /** The handler picks the id: it names the stream before anything is decided. */
  data: { articleId: string; headline: string; standfirst?: string | null; body: BlockInput[]; byline?: string[] };
}

export interface ReviseHeadline {
  type: 'ReviseHeadline';
  data: { headline: string };
}

export interface ReviseStandfirst {
  type: 'ReviseStandfirst';
  data: { standfirst: string | null };
}

export interface ReviseBody {
  type: 'ReviseBody';
  data: { body: BlockInput[] };
}

export interface AttributeQuote {
  type: 'AttributeQuote';
  data: { speaker: Speaker; text: string; source?: QuoteSource | null };
}

/** Fields left undefined keep their value; `source: null` removes the source. */
export interface AmendQuote {
  type: 'AmendQuote';
  data: { quoteId: string; speaker?: Speaker; text?: string; source?: QuoteSource | null };
}

export interface WithdrawQuote {
  type: 'WithdrawQuote';
  data: { quoteId: string };
}

export interface PublishArticle {
  type: 'PublishArticle';
  data: Record<string, never>;
}

export interface UnpublishArticle {
  type: 'UnpublishArticle';
  data: Record<string, never>;
}

/** A correction's change to one quote; undefined fields are left as they are; `withdraw: true` takes the quote out of the story (and nothing else). */
export interface QuoteCorrection {
  quoteId: string;
  withdraw?: true;
  speaker?: Speaker;
  text?: string;
  source?: QuoteSource | null;
}

export interface IssueCorrection {
  type: 'IssueCorrection';
  data: {
    kind: CorrectionKind;
    note: string;
    headline?: string;
    standfirst?: string | null;
    body?: BlockInput[];
    quotes?: QuoteCorrection[];
  };
}

export interface RetractArticle {
  type: 'RetractArticle';
  data: { note: string };
}

export type ArticleCommand =
  | DraftArticle
  | ReviseHeadline
  | ReviseStandfirst
  | ReviseBody
  | AttributeQuote
  | AmendQuote
  | WithdrawQuote
  | PublishArticle
  | UnpublishArticle
  | IssueCorrection
  | RetractArticle;

export type ArticleCommandType = ArticleCommand['type'];
