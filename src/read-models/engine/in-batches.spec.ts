import { Batch, inBatches } from './in-batches';

/** A source whose items are all ready at once, then one more that arrives a turn later. */
async function* source(ready: number, late: Promise<number>): AsyncGenerator<number> {
  for (let i = 0; i < ready; i++) yield i;
  yield await late;
}

describe('inBatches', () => {
  it('fills batches while items are ready, closes one as caught up when the source goes quiet', async () => {
    let arrive!: (n: number) => void;
    const late = new Promise<number>((resolve) => (arrive = resolve));
    const batches: Array<Batch<number>> = [];
    for await (const batch of inBatches(source(5, late), 2)) {
      batches.push(batch);
      if (batch.caughtUp && batch.items.length === 1) arrive(99);
    }
    expect(batches).toEqual([
      { items: [0, 1], caughtUp: false },
      { items: [2, 3], caughtUp: false },
      { items: [4], caughtUp: true },
      { items: [99], caughtUp: false },
    ]);
  });

  it('says once that it is caught up when nothing at all is ready', async () => {
    let arrive!: (n: number) => void;
    const late = new Promise<number>((resolve) => (arrive = resolve));
    const batches: Array<Batch<number>> = [];
    for await (const batch of inBatches(source(0, late), 10)) {
      batches.push(batch);
      if (batches.length === 1) arrive(7);
    }
    expect(batches).toEqual([
      { items: [], caughtUp: true },
      { items: [7], caughtUp: false },
    ]);
  });

  it('never splits a group (the events of one append) across full batches', async () => {
    async function* appends(): AsyncGenerator<string> {
      yield* ['a1', 'b1', 'b2', 'b3', 'c1', 'd1'];
    }
    const batches: string[][] = [];
    for await (const batch of inBatches(appends(), 2, (x, y) => x[0] === y[0])) batches.push(batch.items);
    expect(batches.filter((b) => b.length > 0)).toEqual([
      ['a1', 'b1', 'b2', 'b3'],
      ['c1', 'd1'],
    ]);
  });

  it('hands over what the source gave before it failed, then rethrows its error', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield* [1, 2, 3];
      throw new Error('damaged');
    }
    const batches: number[][] = [];
    const run = async () => {
      for await (const batch of inBatches(failing(), 10)) batches.push(batch.items);
    };
    await expect(run()).rejects.toThrow('damaged');
    expect(batches).toEqual([[1, 2, 3]]);
  });
});

describe('inBatches by size', () => {
  it('closes a batch once its items add up to maxBytes, never splitting a group', async () => {
    async function* sized(): AsyncGenerator<{ n: number; size: number }> {
      for (const [n, size] of [
        [1, 5],
        [2, 6],
        [3, 1],
        [4, 1],
        [5, 4],
        [6, 6],
        [7, 1],
      ])
        yield { n, size };
    }
    const batches: number[][] = [];
    const bytes = { sizeOf: (item: { size: number }) => item.size, maxBytes: 10 };
    // Items 2 and 3 are one group (one append): 3 joins the batch though it is full by then.
    const sameGroup = (a: { n: number }, b: { n: number }) => a.n === 2 && b.n === 3;
    for await (const batch of inBatches(sized(), 100, sameGroup, bytes)) batches.push(batch.items.map((i) => i.n));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });
});
