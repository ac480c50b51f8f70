import { diffArrays } from 'diff';
import type { BlockId, BodyBlock } from '../articles/domain/article.events';
import { blockText, sameContent } from '../articles/domain/body-blocks';
import { exactWords, type WordChange, type WordDiffer } from './word-diff';

export interface BodyDiff {
  added: Array<{ id: BlockId; index: number; block: BodyBlock }>;
  removed: Array<{ id: BlockId; index: number; block: BodyBlock }>;
  /** Blocks kept whose order relative to the other kept blocks changed. */
  moved: Array<{ id: BlockId; fromIndex: number; toIndex: number }>;
  /** Blocks kept whose content changed; list items diff as their lines. `coarse`: see TextDiff. */
  changed: Array<{ id: BlockId; index: number; before: BodyBlock; after: BodyBlock; words: WordChange[]; coarse?: true }>;
}

/**
 * Blocks are matched by their stable ids, never by position or content. A block counts as moved
 * when it falls outside the longest common order of the kept blocks (jsdiff's diffArrays), so
 * inserting one paragraph at the top does not report every block below it as moved.
 */
export function bodyDiff(before: BodyBlock[], after: BodyBlock[], words: WordDiffer = exactWords): BodyDiff {
  const oldIndex = new Map(before.map((block, i) => [block.id, i]));
  const newIndex = new Map(after.map((block, i) => [block.id, i]));
  const diff: BodyDiff = { added: [], removed: [], moved: [], changed: [] };

  after.forEach((block, index) => {
    const i = oldIndex.get(block.id);
    if (i === undefined) diff.added.push({ id: block.id, index, block });
    else if (!sameContent(before[i], block)) {
      const result = words(blockText(before[i]), blockText(block));
      diff.changed.push({ id: block.id, index, before: before[i], after: block, words: result.words, ...(result.coarse ? { coarse: true as const } : {}) });
    }
  });
  before.forEach((block, index) => {
    if (!newIndex.has(block.id)) diff.removed.push({ id: block.id, index, block });
  });

  const keptBefore = before.filter((b) => newIndex.has(b.id)).map((b) => b.id);
  const keptAfter = after.filter((b) => oldIndex.has(b.id)).map((b) => b.id);
  for (const part of diffArrays(keptBefore, keptAfter)) {
    if (!part.added) continue;
    for (const id of part.value) diff.moved.push({ id, fromIndex: oldIndex.get(id)!, toIndex: newIndex.get(id)! });
  }
  return diff;
}

export function bodyUnchanged(diff: BodyDiff): boolean {
  return diff.added.length + diff.removed.length + diff.moved.length + diff.changed.length === 0;
}
