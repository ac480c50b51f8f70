import { comparePositions, EventStore, formatPosition, parsePosition, START } from '../../event-store/event-store.port';
import { GenerationRow } from './read-model-db';

/** The generation follows this log (lastEventId: the log's id at its checkpoint), or why not. */
export type LogCheck = { follows: true; lastEventId: string | null } | { follows: false; reason: string };

/**
 * Whether a generation of a read model was built from this store's log (issue 16): the same
 * store identity (when both know one), a checkpoint no further than the log's head, and at the
 * checkpoint the very event the generation applied last. A log deleted, or restored from an
 * older backup, fails one of these; a generation at START follows any log. A generation from a
 * file older than these checks has no last event id: the head and an event standing at its
 * checkpoint are all it can be held to. Costs two reads of the store.
 */
export async function checkFollows(store: EventStore, row: GenerationRow, storeId: string | null): Promise<LogCheck> {
  if (row.storeId !== null && storeId !== null && row.storeId !== storeId) {
    return { follows: false, reason: `it was built from event store ${row.storeId}, and this one is ${storeId}` };
  }
  const checkpoint = parsePosition(row.checkpoint)!;
  if (comparePositions(checkpoint, START) === 0) return { follows: true, lastEventId: null };
  const head = await store.headPosition();
  if (comparePositions(checkpoint, head) > 0) {
    return { follows: false, reason: `its checkpoint ${row.checkpoint} is beyond the log's head ${formatPosition(head)}` };
  }
  const id = await store.eventIdAt(checkpoint);
  if (id === null) return { follows: false, reason: `no event of the log stands at its checkpoint ${row.checkpoint}` };
  if (row.lastEventId !== null && id !== row.lastEventId) {
    return {
      follows: false,
      reason: `the log's event at its checkpoint ${row.checkpoint} is ${id}, not ${row.lastEventId}, the last one it applied`,
    };
  }
  return { follows: true, lastEventId: id };
}
