import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  ReadPosition,
  RecordedEvent as ClientRecordedEvent,
  ResolvedEvent,
  StreamNotFoundError,
} from '@eventstore/db-client';
import {
  AllSubscription,
  AppendResult,
  comparePositions,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  START,
  SubscribeToAllOptions,
} from '../event-store.port';
import { EventStoreUnavailableError } from '../event-store.errors';
import type { StoreCondition, StoreFault, StoreHealth } from '../store-health';
import { appendError, isUnreachable, storeError } from './eventstoredb-errors';
import { isStart, isSystemEvent, LEADER, toClientExpectedRevision, toEventData, toReadPosition, toRecordedEvent } from './eventstoredb-mapping';
import { ResumingSubscription } from './resuming-subscription';

/** Pauses before the 2nd and 3rd attempt of a call that found the server out of reach. */
const RETRY_DELAYS_MS = [50, 250];

/** The largest single read of $all; a caller's maxCount is split into reads of at most this. */
const MAX_READ_BATCH = 4096;
/** A node running projections writes link events after each event, so the tail is mostly `$>`. */
const HEAD_READ_BATCH = 32;

/**
 * The EventStore port on EventStoreDB (gRPC, @eventstore/db-client 6.x): the only module that
 * talks to the client. Revisions and positions pass through unchanged (commit and prepare both
 * kept); data and metadata are JSON. $all holds EventStoreDB's own system events too: reads
 * skip them here, the subscription filters them out on the server.
 */
export class EventStoreDbEventStore implements EventStore, StoreHealth {
  readonly kind = 'eventstoredb';
  private readonly subscriptions = new Set<ResumingSubscription>();
  private closed = false;
  /** Set while the last call (after its retries) found the server out of reach; cleared by the next call that reaches it. */
  private unreachable: StoreFault | null = null;

  private constructor(private readonly client: EventStoreDBClient) {}

  /** Connects to `esdb://...` or `esdb+discover://...` and checks the server answers. */
  static async connect(url: string): Promise<EventStore> {
    const store = new EventStoreDbEventStore(EventStoreDBClient.connectionString(url));
    try {
      await store.headPosition();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /**
   * StoreHealth, for /health and /health/ready: "unavailable" from the moment a call (after its
   * retries) finds EventStoreDB out of reach until a call reaches it again.
   */
  condition(): StoreCondition {
    return this.unreachable ? { status: 'degraded', ...this.unreachable } : { status: 'ok' };
  }

  /** `retried`, noting whether the server was reached (see condition). */
  private async reaching<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await retried(call);
      this.unreachable = null;
      return result;
    } catch (error) {
      if (isUnreachable(error)) {
        const now = new Date().toISOString();
        const detail = 'EventStoreDB is out of reach; commands are refused with 503 and nothing is written until it answers again.';
        this.unreachable = { reason: 'unavailable', code: 'UNAVAILABLE', detail, since: this.unreachable?.since ?? now, lastSeen: now };
      } else {
        // Any other answer means the server was reached.
        this.unreachable = null;
      }
      throw error;
    }
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) throw new Error('The event store is closed');
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const data = events.map(toEventData);
    const expected = toClientExpectedRevision(expectedRevision);
    try {
      // Retrying is safe: the event ids are the same, so an append that did land is a no-op.
      const result = await this.reaching(() => this.client.appendToStream(streamId, data, { ...LEADER, expectedRevision: expected }));
      if (!result.position) throw new Error(`EventStoreDB returned no position for an append to ${streamId}`);
      return { nextExpectedRevision: result.nextExpectedRevision, position: result.position };
    } catch (error) {
      throw appendError(error, streamId, expectedRevision);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const read = () =>
      this.client.readStream(streamId, {
        ...LEADER,
        fromRevision: options.fromRevision ?? 0n,
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
    return (await this.collect(read, `read ${streamId}`)).map(toRecordedEvent);
  }

  async streamRevision(streamId: string): Promise<bigint | null> {
    const read = () => this.client.readStream(streamId, { ...LEADER, fromRevision: END, direction: BACKWARDS, maxCount: 1 });
    const [last] = await this.collect(read, `read ${streamId}`);
    return last ? last.revision : null;
  }

  async readAll({ after = START, maxCount }: ReadAllOptions): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    let cursor = after;
    while (found.length < maxCount) {
      // Reading forwards from a position includes the event at it: ask for one more.
      const batchSize = Math.min(maxCount - found.length + 1, MAX_READ_BATCH);
      const fromPosition = toReadPosition(cursor);
      const read = () => this.client.readAll({ ...LEADER, fromPosition, maxCount: batchSize });
      const batch = (await this.collect(read, 'read $all')).map(toRecordedEvent);
      const from = cursor;
      for (const event of batch) {
        if (comparePositions(event.position, from) <= 0) continue;
        cursor = event.position;
        if (!isSystemEvent(event.type)) found.push(event);
        if (found.length === maxCount) break;
      }
      if (batch.length < batchSize) break;
    }
    return found;
  }

  async headPosition(): Promise<Position> {
    let before: Position | null = null;
    for (;;) {
      const fromPosition: ReadPosition = before ?? END;
      const read = () => this.client.readAll({ ...LEADER, fromPosition, direction: BACKWARDS, maxCount: HEAD_READ_BATCH });
      const batch: RecordedEvent[] = (await this.collect(read, 'read $all backwards')).map(toRecordedEvent);
      const last = batch.find((e) => !isSystemEvent(e.type) && (before === null || comparePositions(e.position, before) < 0));
      if (last) return last.position;
      if (batch.length < HEAD_READ_BATCH) return START;
      before = batch[batch.length - 1].position;
    }
  }

  /**
   * Forwards from a position includes the event at it, so the first event read is the one at
   * `position` if any stands there. A position that is no record boundary of this server's log
   * (a checkpoint taken on another server) is not an error for the caller: nothing stands there.
   */
  async eventIdAt(position: Position): Promise<string | null> {
    if (isStart(position)) return null;
    const fromPosition = toReadPosition(position);
    try {
      const [first] = await this.collect(() => this.client.readAll({ ...LEADER, fromPosition, maxCount: 1 }), 'read $all');
      const found = first && toRecordedEvent(first);
      return found && comparePositions(found.position, position) === 0 ? found.id : null;
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) throw error;
      return null;
    }
  }

  /**
   * None: EventStoreDB has no place for an identity of ours short of a stream in the user's log,
   * and the first events of $all are the server's own. Readers there rely on the head and on the
   * id of the event at their checkpoint (eventIdAt), which tell a replaced log just as well once
   * it holds anything.
   */
  async identity(): Promise<null> {
    return null;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    if (this.closed) throw new Error('The event store is closed');
    const subscription = new ResumingSubscription(this.client, options.after ?? START, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /** Drains one bounded read; a stream that does not exist reads as empty. */
  private async collect(read: () => AsyncIterable<ResolvedEvent>, operation: string): Promise<ClientRecordedEvent[]> {
    if (this.closed) throw new Error('The event store is closed');
    try {
      return await this.reaching(async () => {
        const events: ClientRecordedEvent[] = [];
        for await (const resolved of read()) if (resolved.event) events.push(resolved.event);
        return events;
      });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw storeError(error, operation);
    }
  }
}

/**
 * Runs a call up to three times while the server is out of reach. The client shares one
 * channel between calls and closes it when any call on it fails with UNAVAILABLE, so right
 * after a reconnect a call can fail without ever reaching the server; the retry gets the new
 * channel. A real outage still surfaces, a third of a second later.
 */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= RETRY_DELAYS_MS.length || !isUnreachable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  }
}
