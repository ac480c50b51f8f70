import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EventStoreUnavailableError } from '../../src/event-store/event-store.errors';
import { EventToAppend } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

const event = (): EventToAppend => ({ id: randomUUID(), type: 'Written', data: { text: 'x' }, metadata: {} });

/**
 * The group commit runs on the store's writer thread: while it waits for the write lock or holds
 * its transaction open, the caller's event loop keeps running, and the append is acknowledged
 * only once the group is committed. Asserted by order of events, not by time.
 */
describe('embedded store: commits off the event loop', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = tempDir('newsroom-writer-thread-');
    file = join(dir.path, 'events.sqlite');
    // Long enough that a writer blocking this thread on the lock would hold it far beyond the test.
    store = new SqliteEventStore(file, { busyTimeoutMs: 25_000 });
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('while the writer waits for a lock another connection holds, this thread runs, reads, and is the one that lets the lock go', async () => {
    await store.appendToStream('warm', [event()], 'no_stream');
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    let settled = false;
    const append = store.appendToStream('waiting', [event()], 'no_stream').finally(() => (settled = true));
    // Turns of this event loop after the group was sent: a commit on this thread would have
    // blocked here until busy_timeout, then failed with SQLITE_BUSY.
    await nextTurn();
    await nextTurn();
    expect(settled).toBe(false);
    expect(await store.readStream('waiting')).toEqual([]);
    other.exec('COMMIT');
    other.close();
    await expect(append).resolves.toMatchObject({ nextExpectedRevision: 0n });
    expect(await store.readStream('waiting')).toHaveLength(1);
  });

  it('a callback of this thread runs while the group transaction is open, and the append is acknowledged after it', async () => {
    const seen: string[] = [];
    store.injectFaultForTests({
      duringCommit: () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            // A later turn of this loop, with the group's rows written but not committed: not visible yet.
            try {
              seen.push(`turn: ${store['reader'].readStream('open', 0n, -1).length} events visible`);
            } catch (error) {
              seen.push(`turn: ${(error as Error).message}`);
            }
            resolve();
          }),
        ),
    });
    await store.appendToStream('open', [event()], 'no_stream').then(() => seen.push('acknowledged'));
    expect(seen).toEqual(['turn: 0 events visible', 'acknowledged']);
    expect(await store.readStream('open')).toHaveLength(1);
  });

  it('a writer thread that ends under the store: appends refused as unavailable, and /health says so', async () => {
    await store.appendToStream('kept', [event()], 'no_stream');
    const exited = new Promise((resolve) => store['writer'].once('exit', resolve));
    await store['writer'].terminate();
    await exited;
    await expect(store.appendToStream('refused', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(store.probe()).toMatchObject({ status: 'degraded', reason: 'unavailable', code: 'WRITER_THREAD_LOST' });
    expect(await store.readStream('kept')).toHaveLength(1);
  });

  it('close() commits and acknowledges the appends already accepted, then refuses new ones', async () => {
    const accepted = Array.from({ length: 10 }, (_, i) => store.appendToStream(`closing-${i}`, [event()], 'no_stream'));
    const closed = store.close();
    await expect(store.appendToStream('late', [event()], 'no_stream')).rejects.toThrow(/closed/);
    await expect(Promise.all(accepted)).resolves.toHaveLength(10);
    await closed;
    store = new SqliteEventStore(file);
    for (let i = 0; i < 10; i++) expect(await store.readStream(`closing-${i}`)).toHaveLength(1);
    expect(await store.readStream('late')).toEqual([]);
  });
});
