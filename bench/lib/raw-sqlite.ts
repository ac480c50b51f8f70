import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

/**
 * The storage ceiling without group commit: a raw better-sqlite3 loop of one durable
 * transaction (WAL, synchronous=FULL) per event. Events per second.
 */
export function rawDurableLoop(dir: string, seconds: number, payload: unknown): number {
  const db = new Database(join(dir, `raw-${randomUUID()}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT, event_id TEXT, data TEXT)');
  const insert = db.prepare('INSERT INTO events (stream_id, event_id, data) VALUES (?, ?, ?)');
  const once = db.transaction((i: number) => insert.run(`s-${i % 64}`, randomUUID(), JSON.stringify(payload)));
  const end = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < end) once(n++);
  db.close();
  return n / seconds;
}
