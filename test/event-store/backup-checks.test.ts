import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { UsageError } from '../../src/cli/run-cli';
import { backupStore, DamagedBackupError } from '../../src/event-store/store-backup.cli';
import { checkStore } from '../../src/event-store/store-check.cli';
import { exitOf } from '../support/server-process';
import { spawnTs } from '../support/spawn-ts';
import { damageEventJson, damagePageHolding } from '../support/damage';
import { tempDir } from '../support/temp-dir';

/** A store of `count` one-event streams, the second holding `marker`; closed (checkpointed) on return. */
async function storeWith(file: string, count: number, marker = 'PLAIN'): Promise<void> {
  const store = new SqliteEventStore(file);
  // In groups of 500 (one commit each), in order: position i + 1 is stream s-i.
  for (let first = 0; first < count; first += 500) {
    const group = Array.from({ length: Math.min(500, count - first) }, (_, j) => first + j);
    await Promise.all(
      group.map((i) => {
        const text = i === 1 ? marker : `event ${i} ${'x'.repeat(2000)}`;
        return store.appendToStream(`s-${i}`, [{ id: randomUUID(), type: 'Written', data: { text }, metadata: {} }], 'no_stream');
      }),
    );
  }
  await store.close();
}

describe('store:backup checks what it wrote', () => {
  let dir: ReturnType<typeof tempDir>;
  let source: string;
  let target: string;
  beforeEach(() => {
    dir = tempDir('newsroom-backup-checks-');
    source = join(dir.path, 'events.sqlite');
    target = join(dir.path, 'copy.sqlite');
  });
  afterEach(() => dir.remove());

  it('a sound store: the copy is checked, and nothing but the copy is left', async () => {
    await storeWith(source, 20);
    await expect(backupStore(source, target)).resolves.toMatchObject({ head: 20n, events: 20 });
    expect(readdirSync(dir.path).filter((name) => name.startsWith('copy'))).toEqual(['copy.sqlite']);
  });

  it('a copy with a damaged page fails integrity_check: refused, removed, the problem named', async () => {
    await storeWith(source, 20, 'PAGE-MARKER');
    damagePageHolding(source, 'PAGE-MARKER');
    const failed = backupStore(source, target);
    await expect(failed).rejects.toBeInstanceOf(DamagedBackupError);
    await expect(failed).rejects.toThrow(/^The copy .*copy\.sqlite failed its check and was removed: integrity_check: /);
    expect(readdirSync(dir.path).filter((name) => name.startsWith('copy'))).toEqual([]);
  });

  it('a copy with an event that does not parse: refused, removed, its position named', async () => {
    await storeWith(source, 5);
    damageEventJson(source, 3);
    await expect(backupStore(source, target)).rejects.toThrow(/failed its check and was removed: unreadable: The event at position 3 \(s-2 revision 0\)/);
    expect(existsSync(target)).toBe(false);
  });

  it('killed with -9 in the middle of the copy: nothing at the target name, and the next backup to it succeeds', async () => {
    // Big enough for several steps of the copy (4096 pages each).
    await storeWith(source, 12_000);
    const killed = await exitOf(spawnTs('test/event-store/backup-killed.child.ts', [source, target]));
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(target)).toBe(false);
    const left = readdirSync(dir.path).filter((name) => name.includes('copy'));
    expect(left.length).toBeGreaterThan(0);
    for (const name of left) expect(name).toMatch(/^\.copy\.sqlite\.partial-\d+(-journal)?$/);

    await expect(backupStore(source, target)).resolves.toMatchObject({ head: 12_000n, events: 12_000 });
    expect(checkStore(target)).toMatchObject({ integrity: [], eventsRead: 12_000, unreadable: [] });
  }, 60_000);

  it.each(['events.sqlite-wal', 'events.sqlite-shm', 'events.sqlite-journal', 'read-models.sqlite-wal', 'server.lock-journal'])(
    "refuses %s as the target: SQLite would take the copy for that database's log or journal",
    async (name) => {
      await storeWith(source, 3);
      const before = readdirSync(dir.path).sort();
      await expect(backupStore(source, join(dir.path, name))).rejects.toThrow(
        new RegExp(`^Cannot back up to .*${name}: ${name} is one of the store's own files`),
      );
      await expect(backupStore(source, join(dir.path, name))).rejects.toBeInstanceOf(UsageError);
      expect(readdirSync(dir.path).sort()).toEqual(before);
    },
  );

  it("refuses the store's -wal named through a symlinked directory", async () => {
    await storeWith(source, 3);
    symlinkSync(dir.path, join(dir.path, 'link'));
    await expect(backupStore(source, join(dir.path, 'link', 'events.sqlite-wal'))).rejects.toThrow(/is one of the store's own files/);
    expect(existsSync(join(dir.path, 'events.sqlite-wal'))).toBe(false);
  });
});
