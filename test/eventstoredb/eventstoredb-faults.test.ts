import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventStoreUnavailableError } from '../../src/event-store/event-store.errors';
import { EventStore, EventToAppend, RecordedEvent, START } from '../../src/event-store/event-store.port';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { tempDir } from '../support/temp-dir';
import { EsdbTestServer, startEsdbTestServer } from './esdb-test-server';
import { Receiver } from './receiver';

const event = (i = 0): EventToAppend => ({
  id: randomUUID(),
  type: 'Faulted',
  data: { i },
  metadata: { $correlationId: randomUUID() },
});
const events = (n: number) => Array.from({ length: n }, (_, i) => event(i));
const article = () => `article-${randomUUID()}`;

async function wholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const log: RecordedEvent[] = [];
  for (let batch = await store.readAll({ maxCount: 100 }); batch.length > 0;) {
    log.push(...batch);
    batch = await store.readAll({ after: batch[batch.length - 1].position, maxCount: 100 });
  }
  return log;
}

describe.each([
  ['BatchAppend', true],
  ['Append', false],
])('EventStoreDB adapter when the server drops every connection (appends via %s)', (_path, batchAppend) => {
  let dir: ReturnType<typeof tempDir>;
  let server: EsdbTestServer;
  let store: EventStore;

  beforeEach(async () => {
    dir = tempDir('newsroom-esdb-faults-');
    server = await startEsdbTestServer({ file: join(dir.path, 'events.sqlite'), batchAppend });
    store = await EventStoreDbEventStore.connect(server.url);
  });
  afterEach(async () => {
    await store.close();
    await server.stop();
    dir.remove();
  });

  it('a subscription resumes from its last delivered position with no gap and no duplicate', async () => {
    await Promise.all(Array.from({ length: 30 }, () => store.appendToStream(article(), events(10), 'no_stream')));

    // Held at 40 events, the receiver leaves what the client already buffered undelivered.
    const receiver = new Receiver(store.subscribeToAll({ after: START }), 40);
    await receiver.until(40);
    await server.restart();
    receiver.allow(200);
    await receiver.until(200);
    receiver.allow(Infinity);
    await receiver.until(300);

    // Caught up and live: drop everything again, then append once the server is back.
    await server.restart();
    await Promise.all(Array.from({ length: 5 }, () => store.appendToStream(article(), events(4), 'no_stream')));
    await receiver.until(320);

    const log = await wholeLog(store);
    expect(log).toHaveLength(320);
    expect(receiver.ids).toEqual(log.map((e) => e.id));
    expect(receiver.events.map((e) => e.position)).toEqual(log.map((e) => e.position));
    await receiver.close();
  });

  it('while the server is down, calls fail with EventStoreUnavailableError and nothing is half-written', async () => {
    const stream = article();
    await store.appendToStream(stream, events(2), 'no_stream');
    const receiver = new Receiver(store.subscribeToAll());
    await receiver.until(2);

    await server.stop();
    const refused = [
      store.appendToStream(stream, events(3), 1n),
      store.appendToStream(article(), events(3), 'no_stream'),
      store.readStream(stream),
      store.readAll({ maxCount: 10 }),
      store.headPosition(),
    ];
    for (const call of refused) await expect(call).rejects.toBeInstanceOf(EventStoreUnavailableError);

    await server.start();
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0n, 1n]);
    expect(await wholeLog(store)).toHaveLength(2);
    // The writer retries after the outage, and the subscription goes on as if nothing happened.
    await store.appendToStream(stream, events(3), 1n);
    await receiver.until(5);
    expect(receiver.ids).toEqual((await wholeLog(store)).map((e) => e.id));
    await receiver.close();
  });

  it('a writer that retries the same event ids after an outage writes each event once', async () => {
    const receiver = new Receiver(store.subscribeToAll());
    const writes = Array.from({ length: 40 }, () => ({ stream: article(), events: events(3) }));
    const written = writes.map(async ({ stream, events: batch }, i) => {
      if (i === 20) await server.restart();
      for (;;) {
        try {
          return await store.appendToStream(stream, batch, 'no_stream');
        } catch (error) {
          if (!(error instanceof EventStoreUnavailableError)) throw error;
        }
      }
    });
    await Promise.all(written);
    await receiver.until(120);
    const log = await wholeLog(store);
    expect(log).toHaveLength(120);
    expect(receiver.ids).toEqual(log.map((e) => e.id));
    await receiver.close();
  });

  it('closing a subscription that is waiting for the server to come back ends it', async () => {
    const receiver = new Receiver(store.subscribeToAll());
    await server.stop();
    await receiver.close();
    expect(receiver.events).toEqual([]);
  });
});

describe('EventStoreDB adapter connecting', () => {
  it('to an address where nothing listens fails with EventStoreUnavailableError', async () => {
    const dir = tempDir('newsroom-esdb-faults-');
    const server = await startEsdbTestServer({ file: join(dir.path, 'events.sqlite') });
    await server.stop();
    try {
      await expect(EventStoreDbEventStore.connect(server.url)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      dir.remove();
    }
  });
});
