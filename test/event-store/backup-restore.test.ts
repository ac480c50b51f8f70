import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { cleanBuild, fingerprint } from '../read-models/support/read-models-file';
import { exitOf, listening, runCliFile, spawnServer, writeUsersFile } from '../support/server-process';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TEST_USERS } from '../support/test-app';

interface Acknowledged {
  articleId: string;
  position: string;
}

/** Writers drafting articles through a server's HTTP API until stopped; every 201 is recorded. */
function keepWriting(port: number, writers: number) {
  const acknowledged: Acknowledged[] = [];
  let writing = true;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const writer = async (n: number) => {
    for (let i = 0; writing; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/api/articles`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TEST_USERS.reporter.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ headline: `Writer ${n}, article ${i}`, body: [{ type: 'paragraph', text: 'Written during a backup.' }] }),
      });
      if (res.status !== 201) throw new Error(`draft answered ${res.status}`);
      acknowledged.push((await res.json()) as Acknowledged);
      for (const waiter of waiters.filter((w) => acknowledged.length >= w.count)) waiter.resolve();
    }
  };
  const done = Promise.all(Array.from({ length: writers }, (_, n) => writer(n)));
  return {
    acknowledged,
    /** Resolves once `count` drafts in all have been acknowledged. */
    reach: (count: number) => new Promise<void>((resolve) => (acknowledged.length >= count ? resolve() : waiters.push({ count, resolve }))),
    stop: async () => {
      writing = false;
      await done;
    },
  };
}

describe('online backup and restore of the embedded store', () => {
  const dir = tempDir('newsroom-backup-');
  const dataDir = join(dir.path, 'data');
  const usersFile = join(dir.path, 'users.json');
  const backup = join(dir.path, 'backup.sqlite');
  afterAll(() => dir.remove());

  it('backs up while a server appends, consistent at the printed position; restores only once the server is gone; the read models then equal a fresh rebuild', async () => {
    writeUsersFile(usersFile);
    const env = { DATA_DIR: dataDir };
    const server = spawnServer(dataDir, usersFile);
    const serverExit = exitOf(server);
    let backedUpAt: number;
    let acknowledged: Acknowledged[];
    try {
      const writes = keepWriting(await listening(server), 8);
      await writes.reach(100);
      const backedUp = await runCliFile('src/event-store/store-backup.cli.ts', [backup], env);
      expect(backedUp).toMatchObject({ code: 0, stderr: '' });
      backedUpAt = Number(/consistent at position (\d+) \((\d+) events/.exec(backedUp.stdout)![1]);
      await writes.reach(backedUpAt + 100);
      await writes.stop();
      acknowledged = writes.acknowledged;

      const refused = await runCliFile('src/event-store/store-restore.cli.ts', [backup], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`^Refusing to restore: The embedded store in ${dataDir} is in use by server pid ${server.pid} on `));
    } finally {
      server.kill('SIGTERM');
    }
    await serverExit;

    // The backup holds exactly the acknowledged drafts up to its position: none after it, none lost.
    const copy = new SqliteEventStore(backup);
    const inBackup = (await copy.readAll({ maxCount: 100_000 })).map((e) => e.streamId.replace(/^article-/, ''));
    await copy.close();
    const expected = acknowledged.filter((a) => Number(a.position) <= backedUpAt).map((a) => a.articleId);
    expect(inBackup.sort()).toEqual(expected.sort());
    expect(acknowledged.length).toBeGreaterThan(expected.length);

    const restored = await runCliFile('src/event-store/store-restore.cli.ts', [backup], env);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`the log now ends at position ${backedUpAt}.`);
    expect(readdirSync(dataDir).some((name) => /^events-before-restore-.*\.sqlite$/.test(name))).toBe(true);

    // Read models ahead of the restored log are found stale on start and rebuilt from it.
    const t = await startTestApp({ dataDir, removeDataDirOnClose: false });
    const head = await t.eventStore.headPosition();
    expect(Number(head.commit)).toBe(backedUpAt);
    await t.app.get(ProjectionEngine).waitFor(head, 60_000);
    await t.close({ keepData: true });
    const store = new SqliteEventStore(join(dataDir, 'events.sqlite'));
    try {
      expect(fingerprint(join(dataDir, 'read-models.sqlite'))).toEqual(await cleanBuild(store, dir.path));
    } finally {
      await store.close();
    }
    expect(existsSync(join(dataDir, 'events.sqlite.restoring'))).toBe(false);
  }, 180_000);
});
