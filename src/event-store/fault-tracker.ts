import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { describeFault } from './sqlite-errors';
import { StoreCondition, StoreFault, StoreFaultReason } from './store-health';

/**
 * The embedded store's condition for /health: the fault its last commit met, until a commit
 * succeeds, and whether the file at its path is still the one it opened (same device and inode).
 */
export class FaultTracker {
  private fault: StoreFault | null = null;
  private readonly opened: { dev: number; ino: number };
  private readonly name: string;

  /** Call right after the store has opened `file`. */
  constructor(private readonly file: string) {
    const { dev, ino } = statSync(file);
    this.opened = { dev, ino };
    this.name = basename(file);
  }

  /** Why the file at the path is not the one opened ("ENOENT", "new inode"), or null. */
  replacedBy(): string | null {
    try {
      const { dev, ino } = statSync(this.file);
      return dev === this.opened.dev && ino === this.opened.ino ? null : 'new inode';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'stat failed';
    }
  }

  /** Keeps the first `since` while the same fault lasts. */
  note(reason: StoreFaultReason, code: string): void {
    const now = new Date().toISOString();
    if (this.fault?.reason === reason && this.fault.code === code) {
      this.fault.lastSeen = now;
      return;
    }
    this.fault = { reason, code, detail: describeFault(reason, code, this.name), since: now, lastSeen: now };
  }

  /** A commit succeeded. A replaced file is never cleared: only a restart opens the new one. */
  cleared(): void {
    if (this.fault?.reason !== 'replaced') this.fault = null;
  }

  condition(): StoreCondition {
    if (this.fault?.reason !== 'replaced') {
      const replaced = this.replacedBy();
      if (replaced) this.note('replaced', replaced);
    }
    return this.fault ? { status: 'degraded', ...this.fault } : { status: 'ok' };
  }
}
