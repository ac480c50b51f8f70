import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/run-cli';
import { prepareDataDir } from '../../src/common/data-dir';
import { loadConfig } from '../../src/config/app-config';
import { EventStoreCorruptError } from '../../src/event-store/event-store.errors';
import { openServerStore } from '../../src/event-store/event-store.module';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { backupStore } from '../../src/event-store/store-backup.cli';
import { checkStore } from '../../src/event-store/store-check.cli';
import { UnusableStoreFileError } from '../../src/event-store/store-file';
import { restoreStore } from '../../src/event-store/store-restore.cli';
import { runCliFile } from '../support/server-process';
import { tempDir } from '../support/temp-dir';

/** A store of 50 events of 3 KB, closed; then cut to half its size, as a full disk or a bad copy would. */
async function truncatedStore(file: string): Promise<void> {
  const store = new SqliteEventStore(file);
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      store.appendToStream(`s-${i}`, [{ id: randomUUID(), type: 'Written', data: { text: 'x'.repeat(3000) }, metadata: {} }], 'no_stream'),
    ),
  );
  await store.close();
  truncateSync(file, Math.floor(statSync(file).size / 2));
}

describe('the store tools say which file is wrong and what it is not', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('newsroom-store-file-')));
  afterEach(() => dir.remove());

  const notAStore = () => {
    const junk = join(dir.path, 'junk.sqlite');
    writeFileSync(junk, 'hello world '.repeat(100));
    const other = join(dir.path, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    const directory = join(dir.path, 'a-directory');
    mkdirSync(directory);
    return { junk, other, directory };
  };

  it('store:check and store:restore: a directory, a file that is no database, a database without events', async () => {
    const { junk, other, directory } = notAStore();
    const cases: Array<[string, RegExp]> = [
      [directory, /a-directory is a directory, not an event store file$/],
      [junk, /junk\.sqlite is not an SQLite database \(SQLITE_NOTADB: file is not a database\), so not an event store$/],
      [other, /other\.sqlite is an SQLite database but not an event store: it has no events table$/],
    ];
    const target = join(dir.path, 'data', 'events.sqlite');
    for (const [file, message] of cases) {
      expect(() => checkStore(file)).toThrow(message);
      expect(() => checkStore(file)).toThrow(UnusableStoreFileError);
      await expect(restoreStore(file, target)).rejects.toThrow(message);
    }
  });

  it('store:check exits 3, not 1 (damage found), on a file that is not an event store, saying why', async () => {
    const { junk } = notAStore();
    const checked = await runCliFile('src/event-store/store-check.cli.ts', [junk], {});
    expect(checked.code).toBe(3);
    expect(checked.stderr).toBe(`${junk} is not an SQLite database (SQLITE_NOTADB: file is not a database), so not an event store\n`);
  });

  it('a truncated store: store:check and the server name the file, say it is damaged and what to do', async () => {
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir);
    const file = join(dataDir, 'events.sqlite');
    await truncatedStore(file);
    expect(() => checkStore(file)).toThrow(new RegExp(`^${file} is damaged: SQLite cannot read its structure \\(SQLITE_CORRUPT`));
    const config = loadConfig({ DATA_DIR: dataDir, NEWSROOM_USERS_FILE: join(dir.path, 'users.json') });
    const opening = openServerStore(config, null);
    await expect(opening).rejects.toBeInstanceOf(EventStoreCorruptError);
    await expect(opening).rejects.toThrow(
      /events\.sqlite is damaged: .*Refusing to start: run `npm run store:check`, then `npm run store:restore -- <backup>`/,
    );
  });

  it('the server does not take over another SQLite database (another application, a read-models file) as its event store', async () => {
    const { other } = notAStore();
    expect(() => new SqliteEventStore(other)).toThrow(UnusableStoreFileError);
    expect(() => new SqliteEventStore(other)).toThrow(/is an SQLite database but not an event store: it has tables \(notes\) and no events table/);
    const db = new Database(other, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'notes' }]);
    db.close();
    // A new, empty file still becomes a store.
    const store = new SqliteEventStore(join(dir.path, 'new.sqlite'));
    await store.close();
  });

  it('store:backup into a directory that does not exist: a usage error naming it', async () => {
    const source = join(dir.path, 'events.sqlite');
    await new SqliteEventStore(source).close();
    const backup = backupStore(source, join(dir.path, 'missing', 'copy.sqlite'));
    await expect(backup).rejects.toBeInstanceOf(UsageError);
    await expect(backup).rejects.toThrow(/^Cannot back up to .*copy\.sqlite: its directory .*missing does not exist or cannot be read \(ENOENT\)\.$/);
  });

  it('a DATA_DIR that cannot be made: the error code is said once', () => {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, '');
    expect(() => prepareDataDir(join(file, 'data'))).toThrow(/cannot be written \(ENOTDIR: not a directory, mkdir '[^']+'\)\./);
  });

  it('store:check beside a store whose -wal was removed says so; once the store has noticed (and saved its -wal), every event checks out', async () => {
    const file = join(dir.path, 'events.sqlite');
    const store = new SqliteEventStore(file, { watchIntervalMs: 3_600_000 });
    try {
      for (let i = 0; i < 5; i++) await store.appendToStream(`s-${i}`, [{ id: randomUUID(), type: 'Written', data: {}, metadata: {} }], 'no_stream');
      rmSync(`${file}-wal`);
      const before = await runCliFile('src/event-store/store-check.cli.ts', [file], {});
      expect(before.code).toBe(3);
      expect(before.stderr).toMatch(
        /events\.sqlite cannot be read \(SQLITE_IOERR.*\)\. If a server runs on it, its -wal or -shm may have been removed under that server/,
      );

      expect(store.condition()).toMatchObject({
        reason: 'replaced',
        detail: expect.stringContaining('every acknowledged commit was copied from the -wal into events.sqlite'),
      });
      const after = await runCliFile('src/event-store/store-check.cli.ts', [file], {});
      expect(after).toMatchObject({ code: 0, stdout: expect.stringContaining('5 events read up to position 5; 0 unreadable') });
    } finally {
      await store.close();
    }
  });
});
