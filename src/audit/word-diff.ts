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
}

/** jsdiff's word diff as plain ops; whitespace stays with the equal runs around a change. */
export function wordDiff(before: string, after: string): WordChange[] {
  return diffWords(before, after).map((change) => ({
    op: change.added ? 'insert' : change.removed ? 'delete' : 'equal',
    text: change.value,
  }));
}

/** null when the field did not change; a missing text diffs as the empty string. */
export function textDiff(before: string | null, after: string | null): TextDiff | null {
  if (before === after) return null;
  return { before, after, words: wordDiff(before ?? '', after ?? '') };
}
