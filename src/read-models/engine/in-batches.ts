import { setImmediate as nextTurn } from 'node:timers/promises';

export interface Batch<T> {
  readonly items: T[];
  /** Nothing more was ready when the batch closed: the reader has reached the head of the log. */
  readonly caughtUp: boolean;
}

/**
 * Groups what an async iterable yields into batches: a batch closes when it is full, or when the
 * next item is not ready within the current turn of the event loop (then `caughtUp` is true).
 * During catch-up items come in at memory speed and batches are full; when live, each batch is
 * whatever arrived together. An empty caught-up batch is yielded once when the source goes quiet.
 * Stopping is the source's business (AllSubscription.close ends its iteration), so this never
 * calls return() on it: that would wait behind a pending next() until the next event.
 */
export async function* inBatches<T>(
  source: AsyncIterable<T>,
  maxSize: number,
  /** Items of one group (the events of one append) are never split across full batches. */
  sameGroup: (a: T, b: T) => boolean = () => false,
  /** A batch is also full once the items' sizes add up to `maxBytes` (e.g. events' text). */
  bytes: { sizeOf: (item: T) => number; maxBytes: number } = { sizeOf: () => 0, maxBytes: Infinity },
): AsyncGenerator<Batch<T>> {
  let size = 0;
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  let items: T[] = [];
  let quiet = false;
  // One timer per turn of the event loop, shared by every item that arrives within it.
  let turn: Promise<'quiet'> | null = null;
  const endOfTurn = () => (turn ??= nextTurn().then(() => ((turn = null), 'quiet' as const)));
  for (;;) {
    pending ??= iterator.next();
    let next: IteratorResult<T> | 'quiet';
    try {
      next = quiet ? await pending : await Promise.race([pending, endOfTurn()]);
    } catch (error) {
      // What the source gave before it failed (e.g. the events before a damaged one) still counts.
      if (items.length > 0) yield { items, caughtUp: false };
      throw error;
    }
    if (next === 'quiet') {
      quiet = true;
      yield { items, caughtUp: true };
      items = [];
      size = 0;
      continue;
    }
    pending = null;
    quiet = false;
    if (next.done) {
      if (items.length > 0) yield { items, caughtUp: false };
      return;
    }
    if ((items.length >= maxSize || size >= bytes.maxBytes) && !sameGroup(items[items.length - 1], next.value)) {
      yield { items, caughtUp: false };
      items = [];
      size = 0;
    }
    items.push(next.value);
    size += bytes.sizeOf(next.value);
  }
}
