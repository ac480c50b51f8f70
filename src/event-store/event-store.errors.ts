import { ExpectedRevision } from './event-store.port';

/** The stream was not where the writer expected it: nothing was written. */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * The store cannot be reached or cannot be written (EventStoreDB down; the embedded file
 * read-only, unopenable, failing I/O, or locked beyond the busy timeout): the write did not
 * happen. HTTP maps it to 503 (RFC 9110 §15.6.4): retrying later may succeed.
 */
export class EventStoreUnavailableError extends Error {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/**
 * A file the embedded store depends on (events.sqlite, its -wal or -shm, DATA_DIR/server.lock) was
 * replaced or removed under the running server: the write was refused, or, when the file went
 * during the commit, not acknowledged. Unlike other unavailability, waiting does not help: only a
 * restart opens the files now at those paths. HTTP maps it to 503 saying so, without Retry-After.
 */
export class EventStoreReplacedError extends EventStoreUnavailableError {
  readonly restartRequired = true;
  constructor(message: string) {
    super(message);
    this.name = 'EventStoreReplacedError';
  }
}

/**
 * The store has no room left (the disk is full, or SQLite's max_page_count is reached): the
 * write did not happen. HTTP maps it to 507 Insufficient Storage (RFC 4918 §11.5).
 */
export class EventStoreFullError extends Error {
  readonly code = 'EVENT_STORE_FULL';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreFullError';
  }
}

/**
 * The store's file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB) at a place no single event can be
 * blamed for. Not transient: an operator must run `npm run store:check` and restore a backup.
 */
export class EventStoreCorruptError extends Error {
  readonly code = 'EVENT_STORE_CORRUPT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreCorruptError';
  }
}

/**
 * One event of the log cannot be read (its page is damaged) or parsed (its data or metadata is
 * not JSON). `position` is its commit position in the global log (a bigint); `streamId` and
 * `revision` are known only when the row itself could be read. Not transient: a reader that
 * meets it stops there rather than skip an event.
 */
export class DamagedEventError extends Error {
  readonly code = 'DAMAGED_EVENT';
  constructor(
    readonly position: bigint,
    readonly why: string,
    readonly where: { streamId: string; revision: bigint } | null = null,
    options?: { cause?: unknown },
  ) {
    const of = where ? ` (${where.streamId} revision ${where.revision})` : '';
    super(`The event at position ${position}${of} cannot be read: ${why}`, options);
    this.name = 'DamagedEventError';
  }
}
