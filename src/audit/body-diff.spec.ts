import type { BodyBlock } from '../articles/domain/article.events';
import { bodyDiff, bodyUnchanged } from './body-diff';

const p = (id: string, text: string): BodyBlock => ({ id, type: 'paragraph', text });

describe('body diff by block id', () => {
  const a = p('a', 'Alpha one.');
  const b = p('b', 'Bravo two.');
  const c = p('c', 'Charlie three.');

  it('finds nothing between equal bodies', () => {
    expect(bodyUnchanged(bodyDiff([a, b, c], [a, b, c]))).toBe(true);
  });

  it('reports added and removed blocks with their places', () => {
    const d = p('d', 'Delta.');
    expect(bodyDiff([a, b, c], [d, a, c])).toEqual({
      added: [{ id: 'd', index: 0, block: d }],
      removed: [{ id: 'b', index: 1, block: b }],
      moved: [],
      changed: [],
    });
  });

  it('reports as moved only the blocks out of the common order', () => {
    expect(bodyDiff([a, b, c], [b, c, a]).moved).toEqual([{ id: 'a', fromIndex: 0, toIndex: 2 }]);
  });

  it('matches a changed block by its id and diffs its words', () => {
    const edited = p('b', 'Bravo twenty two.');
    const diff = bodyDiff([a, b, c], [a, edited, c]);
    expect(diff.changed).toEqual([
      {
        id: 'b',
        index: 1,
        before: b,
        after: edited,
        words: [
          { op: 'equal', text: 'Bravo ' },
          { op: 'insert', text: 'twenty ' },
          { op: 'equal', text: 'two.' },
        ],
      },
    ]);
    expect(diff.added).toEqual([]);
    expect(diff.moved).toEqual([]);
  });

  it('diffs a list block by its items, and a block may move and change at once', () => {
    const list: BodyBlock = { id: 'l', type: 'list', items: ['one', 'two'] };
    const longer: BodyBlock = { id: 'l', type: 'list', items: ['one', 'two', 'three'] };
    const diff = bodyDiff([list, a], [a, longer]);
    expect(diff.changed[0].words.filter((w) => w.op !== 'equal')).toEqual([{ op: 'insert', text: 'three' }]);
    expect(diff.moved.map((m) => m.id)).toHaveLength(1);
  });
});
