import { AllStreamSubscription, EventStoreDBClient, excludeSystemEvents } from '@eventstore/db-client';
import { AllSubscription, comparePositions, Position, RecordedEvent } from '../event-store.port';
import { isUnreachable, storeError } from './eventstoredb-errors';
import { LEADER, toReadPosition, toRecordedEvent } from './eventstoredb-mapping';

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2_000;

/**
 * A catch-up subscription to $all that outlives dropped connections. Each gRPC subscription
 * starts strictly after `last`, the position of the last event handed to the consumer, and
 * `last` moves only when an event is handed over. So when the connection drops, events that
 * were received but not yet handed over are simply asked for again: no gap. Events at or
 * before `last` are skipped, so a server that repeats one cannot cause a duplicate.
 *
 * The filter is server-side (`excludeSystemEvents`): links and stats never cross the wire.
 */
export class ResumingSubscription implements AllSubscription {
  private closed = false;
  private current: AllStreamSubscription | null = null;
  private wakeFromBackoff: (() => void) | null = null;
  private readonly iterator: AsyncGenerator<RecordedEvent>;

  constructor(
    private readonly client: EventStoreDBClient,
    private last: Position,
    private readonly onClose: (subscription: ResumingSubscription) => void,
  ) {
    this.iterator = this.events();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeFromBackoff?.();
    this.stop(this.current);
    this.onClose(this);
  }

  private async *events(): AsyncGenerator<RecordedEvent> {
    let failures = 0;
    try {
      while (!this.closed) {
        const subscription = this.client.subscribeToAll({
          ...LEADER,
          fromPosition: toReadPosition(this.last),
          filter: excludeSystemEvents(),
        });
        this.current = subscription;
        try {
          for await (const resolved of subscription) {
            if (this.closed) return;
            if (!resolved.event) continue;
            const event = toRecordedEvent(resolved.event);
            if (comparePositions(event.position, this.last) <= 0) continue;
            failures = 0;
            this.last = event.position;
            yield event;
          }
        } catch (error) {
          if (this.closed) return;
          if (!isUnreachable(error)) throw storeError(error, 'subscribe to $all');
        } finally {
          this.current = null;
          this.stop(subscription);
        }
        // The server ended the subscription or the connection dropped: resume after `last`.
        failures++;
        await this.backoff(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1)));
      }
    } finally {
      this.closed = true;
      this.onClose(this);
    }
  }

  private backoff(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeFromBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.wakeFromBackoff = null));
  }

  /**
   * Ends the readable, so a pending `next()` returns, and cancels the gRPC call. The cancel is
   * not awaited: it waits for the call to exist, and finding a cluster's leader can take seconds.
   */
  private stop(subscription: AllStreamSubscription | null): void {
    if (!subscription) return;
    subscription.destroy();
    subscription.unsubscribe().catch(() => undefined);
  }
}
