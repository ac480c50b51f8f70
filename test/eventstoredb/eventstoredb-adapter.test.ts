import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventStoreUnavailableError } from '../../src/event-store/event-store.errors';
import { EventStore, EventToAppend, formatPosition, RecordedEvent, START } from '../../src/event-store/event-store.port';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { tempDir } from '../support/temp-dir';
import { EsdbTestServer, startEsdbTestServer } from './esdb-test-server';
import { Receiver } from './receiver';

const event = (type: string, i = 0): EventToAppend => ({
  id: randomUUID(),
  type,
  data: { i },
  metadata: { $correlationId: randomUUID(), $causationId: randomUUID() },
});

/** What a node running the standard projections writes after a user event: links to it. */
async function linksTo(store: EventStore, recorded: RecordedEvent): Promise<void> {
  const link = (stream: string) => store.appendToStream(stream, [{ ...event('$>'), data: `${recorded.revision}@${recorded.streamId}` }], 'any');
  await link('$ce-article');
  await link(`$et-${recorded.type}`);
  await store.appendToStream('$stats-127.0.0.1:2113', [event('$statsCollected')], 'any');
}

describe('EventStoreDB adapter (through the protocol test server)', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: EsdbTestServer;
  let store: EventStore;

  beforeEach(async () => {
    dir = tempDir('newsroom-esdb-adapter-');
    server = await startEsdbTestServer({ file: join(dir.path, 'events.sqlite') });
    store = await EventStoreDbEventStore.connect(server.url);
  });
  afterEach(async () => {
    await store.close();
    await server.stop();
    dir.remove();
  });

  it('says what it is', () => {
    expect(store.kind).toBe('eventstoredb');
  });

  it('keeps both halves of a position, and reads and subscribes from it', async () => {
    const stream = `article-${randomUUID()}`;
    const first = await store.appendToStream(stream, [event('ArticleDrafted')], 'no_stream');
    await store.appendToStream(stream, [event('HeadlineRevised')], 0n);
    // The test server's prepare is always commit - 1: an adapter that dropped it would be refused.
    expect(first.position.prepare).toBe(first.position.commit - 1n);
    expect(formatPosition(first.position)).toBe(`${first.position.commit}/${first.position.prepare}`);
    const after = await store.readAll({ after: first.position, maxCount: 10 });
    expect(after.map((e) => e.type)).toEqual(['HeadlineRevised']);
    const receiver = new Receiver(store.subscribeToAll({ after: first.position }));
    await receiver.until(1);
    expect(receiver.events.map((e) => e.type)).toEqual(['HeadlineRevised']);
    await receiver.close();
  });

  it("leaves EventStoreDB's system events out of reads, the head and subscriptions", async () => {
    const stream = `article-${randomUUID()}`;
    for (let i = 0; i < 10; i++) {
      await store.appendToStream(stream, [event('BodyRevised', i)], i === 0 ? 'no_stream' : BigInt(i - 1));
      const [recorded] = await store.readStream(stream, { fromRevision: BigInt(i) });
      await linksTo(store, recorded);
    }
    const user = await store.readStream(stream);

    const pages: RecordedEvent[][] = [];
    for (let after = START; ;) {
      const page = await store.readAll({ after, maxCount: 4 });
      if (page.length === 0) break;
      pages.push(page);
      after = page[page.length - 1].position;
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat().map((e) => e.id)).toEqual(user.map((e) => e.id));
    expect(await store.headPosition()).toEqual(user[9].position);

    const receiver = new Receiver(store.subscribeToAll());
    await receiver.until(10);
    await store.appendToStream(stream, [event('ArticlePublished')], 9n);
    await receiver.until(11);
    expect(receiver.events.map((e) => e.type)).toEqual([...user.map((e) => e.type), 'ArticlePublished']);
    await receiver.close();
  });

  it('reads back metadata with $correlationId and $causationId, and the time the server recorded', async () => {
    const stream = `article-${randomUUID()}`;
    const sent = event('ArticleDrafted');
    const before = Date.now();
    await store.appendToStream(stream, [sent], 'no_stream');
    const [recorded] = await store.readStream(stream);
    expect(recorded.metadata).toEqual(sent.metadata);
    expect(Date.parse(recorded.recordedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(recorded.recordedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('passes on a refused append as it is, without retrying it or calling the server unavailable', async () => {
    const stream = `article-${randomUUID()}`;
    const refused = store.appendToStream(stream, [{ ...event('ArticleDrafted'), id: 'not-a-uuid' }], 'no_stream');
    await expect(refused).rejects.toThrow();
    await expect(refused).rejects.not.toBeInstanceOf(EventStoreUnavailableError);
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('finds the leader through gossip with an esdb+discover:// URL', async () => {
    const discovered = await EventStoreDbEventStore.connect(server.discoverUrl);
    try {
      const stream = `article-${randomUUID()}`;
      await discovered.appendToStream(stream, [event('ArticleDrafted')], 'no_stream');
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['ArticleDrafted']);
    } finally {
      await discovered.close();
    }
  });
});
