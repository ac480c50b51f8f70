import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { EXIT, runCli, UsageError } from '../cli/run-cli';
import { loadConfig } from '../config/app-config';
import { DamagedEventError } from './event-store.errors';
import { eventsFile } from './event-store.module';
import { SqliteEventReader } from './sqlite-event-reader';
import { openStoreFileReadOnly, UnusableStoreFileError, unusableStoreFile } from './store-file';

const USAGE = `Usage: npm run store:check [-- <file>]

Checks an embedded event store: DATA_DIR/events.sqlite, or <file> (e.g. a backup before a
restore). Runs SQLite's integrity_check, then reads and parses every event in log order and
names each position it cannot read. Opens the file read-only: it runs beside a server.

Exit codes: 0 sound; 1 damage found (also a file SQLite cannot read the structure of, e.g. a
truncated one); 2 usage or configuration error (no such file); 3 not an event store (a directory,
not an SQLite database, another database, a file that cannot be read).`;

/** store:check's own exit code: the file is not an event store at all (see USAGE). */
const EXIT_NOT_A_STORE = 3;

const BATCH = 1000;
/** integrity_check stops after this many problems: enough to see what is wrong. */
const MAX_INTEGRITY_ERRORS = 100;

export interface StoreCheckReport {
  /** SQLite's integrity_check lines other than "ok". */
  integrity: string[];
  eventsRead: number;
  /** The log's last position (a bigint), or null when empty or unreadable. */
  head: bigint | null;
  unreadable: DamagedEventError[];
}

/**
 * Checks the store in `file` through a read-only connection; see USAGE. Throws
 * UnusableStoreFileError when the file cannot be opened as an event store, saying why.
 */
export function checkStore(file: string): StoreCheckReport {
  const db = openStoreFileReadOnly(file);
  try {
    const integrity = integrityProblems(db);
    let reader: SqliteEventReader;
    try {
      reader = new SqliteEventReader(db, basename(file));
    } catch (error) {
      throw unusableStoreFile(file, error);
    }
    let head: bigint | null = null;
    try {
      head = reader.head();
    } catch (error) {
      integrity.push(`the log's head cannot be read: ${(error as Error).message}`);
    }
    const unreadable: DamagedEventError[] = [];
    let eventsRead = 0;
    for (let after = -1n; ;) {
      const { events, damage } = reader.readAll(after, BATCH);
      eventsRead += events.length;
      if (events.length > 0) after = events[events.length - 1].position.commit;
      if (damage) {
        unreadable.push(damage);
        after = damage.position;
        // Past the head, or with no head to stop at (the table's root page is damaged, so every
        // position fails alike), the scan would never end.
        if (head === null || after >= head) break;
      } else if (events.length < BATCH) break;
    }
    return { integrity, eventsRead, head, unreadable };
  } finally {
    db.close();
  }
}

function integrityProblems(db: Database.Database): string[] {
  try {
    const rows = db.pragma(`integrity_check(${MAX_INTEGRITY_ERRORS})`) as Array<{ integrity_check: string }>;
    return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
  } catch (error) {
    return [`integrity_check failed: ${(error as Error).message}`];
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length > 1 || args.some((arg) => arg.startsWith('-'))) throw new UsageError(`Unexpected arguments: ${args.join(' ')}`);
  const file = args[0] ? resolve(args[0]) : eventsFile(loadConfig().dataDir);
  if (!existsSync(file)) throw new UsageError(`No event store at ${file}`);
  let report: StoreCheckReport;
  try {
    report = checkStore(file);
  } catch (error) {
    if (!(error instanceof UnusableStoreFileError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return error.damaged ? EXIT.problem : EXIT_NOT_A_STORE;
  }
  for (const line of report.integrity) process.stdout.write(`integrity_check: ${line}\n`);
  for (const damage of report.unreadable) process.stdout.write(`unreadable: ${damage.message}\n`);
  const positions = report.unreadable.map((damage) => damage.position.toString());
  process.stdout.write(
    `${file}: integrity_check ${report.integrity.length === 0 ? 'ok' : `found ${report.integrity.length} problem(s)`}; ` +
      `${report.eventsRead} events read up to position ${report.head ?? 'none'}; ` +
      `${positions.length} unreadable${positions.length > 0 ? `: ${positions.join(', ')}` : ''}\n`,
  );
  return report.integrity.length === 0 && positions.length === 0 ? EXIT.ok : EXIT.problem;
}

if (require.main === module) runCli(USAGE, main);
