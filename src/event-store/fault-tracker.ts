import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { describeFault } from './sqlite-errors';
import { StoreCondition, StoreFault, StoreFaultReason } from './store-health';

/** A file's identity: the device and inode `stat` gives (st_dev, st_ino). */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** A file the store needs to stay the one it opened; `identity` defaults to the file's at construction. */
export interface WatchedFile {
  path: string;
  identity?: FileIdentity;
  /** What its loss means, appended to the fault's detail (e.g. "another server may now start on DATA_DIR"). */
  consequence?: string;
}

/** A watched file that is no longer the one opened: its name, and why ("ENOENT", "new inode"). */
export interface Replacement {
  file: string;
  why: string;
}

/**
 * The embedded store's condition for /health: the fault its last commit (or write probe) met,
 * until one succeeds, and whether every file it depends on is still the one it opened (same
 * device and inode). The watched files are the database, its -wal (where every commit is until a
 * checkpoint: a -wal unlinked under a running server takes every later commit with it when the
 * process ends), its -shm (other processes coordinate with the server through it), and the
 * server's lock file. A replaced file is a sticky fault: only a restart opens the new one.
 */
export class FaultTracker {
  private fault: StoreFault | null = null;
  private readonly watched: Array<Required<Pick<WatchedFile, 'path' | 'identity'>> & WatchedFile>;

  /** The watched file found replaced, once one is (sticky, like the fault). */
  replacement: Replacement | null = null;

  /** Call right after the store has opened its files; throws if a watched file does not exist. */
  constructor(files: readonly WatchedFile[]) {
    this.watched = files.map((file) => ({ ...file, identity: file.identity ?? identityOf(file.path) }));
  }

  /** The first watched file that is not the one opened, or null. Costs one stat(2) per file. */
  replacedBy(): Replacement | null {
    for (const { path, identity } of this.watched) {
      let why: string | null;
      try {
        const { dev, ino } = statSync(path);
        why = dev === identity.dev && ino === identity.ino ? null : 'new inode';
      } catch (error) {
        why = (error as NodeJS.ErrnoException).code ?? 'stat failed';
      }
      if (why) return { file: basename(path), why };
    }
    return null;
  }

  /**
   * Checks the watched files; records and returns the replacement when one is found (the fault
   * is sticky). Returns the recorded replacement when there already is one.
   */
  checkFiles(): StoreFault | null {
    if (this.fault?.reason === 'replaced') return this.fault;
    const replaced = this.replacedBy();
    if (!replaced) return null;
    const consequence = this.watched.find((w) => basename(w.path) === replaced.file)?.consequence;
    this.note('replaced', replaced.why, replaced.file, consequence);
    this.replacement = replaced;
    return this.fault;
  }

  /** Keeps the first `since` while the same fault lasts; a recorded replacement is never overwritten. */
  note(reason: StoreFaultReason, code: string, file: string, consequence?: string): void {
    if (this.fault?.reason === 'replaced') return;
    const now = new Date().toISOString();
    if (this.fault?.reason === reason && this.fault.code === code) {
      this.fault.lastSeen = now;
      return;
    }
    const detail = describeFault(reason, code, file) + (consequence ? `; ${consequence}` : '');
    this.fault = { reason, code, detail, since: now, lastSeen: now };
  }

  /** Adds a sentence to the recorded fault's detail. */
  amend(text: string): void {
    if (this.fault) this.fault.detail += `; ${text}`;
  }

  /** A commit succeeded. A replaced file is never cleared: only a restart opens the new one. */
  cleared(): void {
    if (this.fault?.reason !== 'replaced') this.fault = null;
  }

  /** The fault recorded now, without looking at the files. */
  recorded(): StoreFault | null {
    return this.fault;
  }

  /** Checks the watched files (checkFiles: one stat(2) per file), then the recorded condition. */
  condition(): StoreCondition {
    this.checkFiles();
    return this.recordedCondition();
  }

  /** The condition recorded now, without looking at the files (for a caller that just did). */
  recordedCondition(): StoreCondition {
    return this.fault ? { status: 'degraded', ...this.fault } : { status: 'ok' };
  }
}

/** The device and inode of `path` now; throws ENOENT when there is none. */
export function identityOf(path: string): FileIdentity {
  const { dev, ino } = statSync(path);
  return { dev, ino };
}
