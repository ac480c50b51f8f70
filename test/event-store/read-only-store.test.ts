import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EventToAppend, START } from '../../src/event-store/event-store.port';
import { eventsFile, openEventStore, openEventStoreForReading } from '../../src/event-store/event-store.module';
import { ReadOnlyEventStoreError, ReadOnlySqliteEventStore } from '../../src/event-store/read-only-sqlite-event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { startWriterThread } from '../../src/event-store/writer-thread';
import { tempDir } from '../support/temp-dir';

// Every writer thread an embedded store starts goes through startWriterThread: counted here.
jest.mock('../../src/event-store/writer-thread', () => {
  const actual = jest.requireActual<typeof import('../../src/event-store/writer-thread')>('../../src/event-store/writer-thread');
  return { ...actual, startWriterThread: jest.fn(actual.startWriterThread) };
});
const started = jest.mocked(startWriterThread);

const event = (text: string): EventToAppend => ({ id: randomUUID(), type: 'Written', data: { text }, metadata: {} });

/**
 * The read models' threads open the embedded store read-only (openEventStoreForReading): they
 * read the log the server's store writes, start no writer thread of their own, and refuse to
 * write rather than write through a second writer.
 */
describe('embedded store opened for reading', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: SqliteEventStore;
  let reading: ReadOnlySqliteEventStore;
  const config = () => ({ dataDir: dir.path, eventStoreUrl: null });

  beforeEach(async () => {
    dir = tempDir('newsroom-read-only-');
    server = new SqliteEventStore(eventsFile(dir.path));
    await server.appendToStream('s-1', [event('one'), event('two')], 'no_stream');
  });
  afterEach(async () => {
    await reading?.close();
    await server.close();
    dir.remove();
  });

  it('starts no writer thread (the server store does start one)', async () => {
    started.mockClear();
    const store = await openEventStoreForReading(config());
    expect(store).toBeInstanceOf(ReadOnlySqliteEventStore);
    reading = store as ReadOnlySqliteEventStore;
    expect(started).not.toHaveBeenCalled();

    // The spy does see a store that writes: the count above is not blind.
    const writing = await openEventStore(config());
    expect(started).toHaveBeenCalledTimes(1);
    await writing.close();
  });

  it('reads what the server store wrote, with the same identity', async () => {
    reading = new ReadOnlySqliteEventStore(eventsFile(dir.path));
    expect(await reading.identity()).toBe(await server.identity());
    expect(await reading.headPosition()).toEqual(await server.headPosition());
    expect((await reading.readStream('s-1')).map((e) => e.data)).toEqual([{ text: 'one' }, { text: 'two' }]);
    expect((await reading.readAll({ after: START, maxCount: 10 })).map((e) => e.revision)).toEqual([0n, 1n]);
    expect(await reading.streamRevision('s-1')).toBe(1n);
  });

  it('refuses an append loudly and writes nothing', async () => {
    reading = new ReadOnlySqliteEventStore(eventsFile(dir.path));
    await expect(reading.appendToStream('s-2', [event('never')], 'no_stream')).rejects.toThrow(ReadOnlyEventStoreError);
    await expect(reading.appendToStream('s-1', [event('never')], 'any')).rejects.toThrow(/read-only/);
    expect(await server.streamRevision('s-2')).toBeNull();
    expect(await server.streamRevision('s-1')).toBe(1n);
  });

  it("a subscription delivers the log, then the server store's commits once woken", async () => {
    reading = new ReadOnlySqliteEventStore(eventsFile(dir.path));
    const subscription = reading.subscribeToAll();
    const events = subscription[Symbol.asyncIterator]();
    expect(((await events.next()).value as { data: unknown }).data).toEqual({ text: 'one' });
    expect(((await events.next()).value as { data: unknown }).data).toEqual({ text: 'two' });
    const next = events.next();
    await server.appendToStream('s-1', [event('three')], 1n);
    reading.wakeSubscriptions();
    expect(((await next).value as { data: unknown }).data).toEqual({ text: 'three' });
    await subscription.close();
  });

  it('opens no file that does not exist: a reader creates nothing', () => {
    const missing = eventsFile(`${dir.path}/elsewhere`);
    expect(() => new ReadOnlySqliteEventStore(missing)).toThrow();
    expect(existsSync(missing)).toBe(false);
  });
});
