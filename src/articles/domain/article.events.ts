/**
 * The article's events: past tense, plain JSON data (ISO-8601 strings, no Date, no class).
 * Each type has a schema version (ARTICLE_EVENT_SCHEMA_VERSIONS); older shapes are upcast
 * when read (see article.upcasters.ts) so that old logs keep replaying.
 */
export type BlockId = string;

export type BodyBlock =
  | { id: BlockId; type: 'paragraph'; text: string }
  | { id: BlockId; type: 'heading'; text: string }
  | { id: BlockId; type: 'list'; items: string[] };

export interface Speaker {
  name: string;
  title?: string;
}

export interface QuoteSource {
  description: string;
  url?: string;
}

export type CorrectionKind = 'correction' | 'clarification' | 'editors-note';

/** One thing a correction changed, as the corrections history shows it. */
export interface FieldChange {
  /** "headline", "standfirst", "body.<blockId>", "quotes.<quoteId>.text", ".speaker", ".source". */
  field: string;
  before: string | null;
  after: string | null;
}

export interface ArticleDrafted {
  type: 'ArticleDrafted';
  data: {
    articleId: string;
    headline: string;
    standfirst: string | null;
    body: BodyBlock[];
    byline: string[];
    draftedAt: string;
  };
}

export interface HeadlineRevised {
  type: 'HeadlineRevised';
  data: { headline: string };
}

export interface StandfirstRevised {
  type: 'StandfirstRevised';
  data: { standfirst: string | null };
}

export interface BodyRevised {
  type: 'BodyRevised';
  data: { body: BodyBlock[] };
}

export interface QuoteAttributed {
  type: 'QuoteAttributed';
  data: { quoteId: string; speaker: Speaker; text: string; source: QuoteSource | null; attributedAt: string };
}

export interface QuoteAmended {
  type: 'QuoteAmended';
  data: { quoteId: string; speaker: Speaker; text: string; source: QuoteSource | null };
}

export interface QuoteWithdrawn {
  type: 'QuoteWithdrawn';
  data: { quoteId: string };
}

export interface ArticlePublished {
  type: 'ArticlePublished';
  data: { publishedAt: string };
}

export interface ArticleUnpublished {
  type: 'ArticleUnpublished';
  data: { unpublishedAt: string };
}

export interface CorrectionIssued {
  type: 'CorrectionIssued';
  data: {
    correctionId: string;
    kind: CorrectionKind;
    note: string;
    issuedAt: string;
    changes: FieldChange[];
  };
}

export interface ArticleRetracted {
  type: 'ArticleRetracted';
  data: { note: string; retractedAt: string };
}

export type ArticleEvent =
  | ArticleDrafted
  | HeadlineRevised
  | StandfirstRevised
  | BodyRevised
  | QuoteAttributed
  | QuoteAmended
  | QuoteWithdrawn
  | ArticlePublished
  | ArticleUnpublished
  | CorrectionIssued
  | ArticleRetracted;

export type ArticleEventType = ArticleEvent['type'];

/** The schema version each event type is written with today. */
export const ARTICLE_EVENT_SCHEMA_VERSIONS: Record<ArticleEventType, number> = {
  // v1 stored `byline: string` (names joined with ", " or " and "); v2 stores `byline: string[]`.
  ArticleDrafted: 2,
  HeadlineRevised: 1,
  StandfirstRevised: 1,
  BodyRevised: 1,
  QuoteAttributed: 1,
  QuoteAmended: 1,
  QuoteWithdrawn: 1,
  ArticlePublished: 1,
  ArticleUnpublished: 1,
  CorrectionIssued: 1,
  ArticleRetracted: 1,
};

export const ARTICLE_EVENT_TYPES = Object.keys(ARTICLE_EVENT_SCHEMA_VERSIONS) as ArticleEventType[];

export function isArticleEventType(type: string): type is ArticleEventType {
  return Object.prototype.hasOwnProperty.call(ARTICLE_EVENT_SCHEMA_VERSIONS, type);
}

export const ARTICLE_STREAM_PREFIX = 'article-';

export function articleStreamId(articleId: string): string {
  return `${ARTICLE_STREAM_PREFIX}${articleId}`;
}

/**
 * Metadata stored with every event, using EventStoreDB's own keys for correlation and causation.
 */
export interface ArticleEventMetadata {
  $correlationId: string;
  $causationId: string;
  actor: { id: string; name: string };
  reason: string | null;
  occurredAt: string;
  schemaVersion: number;
  /** The request's Idempotency-Key, when it had one. */
  idempotencyKey?: string;
}
