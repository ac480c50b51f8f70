import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { PRIVATE_FILE_MODE } from '../common/data-dir';
import { EXIT, runCli, UsageError } from '../cli/run-cli';
import { loadConfig } from '../config/app-config';
import { eventsFile } from './event-store.module';

const USAGE = `Usage: npm run store:backup -- <file>

Copies DATA_DIR/events.sqlite to <file> (mode 0600) with SQLite's online backup API, while a
server may be running and appending. The copy is consistent at one position of the log, which
is printed; later appends are not in it. Refuses to overwrite an existing file.

Exit codes: 0 backed up; 1 the backup failed; 2 usage or configuration error.`;

/** Pages copied per step: all of them, so that one step copies the whole snapshot. */
const ALL_PAGES = 0x7fffffff;

export interface BackupResult {
  /** The log's last position in the copy (a bigint), or null when the log is empty. */
  head: bigint | null;
  events: number;
  pages: number;
}

/**
 * Backs up the store in `source` to `target` (https://www.sqlite.org/backup.html). The backup
 * runs inside one read transaction of the source connection: in WAL mode that is a snapshot, so
 * the copy holds exactly the log up to `head`, whatever is appended meanwhile, and the backup
 * never restarts (only writes through the same connection would restart it).
 */
export async function backupStore(source: string, target: string): Promise<BackupResult> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  // Created 0600 before SQLite opens it, whatever the umask: it holds unpublished drafts.
  closeSync(openSync(target, 'wx', PRIVATE_FILE_MODE));
  chmodSync(target, PRIVATE_FILE_MODE);
  try {
    db.exec('BEGIN');
    const { head, events } = db.prepare('SELECT max(position) AS head, count(*) AS events FROM events').safeIntegers(true).get() as {
      head: bigint | null;
      events: bigint;
    };
    const { totalPages } = await db.backup(target, { progress: () => ALL_PAGES });
    db.exec('COMMIT');
    const fd = openSync(target, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    return { head, events: Number(events), pages: totalPages };
  } catch (error) {
    rmSync(target, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) throw new UsageError('Name the one file to back up to.');
  const target = resolve(args[0]);
  if (existsSync(target)) throw new UsageError(`${target} exists; choose a new file name.`);
  const source = eventsFile(loadConfig().dataDir);
  if (!existsSync(source)) throw new UsageError(`No event store at ${source}`);
  const { head, events, pages } = await backupStore(source, target);
  process.stdout.write(`Backed up ${source} to ${target}: consistent at position ${head ?? -1} (${events} events, ${pages} pages)\n`);
  return EXIT.ok;
}

if (require.main === module) runCli(USAGE, main);
