import { InvalidInputError } from '../../common/app-error';
import { sequentialIds } from '../../../test/support/article-fixtures';
import type { BodyBlock } from './article.events';
import { assignBlockIds, bodyChanges, sameBody, type BlockInput } from './body-blocks';

const p = (id: string, text: string): BodyBlock => ({ id, type: 'paragraph', text });
const h = (id: string, text: string): BodyBlock => ({ id, type: 'heading', text });
const withoutIds = (blocks: BodyBlock[]): BlockInput[] => blocks.map(({ id: _, ...block }) => block);
const ids = (blocks: BodyBlock[]) => blocks.map((block) => block.id);
const assign = (input: BlockInput[], previous: BodyBlock[]) => assignBlockIds(input, previous, sequentialIds('new'));

const previous = [h('h1', 'Title'), p('a', 'Alpha.'), p('b', 'Beta.'), p('c', 'Gamma.')];

describe('assignBlockIds', () => {
  it('gives fresh ids to a first body, in order', () => expect(ids(assign(withoutIds(previous), []))).toEqual(['new-1', 'new-2', 'new-3', 'new-4']));

  it('keeps every id when the body is sent back unchanged without ids', () => expect(assign(withoutIds(previous), previous)).toStrictEqual(previous));

  it('keeps the ids the client sent', () =>
    expect(
      ids(
        assign(
          [
            { id: 'mine', type: 'paragraph', text: 'Alpha.' },
            { type: 'paragraph', text: 'Beta.' },
          ],
          previous,
        ),
      ),
    ).toEqual(['mine', 'b']));

  it('refuses duplicate ids, naming each repeat', () => {
    const input: BlockInput[] = [p('x', '1'), p('y', '2'), p('x', '3'), p('x', '4')];
    expect(() => assign(input, [])).toThrow(InvalidInputError);
    try {
      assign(input, []);
    } catch (error) {
      expect((error as InvalidInputError).errors?.map((e) => e.field)).toEqual(['body[2].id', 'body[3].id']);
    }
  });

  it('lets an edited paragraph keep its id', () =>
    expect(ids(assign(withoutIds([previous[0], p('', 'Alpha, revised.'), previous[2], previous[3]]), previous))).toEqual(['h1', 'a', 'b', 'c']));

  it('gives an inserted block a new id and its neighbours their old ones', () =>
    expect(ids(assign(withoutIds([previous[0], previous[1], p('', 'Inserted.'), previous[2], previous[3]]), previous))).toEqual([
      'h1',
      'a',
      'new-1',
      'b',
      'c',
    ]));

  it('keeps the ids of the blocks left after a removal', () =>
    expect(ids(assign(withoutIds([previous[0], previous[1], previous[3]]), previous))).toEqual(['h1', 'a', 'c']));

  it('keeps the id of a moved block', () =>
    expect(ids(assign(withoutIds([previous[3], previous[0], previous[1], previous[2]]), previous))).toEqual(['c', 'h1', 'a', 'b']));

  it('pairs a changed region by type, in order', () =>
    expect(ids(assign(withoutIds([h('', 'New title'), p('', 'Alpha 2.'), p('', 'Beta 2.'), p('', 'Delta.'), p('', 'Gamma.')]), previous))).toEqual([
      'h1',
      'a',
      'b',
      'new-1',
      'c',
    ]));

  it('pairs a body rewritten whole by type, in order', () =>
    expect(ids(assign(withoutIds([p('', 'One.'), h('', 'Two'), p('', 'Three.'), p('', 'Four.'), p('', 'Five.')]), previous))).toEqual([
      'a',
      'h1',
      'b',
      'c',
      'new-1',
    ]));

  it('keeps the ids a client sent for every block, whatever content they trade', () =>
    expect(ids(assign([p('c', 'Alpha.'), p('a', 'Gamma.'), p('x', 'Beta.')], previous))).toEqual(['c', 'a', 'x']));

  it('gives a new id to a block whose type changed', () => expect(ids(assign(withoutIds([h('', 'Alpha.')]), [p('a', 'Alpha.')]))).toEqual(['new-1']));

  it('keeps repeated identical blocks apart', () =>
    expect(ids(assign(withoutIds([p('', 'Same.'), p('', 'Other.'), p('', 'Same.')]), [p('s1', 'Same.'), p('s2', 'Same.')]))).toEqual(['s1', 'new-1', 's2']));

  it('never hands out an id the client claimed for another block', () =>
    expect(
      ids(
        assign(
          [
            { type: 'paragraph', text: 'Alpha.' },
            { id: 'a', type: 'paragraph', text: 'Brand new.' },
          ],
          [p('a', 'Alpha.')],
        ),
      ),
    ).toEqual(['new-1', 'a']));

  it('aligns lists item by item', () =>
    expect(ids(assign([{ type: 'list', items: ['a', 'b'] }], [{ id: 'l', type: 'list', items: ['a\nb'] }]))).toEqual(['l']));

  it('drops properties a block does not have', () => {
    const stray = { type: 'paragraph', text: 'x', style: 'bold' } as BlockInput;
    expect(assign([stray], [])).toStrictEqual([p('new-1', 'x')]);
  });

  it('stays stable across successive revisions', () => {
    const first = assign(withoutIds(previous), previous);
    const second = assign(withoutIds([...first.slice(0, 2), p('', 'Beta, edited.'), first[3]]), first);
    const third = assign(withoutIds(second), second);
    expect(ids(third)).toEqual(['h1', 'a', 'b', 'c']);
  });
});

describe('sameBody', () => {
  it('compares ids and content', () => {
    expect(sameBody(previous, [...previous])).toBe(true);
    expect(sameBody(previous, [p('x', 'Title'), ...previous.slice(1)])).toBe(false);
    expect(sameBody(previous, previous.slice(1))).toBe(false);
  });
});

describe('bodyChanges', () => {
  it('lists edited and added blocks in order, then removed ones; lists as lines', () =>
    expect(
      bodyChanges(
        [p('a', 'Alpha.'), { id: 'l', type: 'list', items: ['one', 'two'] }, p('z', 'Zed.')],
        [p('n', 'New.'), p('a', 'Alpha!'), { id: 'l', type: 'list', items: ['one', 'two'] }],
      ),
    ).toEqual([
      { field: 'body.n', before: null, after: 'New.' },
      { field: 'body.a', before: 'Alpha.', after: 'Alpha!' },
      { field: 'body.z', before: 'Zed.', after: null },
    ]));
});
