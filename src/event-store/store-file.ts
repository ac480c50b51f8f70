import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { sqliteCode } from './sqlite-errors';

/**
 * A file that cannot be used as an embedded event store (for store:check, store:backup,
 * store:restore, the server): the message names the file and says what it is not, e.g.
 * "/tmp/x.sqlite is not an SQLite database (SQLITE_NOTADB), so not an event store". `damaged` is
 * true when the file is an SQLite database SQLite cannot read (SQLITE_CORRUPT: truncated, or its
 * first pages overwritten), false when it is something else (a directory, another file, another
 * database, unreadable).
 */
export class UnusableStoreFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly damaged: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnusableStoreFileError';
  }
}

/** Why `file` could not be opened or read as an event store, from the error met doing so. */
export function unusableStoreFile(file: string, error: unknown): UnusableStoreFileError {
  if (error instanceof UnusableStoreFileError) return error;
  const code = sqliteCode(error) ?? (error as NodeJS.ErrnoException).code ?? 'error';
  const says = `${code}: ${(error as Error).message}`;
  const primary = code.split('_').slice(0, 2).join('_');
  let message: string;
  if (code === 'ENOENT') message = `${file} does not exist`;
  else if (primary === 'SQLITE_NOTADB') message = `${file} is not an SQLite database (${says}), so not an event store`;
  else if (primary === 'SQLITE_CORRUPT') {
    message =
      `${file} is damaged: SQLite cannot read its structure (${says}); it may be truncated. ` + 'Restore a sound backup with npm run store:restore -- <backup>';
  } else if (primary === 'SQLITE_IOERR' || primary === 'SQLITE_CANTOPEN') {
    message = `${file} cannot be read (${says}). If a server runs on it, its -wal or -shm may have been ` + 'removed under that server: see its GET /health';
  } else message = `${file} cannot be opened as an event store (${says})`;
  return new UnusableStoreFileError(file, message, primary === 'SQLITE_CORRUPT', { cause: error });
}

/**
 * Opens `file` read-only as an event store and checks that SQLite can read its schema and that it
 * holds the events table. Throws UnusableStoreFileError saying what the file is not otherwise: a
 * directory or other non-regular file, missing, not an SQLite database, damaged, another database.
 */
export function openStoreFileReadOnly(file: string): Database.Database {
  let db: Database.Database | null = null;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new UnusableStoreFileError(file, `${file} is a directory, not an event store file`, false);
    if (!stat.isFile()) throw new UnusableStoreFileError(file, `${file} is not a regular file, so not an event store`, false);
    db = new Database(file, { readonly: true, fileMustExist: true });
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    if (!table) throw new UnusableStoreFileError(file, `${file} is an SQLite database but not an event store: it has no events table`, false);
    return db;
  } catch (error) {
    db?.close();
    throw unusableStoreFile(file, error);
  }
}
