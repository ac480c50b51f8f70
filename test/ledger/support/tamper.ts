import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of the embedded store's events table. */
export interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

/**
 * Copies DATA_DIR's events.sqlite (a consistent copy, through SQLite's VACUUM INTO) and its
 * signing key into `to`, then lets `change` edit the copy's rows with SQL, as someone with the
 * file would.
 */
export function tamperedCopy(from: string, to: string, change: (db: Database.Database) => void): void {
  const source = new Database(join(from, 'events.sqlite'), { readonly: true });
  try {
    source.prepare('VACUUM INTO ?').run(join(to, 'events.sqlite'));
  } finally {
    source.close();
  }
  copyFileSync(join(from, 'ledger-signing-key.pem'), join(to, 'ledger-signing-key.pem'));
  const db = new Database(join(to, 'events.sqlite'));
  try {
    change(db);
  } finally {
    db.close();
  }
}

/** The row of `stream` at `revision`. */
export function rowAt(db: Database.Database, stream: string, revision: number): EventRow {
  return db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision = ?').get(stream, revision) as EventRow;
}

/** Swaps what two rows hold (type, data, metadata, id), leaving their places (position, revision): two events reordered. */
export function swapRows(db: Database.Database, a: EventRow, b: EventRow): void {
  const put = db.prepare('UPDATE events SET event_id = ?, type = ?, data = ?, metadata = ? WHERE position = ?');
  db.transaction(() => {
    put.run(`${b.event_id}-swapping`, b.type, b.data, b.metadata, a.position);
    put.run(a.event_id, a.type, a.data, a.metadata, b.position);
    db.prepare('UPDATE events SET event_id = ? WHERE position = ?').run(b.event_id, a.position);
  })();
}
