import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, openSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PRIVATE_FILE_MODE } from '../common/data-dir';
import { EXIT, runCli, UsageError } from '../cli/run-cli';
import { loadConfig } from '../config/app-config';
import { eventsFile } from './event-store.module';
import { checkStore } from './store-check.cli';
import { openStoreFileReadOnly } from './store-file';

const USAGE = `Usage: npm run store:backup -- <file>

Copies DATA_DIR/events.sqlite to <file> (mode 0600) with SQLite's online backup API, while a
server may be running and appending. The copy is consistent at one position of the log, which
is printed; later appends are not in it. The copy is then checked like npm run store:check does
(integrity_check, every event read and parsed); a copy that fails is removed and the problems
are printed. Refuses to overwrite an existing file, and refuses the store's own files (events.sqlite
and SQLite's -wal, -shm or -journal beside it or another database of DATA_DIR).

Exit codes: 0 backed up and checked; 1 the backup failed or the copy is damaged; 2 usage or configuration error.`;

/**
 * Pages copied per step (4096-byte pages: 16 MB). The snapshot stays the same across steps: the
 * read transaction of the source connection holds it.
 */
const STEP_PAGES = 4096;

export interface BackupOptions {
  /** Called before each step of the copy with SQLite's progress (pages); for tests. */
  onProgress?: (progress: { totalPages: number; remainingPages: number }) => void;
}

export interface BackupResult {
  /** The log's last position in the copy (a bigint), or null when the log is empty. */
  head: bigint | null;
  events: number;
  pages: number;
}

/** The copy made by a backup fails its check; it has been removed. `problems` are store:check's lines. */
export class DamagedBackupError extends Error {
  constructor(
    readonly target: string,
    readonly problems: string[],
  ) {
    super(
      `The copy ${target} failed its check and was removed: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}. ` +
        'Run npm run store:check on the store: if it is sound, its files may have been changed under the server (see /health).',
    );
    this.name = 'DamagedBackupError';
  }
}

/**
 * Backs up the store in `source` to `target` (https://www.sqlite.org/backup.html). The backup
 * runs inside one read transaction of the source connection: in WAL mode that is a snapshot, so
 * the copy holds exactly the log up to `head`, whatever is appended meanwhile, and the backup
 * never restarts (only writes through the same connection would restart it). The copy is then
 * checked (checkStore: integrity_check, every event read and parsed, head and count as in the
 * snapshot); throws DamagedBackupError, having removed it, when it is not sound. It is written
 * as `.<target name>.partial-<pid>` beside `target`, checked, fsynced, and only then linked to
 * `target` (and the directory fsynced); a process killed before leaves only that partial file.
 */
export async function backupStore(source: string, target: string, options: BackupOptions = {}): Promise<BackupResult> {
  refuseStoreFile(source, target);
  const db = openStoreFileReadOnly(source);
  // Written under a temporary name in the target's directory and put in place only once checked
  // and on disk: a backup killed half-way leaves this name, never a plausible file at `target`.
  const temp = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  let linked = false;
  try {
    // Created 0600 before SQLite opens it, whatever the umask: it holds unpublished drafts.
    closeSync(openSync(temp, 'wx', PRIVATE_FILE_MODE));
    chmodSync(temp, PRIVATE_FILE_MODE);
    db.exec('BEGIN');
    const { head, events } = db.prepare('SELECT max(position) AS head, count(*) AS events FROM events').safeIntegers(true).get() as {
      head: bigint | null;
      events: bigint;
    };
    const { totalPages } = await db.backup(temp, {
      progress: (info) => {
        options.onProgress?.(info);
        return STEP_PAGES;
      },
    });
    db.exec('COMMIT');
    // One self-contained file: in rollback-journal mode, reading it (the check below, store:check,
    // store:restore) leaves no -wal or -shm beside it. The server sets WAL again when it opens it.
    const copy = new Database(temp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const problems = verifyCopy(temp, head, Number(events));
    if (problems.length > 0) throw new DamagedBackupError(target, problems);
    syncPath(temp);
    // link(2), not rename(2): it fails with EEXIST rather than replace a file that appeared meanwhile.
    linkSync(temp, target);
    linked = true;
    unlinkSync(temp);
    syncPath(dirname(target));
    return { head, events: Number(events), pages: totalPages };
  } catch (error) {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(temp + suffix, { force: true });
    if (linked) rmSync(target, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

/** The databases of DATA_DIR beside the store, whose side files SQLite would take a copy for. */
const DATA_DIR_DATABASES = ['read-models.sqlite', 'server.lock'];
const SIDE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * Throws UsageError when `target` names the store itself or one of SQLite's files beside a
 * database of its directory (-wal, -shm, -journal): SQLite would read a copy there as that
 * database's log or journal, and replay it into the store (https://www.sqlite.org/tempfiles.html).
 * Directories are compared by their real path, so a symlinked path is found too. Throws
 * UsageError, too, when the target's directory does not exist.
 */
function refuseStoreFile(source: string, target: string): void {
  let targetDir: string;
  try {
    targetDir = realpathSync(dirname(target));
  } catch (error) {
    throw new UsageError(
      `Cannot back up to ${target}: its directory ${dirname(target)} does not exist or cannot be read (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
  if (targetDir !== realpathSync(dirname(source))) return;
  const name = basename(target);
  const taken = [basename(source), ...DATA_DIR_DATABASES].flatMap((db) => SIDE_SUFFIXES.map((suffix) => db + suffix));
  if (taken.includes(name)) {
    throw new UsageError(
      `Cannot back up to ${target}: ${name} is one of the store's own files in ${targetDir} (a database, or SQLite's -wal, -shm or -journal beside one). Choose another name.`,
    );
  }
}

function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What is wrong with the copy in `file`, which should hold `events` events up to `head`; [] when sound. */
function verifyCopy(file: string, head: bigint | null, events: number): string[] {
  const report = checkStore(file);
  const problems = [...report.integrity.map((line) => `integrity_check: ${line}`), ...report.unreadable.map((damage) => `unreadable: ${damage.message}`)];
  if (problems.length === 0 && (report.head !== head || report.eventsRead !== events)) {
    problems.push(`the copy holds ${report.eventsRead} events up to position ${report.head ?? 'none'}, the store ${events} up to ${head ?? 'none'}`);
  }
  return problems;
}

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) throw new UsageError('Name the one file to back up to.');
  const target = resolve(args[0]);
  const source = eventsFile(loadConfig().dataDir);
  if (!existsSync(source)) throw new UsageError(`No event store at ${source}`);
  refuseStoreFile(source, target);
  if (existsSync(target)) throw new UsageError(`${target} exists; choose a new file name.`);
  const { head, events, pages } = await backupStore(source, target);
  process.stdout.write(`Backed up ${source} to ${target}: consistent at position ${head ?? -1} (${events} events, ${pages} pages)\n`);
  return EXIT.ok;
}

if (require.main === module) runCli(USAGE, main);
