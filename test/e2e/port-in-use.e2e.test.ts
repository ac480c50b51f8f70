import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { exitOf } from '../support/server-process';
import { spawnTs } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';

/** A server that cannot listen says so once and leaves DATA_DIR as it found it. */
describe('a start on a port in use (e2e)', () => {
  const dir = tempDir('newsroom-port-in-use-');
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    dir.remove();
  });

  it('exits 1 naming the address, with one error line, before it creates users, a signing key or a store', async () => {
    const dataDir = join(dir.path, 'data');
    // No NEWSROOM_USERS_FILE and no LEDGER_SIGNING_KEY_FILE: a start that got further would create both in DATA_DIR.
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1', NEWSROOM_USERS_FILE: '', LEDGER_SIGNING_KEY_FILE: '' };
    const exited = await exitOf(spawnTs('src/main.ts', [], env));
    expect(exited.code).toBe(1);
    const errors = exited.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: string; message: string });
    expect(errors).toEqual([
      expect.objectContaining({
        level: 'error',
        message: `127.0.0.1:${port} is in use by another process: set PORT to another, or stop that process`,
      }),
    ]);
    expect(exited.stdout).not.toMatch(/Bearer/);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('with PORT=0 too, a HOST that is no address of this machine ends the start before anything is created', async () => {
    const dataDir = join(dir.path, 'any-port');
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): documentation only, never an address of this machine.
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '192.0.2.1', NO_COLOR: '1', NEWSROOM_USERS_FILE: '', LEDGER_SIGNING_KEY_FILE: '' };
    const exited = await exitOf(spawnTs('src/main.ts', [], env));
    expect(exited.code).toBe(1);
    expect(exited.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('192.0.2.1:0 cannot be listened on (EADDRNOTAVAIL): HOST is no address of this machine'),
    ]);
    expect(exited.stdout).not.toMatch(/Bearer/);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
