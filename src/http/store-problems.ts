import { STATUS_CODES } from 'node:http';
import {
  DamagedEventError,
  EventStoreCorruptError,
  EventStoreFullError,
  EventStoreReplacedError,
  EventStoreUnavailableError,
} from '../event-store/event-store.errors';
import type { Problem } from './problem.filter';
import { UnreadableEventError } from '../articles/stored-article-event';
import { BrokenStreamError } from '../articles/view/article-view';

function problem(status: number, slug: string, detail: string): Problem {
  return { type: `/problems/${slug}`, title: STATUS_CODES[status] ?? 'Error', status, detail };
}

/**
 * The event store's faults as problem documents, or null for any other error. The details are
 * fixed sentences: SQLite's own messages (paths, internals) go to the log, never to a client.
 * - out of space: 507 Insufficient Storage (RFC 4918 §11.5), nothing was written;
 * - unavailable or read-only: 503 Service Unavailable (RFC 9110 §15.6.4), nothing was written;
 * - a store file replaced under the server: 503 too, saying that only a restart helps (no Retry-After);
 * - a damaged event or file: 500 (RFC 9110 §15.6.1), naming the position when it is known;
 * - an article event this code cannot read, or a stream that breaks the article's life (an event
 *   before its draft): 500, naming where; nothing is decided or shown from part of a stream.
 */
export function storeProblem(error: unknown): Problem | null {
  if (error instanceof EventStoreFullError) {
    return problem(507, 'event-store-full', 'The event store has no space left; nothing was written. Retry once space is freed.');
  }
  if (error instanceof EventStoreReplacedError) {
    return problem(
      503,
      'event-store-unavailable',
      'A file of the event store was replaced or removed under this server; the write was not acknowledged. ' +
        'Retrying will fail until the operator restarts the server.',
    );
  }
  if (error instanceof EventStoreUnavailableError) {
    return problem(503, 'event-store-unavailable', 'The event store is unavailable; nothing was written. Retry later.');
  }
  if (error instanceof DamagedEventError) {
    const of = error.where ? ` (revision ${error.where.revision} of ${error.where.streamId})` : '';
    return problem(500, 'damaged-event', `The event at position ${error.position}${of} cannot be read; the operator must repair the store.`);
  }
  if (error instanceof UnreadableEventError || error instanceof BrokenStreamError) {
    return problem(500, 'unreadable-event', `${error.message}; the operator must repair the store or upgrade this server.`);
  }
  if (error instanceof EventStoreCorruptError) {
    return problem(500, 'event-store-corrupt', 'The event store is damaged; the operator must repair it.');
  }
  return null;
}
