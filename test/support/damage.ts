import Database from 'better-sqlite3';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Damages an event the way a bad write or a hand edit would: its data stops being JSON. The
 * file itself stays sound (quick_check passes); only reading that event fails. No store may
 * have the file open.
 */
export function damageEventJson(file: string, position: bigint | number, column: 'data' | 'metadata' = 'data'): void {
  const db = new Database(file);
  try {
    const { changes } = db.prepare(`UPDATE events SET ${column} = '{"headline": "cut off' WHERE position = ?`).run(position);
    if (changes !== 1) throw new Error(`no event at position ${position}`);
  } finally {
    db.close();
  }
}

/**
 * Damages the page of the events table that holds `marker` (a string written in one event's
 * data) the way a failing disk would: its page header becomes garbage, so SQLite reports the
 * page as corrupt (SQLITE_CORRUPT) when it reads it. Returns the page number (1-based). The
 * file must be checkpointed (every connection closed) and no store may have it open.
 */
export function damagePageHolding(file: string, marker: string): number {
  const bytes = readFileSync(file);
  const offset = bytes.indexOf(Buffer.from(marker, 'utf8'));
  if (offset < 0) throw new Error(`"${marker}" is not in ${file}: checkpoint it first`);
  const raw = bytes.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const page = Math.floor(offset / pageSize);
  if (page === 0) throw new Error('the marker is on the first page, which holds the header');
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(12, 0xff), 0, 12, page * pageSize);
  } finally {
    closeSync(fd);
  }
  return page + 1;
}
