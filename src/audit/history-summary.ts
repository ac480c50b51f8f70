import type { ArticleEvent, CorrectionKind } from '../articles/domain/article.events';
import type { StoredArticleEvent } from '../articles/stored-article-event';
import { isBlank, truncate } from '../text';

const MAX_SUMMARY = 240;

const CORRECTION_KINDS: Record<CorrectionKind, string> = {
  correction: 'Correction issued',
  clarification: 'Clarification issued',
  'editors-note': "Editor's note added",
};

/**
 * One line an editor can scan: "<what> by <who>: <why>". It reads the event alone (no earlier
 * state), so any page of a history can be summarised without folding the stream before it.
 */
export function summarise(entry: StoredArticleEvent): string {
  const { event, actor } = entry;
  const why = event.type === 'CorrectionIssued' || event.type === 'ArticleRetracted' ? event.data.note : entry.reason;
  const what = `${action(event)} by ${actor.name}`;
  return oneLine(why && !isBlank(why) ? `${what}: ${why}` : what);
}

function action(event: ArticleEvent): string {
  switch (event.type) {
    case 'ArticleDrafted':
      return 'Article drafted';
    case 'HeadlineRevised':
      return 'Headline revised';
    case 'StandfirstRevised':
      return event.data.standfirst === null ? 'Standfirst removed' : 'Standfirst revised';
    case 'BodyRevised':
      return 'Body revised';
    case 'QuoteAttributed':
      return `Quote from ${event.data.speaker.name} attributed`;
    case 'QuoteAmended':
      return `Quote from ${event.data.speaker.name} amended`;
    case 'QuoteWithdrawn':
      return 'Quote withdrawn';
    case 'ArticlePublished':
      return 'Published';
    case 'ArticleUnpublished':
      return 'Unpublished';
    case 'CorrectionIssued':
      return CORRECTION_KINDS[event.data.kind];
    case 'ArticleRetracted':
      return 'Retracted';
  }
}

/**
 * Reasons may span lines or run long; a history row must not. Cut at a grapheme-cluster boundary
 * (UAX #29 §3, see truncate), so a cut never splits an emoji or a letter from its marks.
 */
function oneLine(text: string): string {
  return truncate(text.replace(/\s+/gu, ' ').trim(), MAX_SUMMARY);
}
