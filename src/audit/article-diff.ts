import type { ArticleStatus } from '../articles/domain/article.state';
import type { ArticleCorrection, ArticleQuote } from '../../projections/articles.projection';
import type { ArticleAtRevision } from './article-replay';
import type { Actor, AuditedEvent } from './audited-event';
import { bodyDiff, type BodyDiff } from './body-diff';
import { exactWords, textDiff, type TextDiff, type WordDiffer } from './word-diff';

export interface StatusChange {
  revision: number;
  at: string;
  actor: Actor;
  reason: string | null;
  type: string;
  /** The status right after this event. */
  status: ArticleStatus;
}

export interface QuoteAmendment {
  quoteId: string;
  /** Each null when that part of the quote did not change. */
  speaker: { before: ArticleQuote['speaker']; after: ArticleQuote['speaker'] } | null;
  text: TextDiff | null;
  source: { before: ArticleQuote['source']; after: ArticleQuote['source'] } | null;
}

/** GET /api/articles/{id}/diff: what changed from one revision to a later one. Unchanged fields are null. */
export interface ArticleDiff {
  articleId: string;
  from: { revision: number; at: string };
  to: { revision: number; at: string };
  status: { before: ArticleStatus; after: ArticleStatus } | null;
  headline: TextDiff | null;
  standfirst: TextDiff | null;
  byline: { before: string[]; after: string[] } | null;
  body: BodyDiff;
  quotes: { attributed: ArticleQuote[]; amended: QuoteAmendment[]; withdrawn: ArticleQuote[] };
  /** Every publish, unpublish and retraction after `from` up to `to`, oldest first. */
  statusChanges: StatusChange[];
  /** Corrections issued after `from` up to `to`, oldest first. */
  corrections: ArticleCorrection[];
  /** true when some word diff was over the request's budget and is coarse (marked where it is). */
  coarse: boolean;
}

/**
 * Compares two snapshots of one fold; the events between supply what a snapshot cannot (each
 * status step). `words` computes each text's word diff, in a fixed order for given snapshots.
 */
export function diffArticles(
  before: ArticleAtRevision,
  after: ArticleAtRevision,
  statusChanges: StatusChange[],
  words: WordDiffer = exactWords,
): ArticleDiff {
  const corrections = after.corrections.filter((c) => c.revision > before.revision);
  let coarse = false;
  const counted: WordDiffer = (a, b) => {
    const result = words(a, b);
    coarse ||= result.coarse;
    return result;
  };
  const diff = {
    articleId: after.id,
    from: { revision: before.revision, at: before.updatedAt },
    to: { revision: after.revision, at: after.updatedAt },
    status: before.status === after.status ? null : { before: before.status, after: after.status },
    headline: textDiff(before.headline, after.headline, counted),
    standfirst: textDiff(before.standfirst, after.standfirst, counted),
    byline: sameList(before.byline, after.byline) ? null : { before: before.byline, after: after.byline },
    body: bodyDiff(before.body, after.body, counted),
    quotes: quotesDiff(before.quotes, after.quotes, counted),
    statusChanges,
    corrections,
  };
  return { ...diff, coarse };
}

export function isStatusEvent(entry: AuditedEvent): boolean {
  const type = entry.event?.type;
  return type === 'ArticlePublished' || type === 'ArticleUnpublished' || type === 'ArticleRetracted';
}

function quotesDiff(before: ArticleQuote[], after: ArticleQuote[], words: WordDiffer): ArticleDiff['quotes'] {
  const old = new Map(before.map((q) => [q.quoteId, q]));
  const kept = new Set(after.map((q) => q.quoteId));
  const amended: QuoteAmendment[] = [];
  const attributed: ArticleQuote[] = [];
  for (const quote of after) {
    const was = old.get(quote.quoteId);
    if (!was) {
      attributed.push(quote);
      continue;
    }
    const amendment: QuoteAmendment = {
      quoteId: quote.quoteId,
      speaker: sameSpeaker(was.speaker, quote.speaker) ? null : { before: was.speaker, after: quote.speaker },
      text: textDiff(was.text, quote.text, words),
      source: sameSource(was.source, quote.source) ? null : { before: was.source, after: quote.source },
    };
    if (amendment.speaker || amendment.text || amendment.source) amended.push(amendment);
  }
  return { attributed, amended, withdrawn: before.filter((q) => !kept.has(q.quoteId)) };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameSpeaker(a: ArticleQuote['speaker'], b: ArticleQuote['speaker']): boolean {
  return a.name === b.name && a.title === b.title;
}

function sameSource(a: ArticleQuote['source'], b: ArticleQuote['source']): boolean {
  return a === null || b === null ? a === b : a.description === b.description && a.url === b.url;
}
