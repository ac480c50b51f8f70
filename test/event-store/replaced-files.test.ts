import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { exitOf, listening, spawnServer, writeUsersFile } from '../support/server-process';
import { tempDir } from '../support/temp-dir';
import { TEST_USERS } from '../support/test-app';

const draft = (port: number, headline: string) =>
  fetch(`http://127.0.0.1:${port}/api/articles`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TEST_USERS.reporter.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ headline, body: [{ type: 'paragraph', text: 'Text.' }] }),
  });

const read = (port: number, articleId: string) =>
  fetch(`http://127.0.0.1:${port}/api/articles/${articleId}/history`, { headers: { Authorization: `Bearer ${TEST_USERS.editor.token}` } });

describe('files of the embedded store removed under a running server', () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  afterAll(() => dirs.forEach((dir) => dir.remove()));

  it('events.sqlite-wal removed: writes refused with 503 saying to restart, /health and readiness say so; after kill -9 every acknowledged write is there', async () => {
    const dir = tempDir('newsroom-replaced-wal-');
    dirs.push(dir);
    const dataDir = join(dir.path, 'data');
    const usersFile = join(dir.path, 'users.json');
    writeUsersFile(usersFile);
    const first = spawnServer(dataDir, usersFile);
    const firstExit = exitOf(first);
    const acknowledged: string[] = [];
    try {
      const port = await listening(first);
      for (let i = 0; i < 3; i++) {
        const res = await draft(port, `Before ${i}`);
        expect(res.status).toBe(201);
        acknowledged.push(((await res.json()) as { articleId: string }).articleId);
      }
      rmSync(join(dataDir, 'events.sqlite-wal'));

      const refused = await draft(port, 'After the -wal went');
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ type: '/problems/event-store-unavailable' });
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toMatchObject({
        status: 'degraded',
        eventStoreFault: { reason: 'replaced', code: 'ENOENT', detail: expect.stringContaining('events.sqlite-wal') },
      });
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(503);
    } finally {
      first.kill('SIGKILL');
    }
    await firstExit;

    const second = spawnServer(dataDir, usersFile);
    const secondExit = exitOf(second);
    try {
      const port = await listening(second);
      for (const articleId of acknowledged) expect((await read(port, articleId)).status).toBe(200);
    } finally {
      second.kill('SIGTERM');
    }
    await secondExit;
  }, 120_000);

  it('server.lock deleted and a second server started on the same DATA_DIR: the first refuses writes, saying so; the second takes them', async () => {
    const dir = tempDir('newsroom-replaced-lock-');
    dirs.push(dir);
    const dataDir = join(dir.path, 'data');
    const usersFile = join(dir.path, 'users.json');
    writeUsersFile(usersFile);
    const first = spawnServer(dataDir, usersFile);
    const firstExit = exitOf(first);
    try {
      const firstPort = await listening(first);
      expect((await draft(firstPort, 'First')).status).toBe(201);
      for (const name of ['server.lock', 'server.lock-journal']) rmSync(join(dataDir, name), { force: true });

      const second = spawnServer(dataDir, usersFile);
      const secondExit = exitOf(second);
      try {
        const secondPort = await listening(second);
        const refused = await draft(firstPort, 'Refused by the first');
        expect(refused.status).toBe(503);
        expect(((await refused.json()) as { detail: string }).detail).toMatch(/until the operator restarts the server/);
        expect(await (await fetch(`http://127.0.0.1:${firstPort}/health`)).json()).toMatchObject({
          status: 'degraded',
          eventStoreFault: { reason: 'replaced', detail: expect.stringContaining('server.lock') },
        });
        expect((await fetch(`http://127.0.0.1:${firstPort}/health/ready`)).status).toBe(503);
        expect((await draft(secondPort, 'Taken by the second')).status).toBe(201);
      } finally {
        second.kill('SIGTERM');
      }
      await secondExit;
    } finally {
      first.kill('SIGTERM');
    }
    await firstExit;
  }, 120_000);
});
