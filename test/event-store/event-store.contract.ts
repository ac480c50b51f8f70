import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError } from '../../src/event-store/event-store.errors';
import { comparePositions, EventStore, EventToAppend, Position, RecordedEvent, START } from '../../src/event-store/event-store.port';

/** How a suite gets a fresh, empty store of the adapter under test. */
export interface StoreFixture {
  store: EventStore;
  /** Closes the store and removes what it wrote. */
  dispose(): Promise<void>;
}

const event = (type = 'Tested', data: Record<string, unknown> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data: data as EventToAppend['data'],
  metadata: { $correlationId: randomUUID() },
});

const streamName = () => `contract-${randomUUID()}`;

/** Collects `count` events from a subscription, then closes it. */
async function take(store: EventStore, after: Position, count: number): Promise<RecordedEvent[]> {
  const subscription = store.subscribeToAll({ after });
  const seen: RecordedEvent[] = [];
  for await (const recorded of subscription) {
    seen.push(recorded);
    if (seen.length === count) break;
  }
  await subscription.close();
  return seen;
}

/**
 * The EventStore contract: one suite, written once, that every adapter runs. A test here
 * states a rule of EventStoreDB's model that the rest of Newsroom relies on.
 */
export function eventStoreContract(adapter: string, open: () => Promise<StoreFixture>): void {
  describe(`EventStore contract: ${adapter}`, () => {
    let fixture: StoreFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => fixture.dispose());

    describe('expected revision', () => {
      it('no_stream creates a stream and refuses an existing one', async () => {
        const stream = streamName();
        const first = await store.appendToStream(stream, [event(), event()], 'no_stream');
        expect(first.nextExpectedRevision).toBe(1n);
        await expect(store.appendToStream(stream, [event()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('an exact revision appends only when the stream is at it', async () => {
        const stream = streamName();
        await store.appendToStream(stream, [event()], 'no_stream');
        const next = await store.appendToStream(stream, [event()], 0n);
        expect(next.nextExpectedRevision).toBe(1n);
        const stale = store.appendToStream(stream, [event(), event()], 0n);
        await expect(stale).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(stale).rejects.toMatchObject({ streamId: stream, expected: 0n, actual: 1n });
        await expect(store.appendToStream(stream, [event()], 5n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0n, 1n]);
      });

      it('an exact revision on a stream that does not exist is refused', async () => {
        const stream = streamName();
        await expect(store.appendToStream(stream, [event()], 0n)).rejects.toMatchObject({
          actual: 'no_stream',
        });
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('stream_exists refuses a new stream and accepts an existing one', async () => {
        const stream = streamName();
        await expect(store.appendToStream(stream, [event()], 'stream_exists')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await store.appendToStream(stream, [event()], 'no_stream');
        const result = await store.appendToStream(stream, [event()], 'stream_exists');
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('any appends whatever the stream holds', async () => {
        const stream = streamName();
        expect((await store.appendToStream(stream, [event()], 'any')).nextExpectedRevision).toBe(0n);
        expect((await store.appendToStream(stream, [event()], 'any')).nextExpectedRevision).toBe(1n);
      });

      it('of concurrent appends at one revision exactly one wins and the other writes nothing', async () => {
        const stream = streamName();
        await store.appendToStream(stream, [event()], 'no_stream');
        const attempts = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.appendToStream(stream, [event('Attempt', { i })], 0n)));
        expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
        for (const failed of attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected')) {
          expect(failed.reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('idempotent re-append', () => {
      it('re-appending the same ids at the same place writes nothing and succeeds', async () => {
        const stream = streamName();
        const batch = [event(), event()];
        const first = await store.appendToStream(stream, batch, 'no_stream');
        const again = await store.appendToStream(stream, batch, 'no_stream');
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(again.position).toEqual(first.position);

        const later = [event()];
        await store.appendToStream(stream, later, 1n);
        expect((await store.appendToStream(stream, later, 1n)).nextExpectedRevision).toBe(2n);
        expect((await store.appendToStream(stream, later, 'any')).nextExpectedRevision).toBe(2n);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('the same ids at another place are not mistaken for a retry', async () => {
        const stream = streamName();
        const batch = [event()];
        await store.appendToStream(stream, batch, 'no_stream');
        await store.appendToStream(stream, [event()], 0n);
        await expect(store.appendToStream(stream, [event()], 0n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('reading', () => {
      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(streamName())).toEqual([]);
        expect(await store.streamRevision(streamName())).toBeNull();
      });

      it('records id, type, data, metadata, revision, position and time', async () => {
        const stream = streamName();
        const sent = event('Recorded', { text: 'Friedrich Merz', n: 3, nested: { list: [1, 'a', null] } });
        const result = await store.appendToStream(stream, [sent], 'no_stream');
        const [recorded] = await store.readStream(stream);
        expect(recorded).toMatchObject({
          id: sent.id,
          streamId: stream,
          type: 'Recorded',
          revision: 0n,
          data: sent.data,
          metadata: sent.metadata,
          position: result.position,
        });
        expect(Number.isNaN(Date.parse(recorded.recordedAt))).toBe(false);
        expect(await store.streamRevision(stream)).toBe(0n);
      });

      it('reads a stream forwards from a revision, bounded', async () => {
        const stream = streamName();
        await store.appendToStream(
          stream,
          Array.from({ length: 10 }, (_, i) => event('N', { i })),
          'no_stream',
        );
        const page = await store.readStream(stream, { fromRevision: 4n, maxCount: 3 });
        expect(page.map((e) => e.revision)).toEqual([4n, 5n, 6n]);
        expect(page.map((e) => (e.data as { i: number }).i)).toEqual([4, 5, 6]);
      });

      it('keeps a 1 MiB event intact', async () => {
        const stream = streamName();
        const text = 'Ж'.repeat(512 * 1024) + 'x'.repeat(1024);
        await store.appendToStream(stream, [event('Large', { text })], 'no_stream');
        const [recorded] = await store.readStream(stream);
        expect((recorded.data as { text: string }).text).toBe(text);
      });
    });

    describe('the global log', () => {
      it('orders every event of every stream by strictly increasing position', async () => {
        const from = await store.headPosition();
        const streams = Array.from({ length: 50 }, streamName);
        await Promise.all(streams.map((s, i) => store.appendToStream(s, [event('A', { i }), event('B', { i })], 'no_stream')));
        const read: RecordedEvent[] = [];
        let after = from;
        for (;;) {
          const batch = await store.readAll({ after, maxCount: 7 });
          expect(batch.length).toBeLessThanOrEqual(7);
          if (batch.length === 0) break;
          read.push(...batch);
          after = batch[batch.length - 1].position;
        }
        expect(read).toHaveLength(100);
        for (let i = 1; i < read.length; i++) {
          expect(comparePositions(read[i - 1].position, read[i].position)).toBe(-1);
        }
        // Within each stream the log keeps revision order, and an append's events stay together.
        for (const s of streams) {
          const own = read.filter((e) => e.streamId === s);
          expect(own.map((e) => e.type)).toEqual(['A', 'B']);
          expect(own.map((e) => e.revision)).toEqual([0n, 1n]);
        }
        expect(comparePositions(await store.headPosition(), read[read.length - 1].position)).toBe(0);
      });

      it('an append reports the position of its last event in the log', async () => {
        const stream = streamName();
        const result = await store.appendToStream(stream, [event(), event()], 'no_stream');
        const [, last] = await store.readStream(stream);
        expect(last.position).toEqual(result.position);
      });

      it('names the event at a position, and nothing where none stands (a reader checks its checkpoint so)', async () => {
        const stream = streamName();
        const sent = [event(), event(), event()];
        await store.appendToStream(stream, sent, 'no_stream');
        const recorded = await store.readStream(stream);
        for (const [i, e] of recorded.entries()) expect(await store.eventIdAt(e.position)).toBe(sent[i].id);
        const head = await store.headPosition();
        expect(await store.eventIdAt({ commit: head.commit + 1000n, prepare: head.prepare + 1000n })).toBeNull();
        expect(await store.eventIdAt(START)).toBeNull();
      });

      it('keeps one identity (or none) for the life of the store', async () => {
        const identity = await store.identity();
        await store.appendToStream(streamName(), [event()], 'no_stream');
        expect(await store.identity()).toBe(identity);
      });
    });

    describe('subscribing to the global log', () => {
      it('catches up, then goes live, with no gap and no duplicate under concurrent appends', async () => {
        const from = await store.headPosition();
        const streams = Array.from({ length: 20 }, streamName);
        await Promise.all(streams.slice(0, 10).map((s) => store.appendToStream(s, [event(), event()], 'no_stream')));

        const received = take(store, from, 60);
        // Live appends race the catch-up: 20 concurrent appenders, some to new streams.
        await Promise.all([
          ...streams.slice(10).map((s) => store.appendToStream(s, [event(), event()], 'no_stream')),
          ...streams.slice(0, 10).map((s) => store.appendToStream(s, [event(), event()], 1n)),
        ]);
        const seen = await received;

        const ids = seen.map((e) => e.id);
        expect(new Set(ids).size).toBe(60);
        const log = await store.readAll({ after: from, maxCount: 1000 });
        expect(ids).toEqual(log.map((e) => e.id));
      });

      it('resumes from a checkpoint with exactly the events after it', async () => {
        const stream = streamName();
        const from = await store.headPosition();
        await store.appendToStream(
          stream,
          Array.from({ length: 6 }, (_, i) => event('N', { i })),
          'no_stream',
        );
        const firstThree = await take(store, from, 3);
        const checkpoint = firstThree[2].position;
        const rest = store.appendToStream(stream, [event('N', { i: 6 })], 5n);
        const resumed = await take(store, checkpoint, 4);
        await rest;
        expect(resumed.map((e) => (e.data as { i: number }).i)).toEqual([3, 4, 5, 6]);
      });

      it('delivers an event appended after the subscriber has caught up', async () => {
        const from = await store.headPosition();
        const stream = streamName();
        const received = take(store, from, 1);
        await new Promise((resolve) => setImmediate(resolve));
        await store.appendToStream(stream, [event('Late')], 'no_stream');
        expect((await received).map((e) => e.type)).toEqual(['Late']);
      });

      it('from START delivers the whole log', async () => {
        await store.appendToStream(streamName(), [event(), event(), event()], 'no_stream');
        const head = await store.headPosition();
        const all: RecordedEvent[] = [];
        const subscription = store.subscribeToAll({ after: START });
        for await (const e of subscription) {
          all.push(e);
          if (comparePositions(e.position, head) === 0) break;
        }
        await subscription.close();
        expect(all.length).toBeGreaterThanOrEqual(3);
        expect(all.map((e) => e.id)).toEqual((await store.readAll({ after: START, maxCount: all.length })).map((e) => e.id));
      });
    });

    describe('many streams', () => {
      it('keeps 1,000 streams apart', async () => {
        const streams = Array.from({ length: 1000 }, streamName);
        await Promise.all(streams.map((s, i) => store.appendToStream(s, [event('N', { i })], 'no_stream')));
        const sample = [0, 499, 999];
        for (const i of sample) {
          const events = await store.readStream(streams[i]);
          expect(events.map((e) => (e.data as { i: number }).i)).toEqual([i]);
        }
      });
    });
  });
}
