import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../common/data-dir';
import { EXIT, runCli, UsageError } from '../cli/run-cli';
import { loadConfig } from '../config/app-config';
import { eventsFile } from './event-store.module';
import { ServerLock, StoreLockedError } from './server-lock';
import { sqliteCode } from './sqlite-errors';
import { openStoreFileReadOnly, unusableStoreFile } from './store-file';

const USAGE = `Usage: npm run store:restore -- <backup file>

Replaces DATA_DIR/events.sqlite with a backup made by npm run store:backup. Refuses while a
server holds DATA_DIR (stop it first), and refuses a backup that fails SQLite's quick_check. The
replaced store is kept beside it as events-before-restore-<time>.sqlite. Read models are left as
they are: the server finds on its next start that they follow another log, or reach past the
restored one, and rebuilds them from it.

Exit codes: 0 restored; 1 refused (a server runs, the backup is damaged) or failed; 2 usage.`;

const SIDE_FILES = ['', '-wal', '-shm'];

/**
 * Head of a sound backup (a bigint, null when empty); throws when quick_check finds damage, and
 * UnusableStoreFileError naming the file and what it is not when it is no event store at all.
 */
function checkBackup(file: string): bigint | null {
  const db = openStoreFileReadOnly(file);
  try {
    const problems = (db.pragma('quick_check') as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((l) => l !== 'ok');
    if (problems.length > 0) throw new Error(`${file} fails SQLite's quick_check: ${problems.slice(0, 5).join('; ')}`);
    return (db.prepare('SELECT max(position) AS head FROM events').safeIntegers(true).get() as { head: bigint | null }).head;
  } catch (error) {
    throw sqliteCode(error) === null ? error : unusableStoreFile(file, error);
  } finally {
    db.close();
  }
}

/**
 * Puts a copy of `backup` in place of `target` under DATA_DIR's lock; returns the restored log's
 * head (a bigint, null when empty) and where the replaced store went. Throws StoreLockedError while
 * a server holds DATA_DIR, and an Error naming the problems when the backup fails quick_check.
 * The copy is made with the backup API into a temporary file, fsynced, then renamed over the
 * target, so a crash leaves either store whole. The old file moves aside with its -wal and -shm: a -wal left beside the
 * restored file would be replayed into it by SQLite and corrupt it.
 */
export async function restoreStore(backup: string, target: string): Promise<{ head: bigint | null; keptAs: string | null }> {
  const head = checkBackup(backup);
  const dataDir = dirname(target);
  ensurePrivateDir(dataDir);
  const lock = ServerLock.acquire(dataDir, 'store:restore');
  try {
    const temp = `${target}.restoring`;
    for (const suffix of SIDE_FILES) rmSync(temp + suffix, { force: true });
    closeSync(openSync(temp, 'wx', PRIVATE_FILE_MODE));
    chmodSync(temp, PRIVATE_FILE_MODE);
    const source = new Database(backup, { readonly: true, fileMustExist: true });
    try {
      await source.backup(temp, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    syncFile(temp);
    let keptAs: string | null = null;
    if (existsSync(target)) {
      keptAs = join(dataDir, `events-before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`);
      for (const suffix of SIDE_FILES) if (existsSync(target + suffix)) renameSync(target + suffix, keptAs + suffix);
    }
    for (const suffix of ['-wal', '-shm']) rmSync(temp + suffix, { force: true });
    renameSync(temp, target);
    syncFile(dataDir);
    return { head, keptAs };
  } finally {
    lock.release();
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) throw new UsageError('Name the one backup file to restore.');
  const backup = resolve(args[0]);
  if (!existsSync(backup)) throw new UsageError(`No backup at ${backup}`);
  const target = eventsFile(loadConfig().dataDir);
  try {
    const { head, keptAs } = await restoreStore(backup, target);
    process.stdout.write(
      `Restored ${target} from ${basename(backup)}: the log now ends at position ${head ?? -1}.\n` +
        (keptAs ? `The replaced store is kept as ${keptAs}.\n` : '') +
        'Read models ahead of the restored log, or built from another one, are rebuilt from it when the server starts.\n',
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof StoreLockedError) {
      process.stderr.write(`Refusing to restore: ${error.message}\n`);
      return EXIT.problem;
    }
    throw error;
  }
}

if (require.main === module) runCli(USAGE, main);
