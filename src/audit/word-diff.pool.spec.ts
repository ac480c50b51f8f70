import { WordDiffPool } from './word-diff.pool';
import diffPairs from './word-diff.worker';

describe('WordDiffPool', () => {
  const pool = new WordDiffPool();
  afterAll(() => pool.onModuleDestroy());

  // Long texts that differ in few words: each pair is over a worker task's size, and quick to diff.
  const long = (n: number, last: string): [string, string] => ['word '.repeat(n), `${'word '.repeat(n)}${last}`];
  const pairs: Array<[string, string]> = [long(130_000, 'one'), ['a b c', 'a b d'], long(120_000, 'two'), long(20_000, 'three'), long(20_000, 'four')];

  it('answers pairs sent to the worker in several tasks as diffPairs answers them all at once', async () => {
    const results = await pool.diff(pairs, 60_000);
    expect(results).toEqual(diffPairs({ pairs, budgetMs: 60_000 }));
    expect(results.every((r) => !r.coarse)).toBe(true);
  });

  it('answers every pair coarse once the budget is spent', async () => {
    const results = await pool.diff(pairs, 0);
    expect(results).toEqual(diffPairs({ pairs, budgetMs: 0 }));
    expect(results.every((r) => r.coarse)).toBe(true);
  });
});
