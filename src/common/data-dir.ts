import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Only the owner may list DATA_DIR: it holds unpublished drafts and the users' token hashes. */
export const PRIVATE_DIR_MODE = 0o700;
/** Only the owner may read or write a file in DATA_DIR. */
export const PRIVATE_FILE_MODE = 0o600;

/** The data directory cannot be used; the message says which directory and why. */
export class DataDirError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataDirError';
  }
}

/**
 * Creates `dir` (and missing parents) with mode 0700. An existing directory keeps its mode unless
 * `tighten` is set (DATA_DIR at server start: a directory created by an older version was 0755).
 */
export function ensurePrivateDir(dir: string, options: { tighten?: boolean } = {}): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // chmod, because mkdir's mode is filtered by the umask and chmod's is not.
  if (created !== undefined || options.tighten) {
    if ((statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
  }
}

/**
 * Makes sure `file` exists with mode 0600 before SQLite opens it: SQLite gives the -wal, -shm and
 * -journal files it creates later the mode of the database file (unix VFS, findCreateFileMode),
 * so they are 0600 too. Existing files (and their -wal/-shm) are tightened to 0600.
 */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((statSync(path).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(path, PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * At server start: DATA_DIR exists with mode 0700 and a file can be created in it. A directory
 * on a read-only filesystem (EROFS) or one this user may not write (EACCES) is refused with a
 * DataDirError naming it. As root, only EROFS can happen: permissions do not stop root.
 */
export function prepareDataDir(dir: string): void {
  try {
    ensurePrivateDir(dir, { tighten: true });
    const probe = join(dir, `.write-probe-${process.pid}`);
    closeSync(openSync(probe, 'wx', PRIVATE_FILE_MODE));
    unlinkSync(probe);
    // The store's file itself may be read-only while the directory is not.
    for (const name of ['events.sqlite', 'read-models.sqlite']) {
      if (existsSync(join(dir, name))) closeSync(openSync(join(dir, name), 'r+'));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    // Node's own messages start with the code already ("EROFS: read-only file system, open ...").
    const message = (error as Error).message;
    const why = message.startsWith(`${code}:`) ? message : `${code}: ${message}`;
    throw new DataDirError(
      `DATA_DIR ${dir} cannot be written (${why}). The server needs a writable ` + 'data directory for its event store and read models; refusing to start.',
      { cause: error },
    );
  }
}
