/**
 * Words as Unicode defines them: the word boundaries of UAX #29 §4 ("Word Boundaries"), as
 * the platform's ICU finds them. ICU follows the UAX #29 rules for alphabets and, as UAX #29
 * §4 allows, dictionaries for scripts written without spaces (Chinese, Japanese, Thai, Lao,
 * Khmer, Myanmar). jsdiff's own tokenizer only knows Latin letters, which is why it cut
 * Cyrillic and Greek words into fragments of letters.
 */
import { diffWords } from 'diff';
import { nfc } from './normalize';
import { linearSegmenter, segmentsOf } from './segments';

/**
 * The one word segmenter (UAX #29 §4). The locale is pinned: ICU's word rules for "en" are
 * its root rules, and pinning keeps the server's LANG from changing diffs or search keys.
 * Segments are `{ segment, index, isWordLike }`; isWordLike is false for spaces and punctuation.
 * Iterate it through `segmentsOf` (segments.ts): its own iterator is quadratic on Node 20.
 */
export const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });
const linearWordSegmenter = linearSegmenter(wordSegmenter);

/** One run of a word diff: equal and insert runs concatenate to `after`; equal and delete runs to `before`, up to whitespace. */
export interface WordChange {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

/** A time budget for one diff, in milliseconds. */
export interface DiffBudget {
  timeoutMs: number;
}

/**
 * The words of the text (UAX #29 §4 segments that are word-like: letters, numbers, ideographs;
 * not spaces, punctuation or emoji), in order. Never throws.
 */
export function words(text: string): string[] {
  const found: string[] = [];
  for (const { segment, isWordLike } of segmentsOf(wordSegmenter, text)) if (isWordLike) found.push(segment);
  return found;
}

/**
 * The word-level difference between two texts, as runs of equal, deleted and inserted text
 * (the shape of src/audit/word-diff.ts). Both texts are compared in NFC (UAX #15), so text
 * that differs only in its normal form diffs as equal. Tokens are UAX #29 words (through
 * jsdiff's `intlSegmenter` option); as in jsdiff's diffWords, whitespace sticks to the words
 * around it, and a change of whitespace alone is not a change (equal runs carry `after`'s).
 *
 * With a budget, jsdiff's `timeout` aborts a diff that runs longer than `timeoutMs` and the
 * result is null, so a caller can fall back to a coarse diff (the whole text deleted and
 * inserted). The budget bounds the search for the edits; cutting both texts into words comes
 * first and is linear in their length (~10 ms for 20,000 code units). Without one, the cost grows with the product of the text's length and the size
 * of the change: see bench/text-cost.ts before diffing untrusted text without a budget.
 *
 * @throws RangeError when budget.timeoutMs is not a positive finite number.
 */
export function wordDiff(before: string, after: string): WordChange[];
export function wordDiff(before: string, after: string, budget: DiffBudget): WordChange[] | null;
export function wordDiff(before: string, after: string, budget?: DiffBudget): WordChange[] | null {
  const [from, to] = [nfc(before), nfc(after)];
  if (budget === undefined) return diffWords(from, to, { intlSegmenter: linearWordSegmenter }).map(asWordChange);
  if (!(budget.timeoutMs > 0) || !Number.isFinite(budget.timeoutMs)) {
    throw new RangeError(`a diff budget must be a positive number of milliseconds, not ${budget.timeoutMs}`);
  }
  const changes = diffWords(from, to, { intlSegmenter: linearWordSegmenter, timeout: budget.timeoutMs });
  return changes === undefined ? null : changes.map(asWordChange);
}

function asWordChange(change: { added: boolean; removed: boolean; value: string }): WordChange {
  return { op: change.added ? 'insert' : change.removed ? 'delete' : 'equal', text: change.value };
}
