import { comparePositions, EventStore, Position } from '../../event-store/event-store.port';

/** Beyond this many, counting by reading the log costs more than the number is worth. */
const COUNT_CAP = 100_000;
const COUNT_BATCH = 2_000;

/**
 * How many events of the log lie after `after`, up to `head`: the lag of a projection and the
 * total of a rebuild. The embedded store numbers events 1, 2, 3... so that is a subtraction;
 * EventStoreDB positions are byte offsets, so there the events are counted (up to a cap).
 */
export async function eventsAfter(store: EventStore, after: Position, head: Position): Promise<number> {
  if (comparePositions(after, head) >= 0) return 0;
  if (store.kind === 'embedded') return Number(head.commit - (after.commit < 0n ? 0n : after.commit));
  let count = 0;
  let from = after;
  while (count < COUNT_CAP) {
    const batch = await store.readAll({ after: from, maxCount: COUNT_BATCH });
    for (const event of batch) {
      if (comparePositions(event.position, head) > 0) return count;
      count++;
    }
    if (batch.length < COUNT_BATCH) return count;
    from = batch[batch.length - 1].position;
  }
  return count;
}
