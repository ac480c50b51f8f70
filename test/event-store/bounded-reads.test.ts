import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventToAppend } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { PAGE_BYTES, streamPages } from '../../src/event-store/stream-pages';
import { tempDir } from '../support/temp-dir';

/**
 * One event may hold a maximum-size body (tens of MB of JSON): the embedded store's reads stop at
 * a byte budget, and whoever reads a whole stream or the log goes on until it has all of it.
 */
describe('reads bounded by bytes (embedded store)', () => {
  const dir = tempDir('newsroom-bounded-');
  const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  afterAll(async () => {
    await store.close();
    dir.remove();
  });

  const big = (i: number): EventToAppend => ({ id: randomUUID(), type: 'Big', data: { i, text: 'x'.repeat(3 * 1024 * 1024) }, metadata: {} });
  const small = (i: number): EventToAppend => ({ id: randomUUID(), type: 'Small', data: { i }, metadata: {} });

  beforeAll(async () => {
    await store.appendToStream('big-1', [0, 1, 2, 3, 4, 5, 6].map(big), 'no_stream');
    await store.appendToStream(
      'small-1',
      Array.from({ length: 600 }, (_, i) => small(i)),
      'no_stream',
    );
  });

  it('stops a stream read once maxBytes of events have been read, and says how large each was', async () => {
    const page = await store.readStream('big-1', { maxCount: 100, maxBytes: 8 * 1024 * 1024 });
    expect(page.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2]);
    expect(page[0].size).toBeGreaterThan(3 * 1024 * 1024);
    expect(await store.readStream('big-1', { maxCount: 100, maxBytes: 1 })).toHaveLength(1);
  });

  it('stops a read of the log the same way', async () => {
    const page = await store.readAll({ maxCount: 100, maxBytes: 8 * 1024 * 1024 });
    expect(page).toHaveLength(3);
  });

  it('streamPages reads a whole stream page by page, none over the budget but by one event', async () => {
    for (const [stream, count] of [
      ['big-1', 7],
      ['small-1', 600],
    ] as const) {
      const pages: number[][] = [];
      for await (const page of streamPages(store, stream, 0n)) pages.push(page.map((e) => (e.data as { i: number }).i));
      expect(pages.flat()).toEqual(Array.from({ length: count }, (_, i) => i));
      if (stream === 'big-1') expect(pages.every((p) => p.length * 3 * 1024 * 1024 <= PAGE_BYTES + 3 * 1024 * 1024)).toBe(true);
    }
    const upTo: number[] = [];
    for await (const page of streamPages(store, 'small-1', 10n, 20n)) upTo.push(...page.map((e) => (e.data as { i: number }).i));
    expect(upTo).toEqual(Array.from({ length: 11 }, (_, i) => i + 10));
  });

  it('a subscription delivers every event past a batch its byte budget cut short', async () => {
    const subscription = store.subscribeToAll();
    const seen: string[] = [];
    for await (const event of subscription) {
      seen.push(event.type);
      if (seen.length === 607) break;
    }
    await subscription.close();
    expect(seen.filter((t) => t === 'Big')).toHaveLength(7);
  });
});
