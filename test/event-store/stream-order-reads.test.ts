import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DamagedEventError } from '../../src/event-store/event-store.errors';
import { EventToAppend, Position, ReadInStreamOrderOptions, RecordedEvent, StreamCursor } from '../../src/event-store/event-store.port';
import { ReadOnlySqliteEventStore } from '../../src/event-store/read-only-sqlite-event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { damageEventJson } from '../support/damage';
import { tempDir } from '../support/temp-dir';

const event = (n: number, text = ''): EventToAppend => ({ id: randomUUID(), type: 'Noted', data: { n, text }, metadata: {} });

/** Every page of readInStreamOrder up to `upTo`, as `[streamId, revision]` pairs, and the pages' lengths. */
async function readAllPages(read: (options: ReadInStreamOrderOptions) => Promise<RecordedEvent[]>, upTo: Position, maxCount: number, maxBytes?: number) {
  const order: Array<[string, number]> = [];
  const pages: number[] = [];
  let after: StreamCursor | undefined;
  for (;;) {
    const page = await read({ upTo, after, maxCount, maxBytes });
    if (page.length === 0) return { order, pages };
    pages.push(page.length);
    for (const e of page) order.push([e.streamId, Number(e.revision)]);
    const last = page[page.length - 1];
    after = { streamId: last.streamId, revision: last.revision };
  }
}

/**
 * EventStore.readInStreamOrder on the embedded store: the log up to a position, each stream's events
 * together, for rebuilds that load read models stream by stream (CatchUp).
 */
describe('reads in stream order (embedded store)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = tempDir('newsroom-stream-order-');
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('pages through every stream in the binary order of its id, each oldest first, up to the position given and no further', async () => {
    // Interleaved in the log; ids in an order that differs from the order of their first append,
    // and from locale order ('B' < 'a' in binary), one of them not Latin.
    const streams = ['article-b', 'article-a', 'Статья-1', 'article-B', 'article-c'];
    for (let round = 0; round < 4; round++) {
      for (const id of streams) await store.appendToStream(id, [event(round)], round === 0 ? 'no_stream' : BigInt(round - 1));
    }
    const upTo = await store.headPosition();
    await store.appendToStream('article-a', [event(99)], 3n);
    await store.appendToStream('article-0', [event(99)], 'no_stream');

    const { order, pages } = await readAllPages((o) => store.readInStreamOrder(o), upTo, 3);
    const expected = [...streams].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).flatMap((id) => [0, 1, 2, 3].map((r) => [id, r]));
    expect(order).toEqual(expected);
    expect(pages).toEqual([3, 3, 3, 3, 3, 3, 2]);
  });

  it('stops a page once maxBytes of event text have been read (at least one event), as readAll does', async () => {
    await store.appendToStream('article-big', [event(0, 'x'.repeat(100_000)), event(1, 'x'.repeat(100_000)), event(2)], 'no_stream');
    const upTo = await store.headPosition();
    const first = await store.readInStreamOrder({ upTo, maxCount: 10, maxBytes: 150_000 });
    expect(first.map((e) => Number(e.revision))).toEqual([0, 1]);
    expect(await store.readInStreamOrder({ upTo, maxCount: 10, maxBytes: 1 })).toHaveLength(1);
    expect((await readAllPages((o) => store.readInStreamOrder(o), upTo, 10, 1)).pages).toEqual([1, 1, 1]);
  });

  it('reads the same from the read-only store that the read models threads use', async () => {
    for (const id of ['article-2', 'article-1']) await store.appendToStream(id, [event(0), event(1)], 'no_stream');
    const upTo = await store.headPosition();
    const readOnly = new ReadOnlySqliteEventStore(join(dir.path, 'events.sqlite'));
    try {
      const fromReadOnly = await readAllPages((o) => readOnly.readInStreamOrder(o), upTo, 3);
      expect(fromReadOnly).toEqual(await readAllPages((o) => store.readInStreamOrder(o), upTo, 3));
      expect(fromReadOnly.order.map(([id]) => id)).toEqual(['article-1', 'article-1', 'article-2', 'article-2']);
    } finally {
      await readOnly.close();
    }
  });

  it('an event whose JSON does not parse fails its page with DamagedEventError, naming its position', async () => {
    await store.appendToStream('article-1', [event(0), event(1), event(2)], 'no_stream');
    const upTo = await store.headPosition();
    await store.close();
    damageEventJson(join(dir.path, 'events.sqlite'), 2);
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    const read = store.readInStreamOrder({ upTo, maxCount: 10 });
    await expect(read).rejects.toBeInstanceOf(DamagedEventError);
    await expect(read).rejects.toMatchObject({ position: 2n });
  });
});
