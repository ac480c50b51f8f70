import { hostname } from 'node:os';
import { join } from 'node:path';
import { exitOf, listening, runCliFile, spawnServer, writeUsersFile } from '../support/server-process';
import { tempDir } from '../support/temp-dir';
import { TEST_USERS } from '../support/test-app';

describe('one server per embedded store', () => {
  const dir = tempDir('newsroom-one-server-');
  const dataDir = join(dir.path, 'data');
  const usersFile = join(dir.path, 'users.json');
  afterAll(() => dir.remove());

  it('a second server refuses to start naming the first; CLIs still run beside it; kill -9 of the first leaves no stale lock', async () => {
    writeUsersFile(usersFile);
    const first = spawnServer(dataDir, usersFile);
    const firstExit = exitOf(first);
    try {
      const port = await listening(first);
      const created = await fetch(`http://127.0.0.1:${port}/api/articles`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TEST_USERS.reporter.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ headline: 'Held', body: [{ type: 'paragraph', text: 'By the first server.' }] }),
      });
      expect(created.status).toBe(201);

      // NO_COLOR unset: into a pipe, a failed start is still JSON lines without ANSI colours (startupLogger).
      const second = await exitOf(spawnServer(dataDir, usersFile, { NO_COLOR: '' }));
      expect(second.code).toBe(1);
      expect(second.stdout + second.stderr).not.toContain('\u001b[');
      const errors = second.stderr
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { level: string; message: string });
      expect(errors).toContainEqual(
        expect.objectContaining({ level: 'error', message: expect.stringMatching(/^The embedded store in .* is in use by server pid/) }),
      );
      expect(second.stderr).toMatch(
        new RegExp(
          `The embedded store in ${dataDir} is in use by server pid ${first.pid} on ${hostname()}, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\. One server per store`,
        ),
      );
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

      const env = { DATA_DIR: dataDir };
      const [rebuilt, checked, backedUp] = await Promise.all([
        runCliFile('src/read-models/rebuild.cli.ts', ['quotes'], env),
        runCliFile('src/event-store/store-check.cli.ts', [], env),
        runCliFile('src/event-store/store-backup.cli.ts', [join(dir.path, 'backup.sqlite')], env),
      ]);
      expect([rebuilt.code, checked.code, backedUp.code]).toEqual([0, 0, 0]);
      expect(backedUp.stdout).toMatch(/consistent at position 1 \(1 events/);
    } finally {
      first.kill('SIGKILL');
    }
    expect((await firstExit).signal).toBe('SIGKILL');

    const third = spawnServer(dataDir, usersFile);
    const thirdExit = exitOf(third);
    const port = await listening(third);
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toMatchObject({ status: 'ok' });
    // SIGTERM drains and closes the app (src/http/graceful-shutdown.ts), then exits 0.
    third.kill('SIGTERM');
    expect(await thirdExit).toMatchObject({ code: 0, signal: null });
  }, 120_000);
});
