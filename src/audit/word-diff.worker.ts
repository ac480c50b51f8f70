import { replacedWhole, wordDiff, type WordDiffResult } from './word-diff';

/** Texts to diff, [before, after] each, and the milliseconds all of them may take together. */
export interface WordDiffTask {
  pairs: Array<[string, string]>;
  budgetMs: number;
}

/**
 * The word diffs of one request under one shared deadline: smallest texts first, so one huge
 * rewrite cannot starve the small edits; whatever is left when the deadline passes is coarse
 * (replacedWhole). Results come back in the order of `pairs`. Runs in a worker thread
 * (WordDiffPool) or, for small texts, inline.
 */
export default function diffPairs({ pairs, budgetMs }: WordDiffTask): WordDiffResult[] {
  const deadline = Date.now() + budgetMs;
  const results: WordDiffResult[] = new Array(pairs.length);
  const order = pairs.map((_, i) => i).sort((a, b) => size(pairs[a]) - size(pairs[b]));
  for (const i of order) {
    const [before, after] = pairs[i];
    const left = deadline - Date.now();
    const words = left > 0 ? wordDiff(before, after, left) : null;
    results[i] = words ? { words, coarse: false } : { words: replacedWhole(before, after), coarse: true };
  }
  return results;
}

const size = ([before, after]: [string, string]) => before.length + after.length;
