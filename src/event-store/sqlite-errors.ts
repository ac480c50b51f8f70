import { EventStoreCorruptError, EventStoreFullError, EventStoreUnavailableError } from './event-store.errors';
import type { StoreFaultReason } from './store-health';

/**
 * better-sqlite3 throws SqliteError with SQLite's (extended) result code as `code`, e.g.
 * "SQLITE_IOERR_WRITE" (https://www.sqlite.org/rescode.html).
 */
export function sqliteCode(error: unknown): string | null {
  // Not `instanceof Error`: the native addon keeps the SqliteError class of the first realm that
  // loaded it (under jest, another test file's), so its errors may come from another realm.
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return null;
  return error.code.startsWith('SQLITE_') ? error.code : null;
}

/** What a SQLite result code says about the store, or null when it is not a storage fault. */
export function faultReasonOf(code: string | null): StoreFaultReason | null {
  if (code === null) return null;
  // The primary code is the first two words: SQLITE_IOERR_WRITE is an SQLITE_IOERR.
  switch (code.split('_').slice(0, 2).join('_')) {
    case 'SQLITE_FULL':
      return 'out-of-space';
    case 'SQLITE_READONLY':
      return 'read-only';
    // CANTOPEN and IOERR: the file or the disk under it; BUSY and LOCKED: another connection
    // held the lock beyond busy_timeout. All may pass; none says the data is wrong.
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
    case 'SQLITE_PERM':
      return 'unavailable';
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return 'corrupt';
    default:
      return null;
  }
}

const WHAT: Record<StoreFaultReason, string> = {
  'out-of-space': 'has no space left: nothing was written',
  'read-only': 'cannot be written (read-only): nothing was written',
  unavailable: 'cannot be read or written right now',
  corrupt: 'is damaged (run npm run store:check)',
  replaced: 'was replaced or removed while the server ran: writes are refused until the server is restarted',
};

/** Words for an operator: "events.sqlite has no space left: nothing was written (SQLITE_FULL)". */
export function describeFault(reason: StoreFaultReason, code: string, file: string): string {
  return `${file} ${WHAT[reason]} (${code})`;
}

/**
 * Turns a SQLite storage error into the port's error for it; anything else is returned as is.
 * The SQLite message stays in `cause` (for logs), never in the error's message (for clients).
 */
export function toStoreError(error: unknown, file: string): unknown {
  const code = sqliteCode(error);
  const reason = faultReasonOf(code);
  if (code === null || reason === null) return error;
  const message = describeFault(reason, code, file);
  if (reason === 'out-of-space') return new EventStoreFullError(message, { cause: error });
  if (reason === 'corrupt') return new EventStoreCorruptError(message, { cause: error });
  return new EventStoreUnavailableError(message, { cause: error });
}
