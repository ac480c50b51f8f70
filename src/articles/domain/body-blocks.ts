import { diffArrays } from 'diff';
import { InvalidInputError, type FieldError } from '../../common/app-error';
import type { BlockId, BodyBlock, FieldChange } from './article.events';

/** A body block as a client sends it: the id is optional, the server assigns missing ones. */
export type BlockInput =
  { id?: BlockId; type: 'paragraph'; text: string } | { id?: BlockId; type: 'heading'; text: string } | { id?: BlockId; type: 'list'; items: string[] };

/** The text a block shows, list items one per line (how corrections report a block). */
export function blockText(block: BlockInput): string {
  return block.type === 'list' ? block.items.join('\n') : block.text;
}

/** Same type and same words; ids are not content. */
export function sameContent(a: BlockInput, b: BlockInput): boolean {
  if (a.type === 'list') {
    // Compared item by item: ['a\nb'] and ['a', 'b'] join to the same text but are different lists.
    return b.type === 'list' && a.items.length === b.items.length && a.items.every((item, i) => item === b.items[i]);
  }
  return b.type !== 'list' && a.type === b.type && a.text === b.text;
}

export function sameBody(a: BodyBlock[], b: BodyBlock[]): boolean {
  return a.length === b.length && a.every((block, i) => block.id === b[i].id && sameContent(block, b[i]));
}

/**
 * Gives every block of `input` an id that stays stable across revisions. Ids the client sent are
 * kept. The rest are found by aligning the new body with `previous` by content: an unchanged block
 * reuses its old id, a moved one (same content, elsewhere) too, and inside a changed region an added
 * block takes the id of the first removed block of the same type, so an edited paragraph keeps its
 * id. Everything else gets `newId()`.
 */
export function assignBlockIds(input: BlockInput[], previous: BodyBlock[], newId: () => string): BodyBlock[] {
  const ids: (BlockId | undefined)[] = input.map((block) => block.id);
  // An id the client sent explicitly must not also be handed to another block.
  const taken = explicitIds(input);
  const reuse = (index: number, old: BodyBlock): void => {
    ids[index] = old.id;
    taken.add(old.id);
  };
  const claimable = (index: number, old: BodyBlock): boolean => ids[index] === undefined && !taken.has(old.id);
  // Every block named its id: the alignment below could only reuse ids for blocks without one.
  if (ids.every((id) => id !== undefined)) return input.map((block, i) => withId(block, ids[i]!));
  // Nothing in common (a body rewritten whole): the alignment is one changed region, everything
  // removed and everything added, so Myers' diff (O(ND), D = both lengths here) is skipped.
  const regions = sharesContent(input, previous) ? alignedRegions(input, previous, claimable, reuse) : [{ removed: previous, added: input.map((_, i) => i) }];

  const allRemoved = regions.flatMap((r) => r.removed);
  for (const index of regions.flatMap((r) => r.added)) {
    const moved = allRemoved.find((old) => sameContent(old, input[index]) && claimable(index, old));
    if (moved) reuse(index, moved);
  }
  for (const { removed, added } of regions) {
    for (const index of added) {
      const edited = removed.find((old) => old.type === input[index].type && claimable(index, old));
      if (edited) reuse(index, edited);
    }
  }

  return input.map((block, i) => withId(block, ids[i] ?? newId()));
}

/** Whether some block of `input` has the content of some block of `previous` (see sameContent). */
function sharesContent(input: BlockInput[], previous: BodyBlock[]): boolean {
  const contents = new Set(previous.map(contentKey));
  return input.some((block) => contents.has(contentKey(block)));
}

/** A string equal for two blocks exactly when sameContent holds. */
function contentKey(block: BlockInput): string {
  return block.type === 'list' ? `list\n${JSON.stringify(block.items)}` : `${block.type}\n${block.text}`;
}

/**
 * The changed regions between the common runs of `previous` and `input` (jsdiff's diffArrays,
 * by content); blocks of the common runs reuse their old ids on the way.
 */
function alignedRegions(
  input: BlockInput[],
  previous: BodyBlock[],
  claimable: (index: number, old: BodyBlock) => boolean,
  reuse: (index: number, old: BodyBlock) => void,
): ChangedRegion[] {
  const regions: ChangedRegion[] = [];
  let region: ChangedRegion = { removed: [], added: [] };
  // The comparator hands back the *new* token for common runs, so walk both arrays by index.
  let oldIndex = 0;
  let newIndex = 0;
  for (const change of diffArrays<BlockInput>(previous, input, { comparator: sameContent })) {
    if (change.removed) {
      for (let k = 0; k < change.count; k++) region.removed.push(previous[oldIndex + k]);
      oldIndex += change.count;
    } else if (change.added) {
      for (let k = 0; k < change.count; k++) region.added.push(newIndex++);
    } else {
      regions.push(region);
      region = { removed: [], added: [] };
      for (let k = 0; k < change.count; k++, newIndex++, oldIndex++) {
        if (claimable(newIndex, previous[oldIndex])) reuse(newIndex, previous[oldIndex]);
      }
    }
  }
  regions.push(region);
  return regions;
}

interface ChangedRegion {
  removed: BodyBlock[];
  /** Indexes into the new body. */
  added: number[];
}

/** What a body revision changed, block by block: edited and added blocks in order, then removed ones. */
export function bodyChanges(before: BodyBlock[], after: BodyBlock[]): FieldChange[] {
  const previous = new Map(before.map((block) => [block.id, block]));
  const kept = new Set(after.map((block) => block.id));
  const changes: FieldChange[] = [];
  for (const block of after) {
    const old = previous.get(block.id);
    const text = blockText(block);
    if (!old) changes.push({ field: `body.${block.id}`, before: null, after: text });
    else if (!sameContent(old, block)) changes.push({ field: `body.${block.id}`, before: blockText(old), after: text });
  }
  for (const old of before) {
    if (!kept.has(old.id)) changes.push({ field: `body.${old.id}`, before: blockText(old), after: null });
  }
  return changes;
}

function explicitIds(input: BlockInput[]): Set<BlockId> {
  const seen = new Set<BlockId>();
  const errors: FieldError[] = [];
  input.forEach((block, i) => {
    if (block.id === undefined) return;
    if (seen.has(block.id)) errors.push({ field: `body[${i}].id`, message: `duplicate block id "${block.id}"` });
    seen.add(block.id);
  });
  if (errors.length > 0) throw new InvalidInputError('Block ids must be unique within a body', errors);
  return seen;
}

/** A fresh block with only the fields a block has, so stray input properties never reach an event. */
function withId(block: BlockInput, id: BlockId): BodyBlock {
  return block.type === 'list' ? { id, type: 'list', items: [...block.items] } : { id, type: block.type, text: block.text };
}
