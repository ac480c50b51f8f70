import diffPairs from './word-diff.worker';

describe('word diffs under one budget', () => {
  const pairs: Array<[string, string]> = [
    ['The council met on Tuesday.', 'The council met on Wednesday.'],
    ['a b c', 'a b d'],
  ];

  it('diffs every pair word by word within the budget, in the order asked', () => {
    const [first, second] = diffPairs({ pairs, budgetMs: 10_000 });
    expect(first.coarse).toBe(false);
    expect(first.words.filter((w) => w.op !== 'equal')).toEqual([
      { op: 'delete', text: 'Tuesday' },
      { op: 'insert', text: 'Wednesday' },
    ]);
    expect(second.words.map((w) => w.text).join('')).toContain('d');
  });

  it('answers a pair it has no budget left for as replaced whole, marked coarse', () => {
    const results = diffPairs({ pairs, budgetMs: 0 });
    expect(results).toEqual(
      pairs.map(([before, after]) => ({
        coarse: true,
        words: [
          { op: 'delete', text: before },
          { op: 'insert', text: after },
        ],
      })),
    );
  });
});
