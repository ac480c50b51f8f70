import type { Actor, StoredArticleEvent } from '../articles/stored-article-event';
import type { ArticleStatus, ArticleView, CorrectionView, QuoteView } from '../articles/view/article-view';
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
  speaker: { before: QuoteView['speaker']; after: QuoteView['speaker'] } | null;
  text: TextDiff | null;
  source: { before: QuoteView['source']; after: QuoteView['source'] } | null;
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
  quotes: { attributed: QuoteView[]; amended: QuoteAmendment[]; withdrawn: QuoteView[] };
  /** Every publish, unpublish and retraction after `from` up to `to`, oldest first. */
  statusChanges: StatusChange[];
  /** Corrections issued after `from` up to `to`, oldest first. */
  corrections: CorrectionView[];
  /** true when some word diff was over the request's budget and is coarse (marked where it is). */
  coarse: boolean;
}

/**
 * Compares two snapshots of one fold; the events between supply what a snapshot cannot (each
 * status step). `words` computes each text's word diff, in a fixed order for given snapshots.
 */
export function diffArticles(before: ArticleView, after: ArticleView, statusChanges: StatusChange[], words: WordDiffer = exactWords): ArticleDiff {
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

export function isStatusEvent(entry: StoredArticleEvent): boolean {
  const type = entry.event.type;
  return type === 'ArticlePublished' || type === 'ArticleUnpublished' || type === 'ArticleRetracted';
}

function quotesDiff(before: QuoteView[], after: QuoteView[], words: WordDiffer): ArticleDiff['quotes'] {
  const old = new Map(before.map((q) => [q.quoteId, q]));
  const kept = new Set(after.map((q) => q.quoteId));
  const amended: QuoteAmendment[] = [];
  const attributed: QuoteView[] = [];
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

function sameSpeaker(a: QuoteView['speaker'], b: QuoteView['speaker']): boolean {
  return a.name === b.name && a.title === b.title;
}

function sameSource(a: QuoteView['source'], b: QuoteView['source']): boolean {
  return a === null || b === null ? a === b : a.description === b.description && a.url === b.url;
}
