import { setImmediate as nextTurn } from 'node:timers/promises';
import { EventStore, RecordedEvent } from './event-store.port';

/** Events per round trip when a stream is read in full (folds, audits). */
export const PAGE_EVENTS = 256;
/** Bytes of event text per round trip: one event may hold a maximum-size body of tens of MB. */
export const PAGE_BYTES = 8 * 1024 * 1024;

/**
 * The events of a stream from `fromRevision` to `toRevision` (inclusive; to its end when
 * omitted), a page at a time: at most PAGE_EVENTS events or PAGE_BYTES of event text per read,
 * so memory follows the page, not the stream. Revisions are bigints. Store errors pass through.
 */
export async function* streamPages(store: EventStore, streamId: string, fromRevision: bigint, toRevision?: bigint): AsyncGenerator<RecordedEvent[]> {
  for (let from = fromRevision; ;) {
    const wanted = toRevision === undefined ? PAGE_EVENTS : Math.min(PAGE_EVENTS, Number(toRevision - from + 1n));
    if (wanted <= 0) return;
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: wanted, maxBytes: PAGE_BYTES });
    if (page.length === 0) return;
    yield page;
    // A page's reading and parsing ran on the event loop: let other requests in before the next.
    await nextTurn();
    const bytes = page.reduce((sum, event) => sum + (event.size ?? 0), 0);
    // A short page that its byte budget did not cut is the end of the stream.
    if (page.length < wanted && bytes < PAGE_BYTES) return;
    from = page[page.length - 1].revision + 1n;
  }
}
