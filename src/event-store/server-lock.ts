import Database from 'better-sqlite3';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateFile, PRIVATE_FILE_MODE } from '../common/data-dir';
import { FileIdentity, identityOf } from './fault-tracker';
import { sqliteCode } from './sqlite-errors';

/** Who holds the store: written beside the lock, since the lock file itself cannot be read. */
export interface LockHolder {
  /** "server", or the CLI that took the lock ("store:restore"). */
  role: string;
  pid: number;
  host: string;
  /** ISO-8601. */
  startedAt: string;
}

/** Another process holds DATA_DIR's lock; `holder` is null when its description is unreadable. */
export class StoreLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `${holder.role} pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}` : 'a process whose description is unreadable';
    super(`The embedded store in ${dataDir} is in use by ${who}. One server per store: stop it first.`);
    this.name = 'StoreLockedError';
  }
}

const LOCK_FILE = 'server.lock';
const HOLDER_FILE = 'server.lock.json';

/**
 * One writer process per embedded store. The lock is SQLite's own EXCLUSIVE lock on DATA_DIR/
 * server.lock, kept for the life of the connection (PRAGMA locking_mode=EXCLUSIVE, then a write
 * transaction; https://www.sqlite.org/pragma.html#pragma_locking_mode). On unix that is an fcntl
 * lock, which the kernel drops when the process dies, however it dies: kill -9 never leaves a
 * stale lock. The events file is not the one locked, so the CLIs that only read it (rebuild,
 * store:check, store:backup) run beside a server.
 */
export class ServerLock {
  private constructor(
    private readonly db: Database.Database,
    readonly holder: LockHolder,
    /** DATA_DIR/server.lock. */
    readonly file: string,
    /**
     * The inode the lock is held on. The kernel's lock belongs to that inode, not to the name: once
     * server.lock is deleted (a "stale lock cleanup") or replaced, the next server locks a new file
     * and starts. The store watches the name (SqliteEventStoreOptions.lock) and stops writing.
     */
    readonly identity: FileIdentity,
  ) {}

  /** Takes the lock or throws StoreLockedError at once (no waiting). */
  static acquire(dataDir: string, role = 'server'): ServerLock {
    const file = join(dataDir, LOCK_FILE);
    ensurePrivateFile(file);
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (held INTEGER); COMMIT;');
    } catch (error) {
      db.close();
      // Only a lock held elsewhere means another holder; anything else (a read-only directory) is itself.
      if (/^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(error) ?? '')) throw new StoreLockedError(dataDir, readHolder(dataDir));
      throw error;
    }
    const identity = identityOf(file);
    const holder: LockHolder = { role, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    // Written after the lock is held, and renamed into place so a reader never sees half of it.
    const temp = join(dataDir, `${HOLDER_FILE}.${process.pid}`);
    writeFileSync(temp, JSON.stringify(holder) + '\n', { mode: PRIVATE_FILE_MODE });
    renameSync(temp, join(dataDir, HOLDER_FILE));
    return new ServerLock(db, holder, file, identity);
  }

  /** Lets the next server start. The description stays: it is only read while the lock is held. */
  release(): void {
    if (this.db.open) this.db.close();
  }
}

function readHolder(dataDir: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    const { role, pid, host, startedAt } = holder;
    if (typeof role !== 'string' || typeof pid !== 'number' || typeof host !== 'string' || typeof startedAt !== 'string') return null;
    return { role, pid, host, startedAt };
  } catch {
    return null;
  }
}
