import { wordDiff as unicodeWordDiff, type WordChange } from '../text';

export type { WordChange };

/** A text field before and after, with the words that changed. */
export interface TextDiff {
  before: string | null;
  after: string | null;
  words: WordChange[];
  /**
   * true when the word diff did not fit the request's budget: `words` then only says the whole
   * text was replaced (delete before, insert after), which is true but not the finest answer.
   */
  coarse?: true;
}

/** Word changes between two texts, and whether they are the coarse fallback. */
export interface WordDiffResult {
  words: WordChange[];
  coarse: boolean;
}

/** Computes (or looks up) the word diff of two texts; see GetDiffHandler for how it is bounded. */
export type WordDiffer = (before: string, after: string) => WordDiffResult;

/**
 * The text module's word diff (UAX #29 words in every script, texts compared in NFC) as the audit
 * uses it: with `timeoutMs` (milliseconds), null once that budget is spent, so a caller can bound
 * the work of one request; a budget of 0 or less is spent already.
 */
export function wordDiff(before: string, after: string, timeoutMs?: number): WordChange[] | null {
  if (timeoutMs === undefined) return unicodeWordDiff(before, after);
  return timeoutMs > 0 ? unicodeWordDiff(before, after, { timeoutMs }) : null;
}

/** The fallback when a word diff is over budget: the whole text replaced. */
export function replacedWhole(before: string, after: string): WordChange[] {
  return [...(before ? [{ op: 'delete' as const, text: before }] : []), ...(after ? [{ op: 'insert' as const, text: after }] : [])];
}

/** An unbounded word differ, for tests and small texts. */
export const exactWords: WordDiffer = (before, after) => ({ words: wordDiff(before, after)!, coarse: false });

/** null when the field did not change; a missing text diffs as the empty string. */
export function textDiff(before: string | null, after: string | null, words: WordDiffer = exactWords): TextDiff | null {
  if (before === after) return null;
  const result = words(before ?? '', after ?? '');
  return { before, after, words: result.words, ...(result.coarse ? { coarse: true as const } : {}) };
}
