import { diffWords } from 'diff';

export interface WordChange {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

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
 * jsdiff's word diff (Myers' O(ND) algorithm) as plain ops; whitespace stays with the equal runs
 * around a change. With `timeoutMs`, gives up once that many milliseconds have passed and returns
 * null (jsdiff's abortable mode), so a caller can bound the work of one request.
 */
export function wordDiff(before: string, after: string, timeoutMs?: number): WordChange[] | null {
  const changes = timeoutMs === undefined ? diffWords(before, after) : diffWords(before, after, { timeout: Math.max(0, timeoutMs) });
  if (!changes) return null;
  return changes.map((change) => ({ op: change.added ? 'insert' : change.removed ? 'delete' : 'equal', text: change.value }));
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
