import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AllSubscription, RecordedEvent, START, SubscribeToAllOptions } from './event-store.port';
import { SqliteEventReader } from './sqlite-event-reader';

const SUBSCRIPTION_BATCH = 512;
/** Bytes of event text a subscription reads at once: one batch of maximum-size events must not fill the heap. */
const SUBSCRIPTION_BATCH_BYTES = 8 * 1024 * 1024;

/** What a subscription to an embedded store's log needs of the store object it belongs to. */
export interface LogFeed {
  reader: SqliteEventReader;
  /** Emits "appended" after each commit or wake (see ticks), and "closed" once the store closes. */
  signals: EventEmitter;
  /** Commits and wakes seen so far: a read noted before one is never the last word. */
  ticks(): number;
  /** Whether the store object is closed: subscriptions then end. */
  closed(): boolean;
  /**
   * Whether a store file was found replaced: delivery pauses (until the store closes), since
   * what was read after it may not survive the process and may belong to another server.
   */
  replaced(): boolean;
}

/**
 * A subscription to the log of an embedded store (SqliteEventStore, ReadOnlySqliteEventStore):
 * the events after `options.after`, in batches of at most 512 events or 8 MiB of event text,
 * then each commit's events once the store is woken ("appended"). Iterating throws
 * DamagedEventError after delivering every event before the damaged one.
 */
export function subscribeToLog(feed: LogFeed, options: SubscribeToAllOptions = {}): AllSubscription {
  let closed = false;
  let wake: (() => void) | null = null;
  const onAppend = () => wake?.();
  const close = async () => {
    closed = true;
    feed.signals.off('appended', onAppend);
    feed.signals.off('closed', onAppend);
    onAppend();
  };
  feed.signals.on('appended', onAppend);
  feed.signals.on('closed', onAppend);
  async function* events(): AsyncGenerator<RecordedEvent> {
    let after = options.after ?? START;
    try {
      while (!closed && !feed.closed()) {
        // A replaced file stops delivery too: what was read after it may not survive the process
        // (a group refused after its commit), and the read models may belong to another server.
        if (feed.replaced()) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        // Note the commit count before reading: a commit after the read is never missed.
        const seen = feed.ticks();
        const { events: batch, damage } = feed.reader.readAll(after.commit, SUBSCRIPTION_BATCH, SUBSCRIPTION_BATCH_BYTES);
        for (const event of batch) {
          if (closed) return;
          yield event;
          after = event.position;
        }
        // Everything before the damaged event has been delivered: the subscriber stops there.
        if (damage) throw damage;
        // A batch cut short by its byte budget is not the end of the log.
        if (batch.length < SUBSCRIPTION_BATCH && feed.ticks() === seen && !closed && (feed.reader.head() ?? -1n) <= after.commit) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          // Woken inside the commit's turn of the event loop: read in a turn of our own, so
          // that requests waiting meanwhile are served between the commit and the reading.
          await nextTurn();
        }
      }
    } finally {
      await close();
    }
  }
  const iterable = events();
  return { [Symbol.asyncIterator]: () => iterable, close };
}
