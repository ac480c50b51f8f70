import { Logger } from '@nestjs/common';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadUsers } from '../../src/auth/users';
import { loadConfig } from '../../src/config/app-config';
import { EventStoreUnavailableError } from '../../src/event-store/event-store.errors';
import { ProblemFilter } from '../../src/http/problem.filter';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp } from '../support/test-app';

const SECRET = 'secret-token-in-the-url';
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('no token echoed, no file readable by others (e2e)', () => {
  let t: TestApp;
  let umask: number;
  // A umask that would leave everything world-readable: the modes must not depend on it.
  beforeAll(async () => {
    umask = process.umask(0o000);
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    process.umask(umask);
  });

  it('refuses a token in the query string, even beside a valid header, and echoes neither', async () => {
    for (const req of [
      t.http.get(`/api/articles?access_token=${t.tokens.reporter}`),
      t.http.get(`/api/articles?access_token=${t.tokens.reporter}`).set('Authorization', t.auth('reporter')),
      t.http.get(`/health?access_token=${SECRET}`),
    ]) {
      const res = await req.expect(401);
      expect(res.body.detail).toBe('Tokens are not accepted in the query string; send "Authorization: Bearer <token>"');
      expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${SECRET}|${t.tokens.reporter}`));
    }
  });

  it("gives the problem document's instance as the path only, also when Nest quotes the URL", async () => {
    const res = await t.http.get(`/api/nowhere?access_token=${SECRET}&x=1`).set('Authorization', t.auth('reporter')).expect(404);
    expect(res.body).toMatchObject({ instance: '/api/nowhere', detail: 'Cannot GET /api/nowhere' });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
  });

  it('logs a 5xx with the path only', () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const sent: string[] = [];
    // Fastify's reply, as far as the filter uses it.
    const response = {
      raw: { headersSent: false },
      sent: false,
      code: () => response,
      headers: () => response,
      header: () => response,
      send: (body: string) => sent.push(body),
    };
    const request = { method: 'POST', originalUrl: `/api/articles?access_token=${SECRET}` };
    const host = { switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }) };
    try {
      new ProblemFilter().catch(new EventStoreUnavailableError('events.sqlite cannot be written'), host as never);
      new ProblemFilter().catch(new Error(`failed on ?access_token=${SECRET}`.slice(0, 10)), host as never);
      // A 503 is expected in operation: a warning without a stack; a 500 is a bug: an error with one.
      // Each line with the request's ids (none here: a stand-in request without headers).
      expect(warnings).toHaveBeenCalledWith({}, expect.stringMatching(/^POST \/api\/articles: 503 /));
      expect(errors).toHaveBeenCalledWith({ err: expect.objectContaining({ message: 'POST /api/articles', stack: expect.any(String) }) });
      const logged = [...errors.mock.calls, ...warnings.mock.calls].flat().map((arg: { err?: Error }) => (arg?.err ? arg.err.stack : arg));
      expect(JSON.stringify(logged)).not.toContain(SECRET);
      expect(JSON.parse(sent[0])).toMatchObject({ status: 503, instance: '/api/articles' });
    } finally {
      errors.mockRestore();
      warnings.mockRestore();
    }
  });

  it('creates DATA_DIR 0700 and every file in it 0600: the store, its WAL, read models, lock files', async () => {
    await t.http
      .post('/api/articles')
      .set('Authorization', t.auth('reporter'))
      .send({ headline: 'Private', body: [{ type: 'paragraph', text: 'Draft.' }] })
      .expect(201);
    expect(mode(t.dataDir)).toBe('700');
    const files = readdirSync(t.dataDir).filter((name) => name !== 'test-users.json');
    expect(files).toEqual(
      expect.arrayContaining([
        'events.sqlite',
        'events.sqlite-wal',
        'events.sqlite-shm',
        'read-models.sqlite',
        'read-models.sqlite-wal',
        'server.lock',
        'server.lock.json',
      ]),
    );
    expect(Object.fromEntries(files.map((name) => [name, mode(join(t.dataDir, name))]))).toEqual(Object.fromEntries(files.map((name) => [name, '600'])));
  });

  it('creates the development users file 0600, and tightens a DATA_DIR left world-readable by an older version', async () => {
    const dir = tempDir('newsroom-modes-');
    try {
      const dataDir = join(dir.path, 'data');
      loadUsers(loadConfig({ DATA_DIR: dataDir }), () => undefined);
      expect([mode(dataDir), mode(join(dataDir, 'dev-users.json'))]).toEqual(['700', '600']);

      const old = join(dir.path, 'old');
      mkdirSync(old, { mode: 0o755 });
      writeFileSync(join(old, 'events.sqlite'), '', { mode: 0o644 });
      chmodSync(old, 0o755);
      const app = await startTestApp({ dataDir: old, removeDataDirOnClose: false });
      await app.close({ keepData: true });
      expect([mode(old), mode(join(old, 'events.sqlite'))]).toEqual(['700', '600']);
    } finally {
      dir.remove();
    }
  });
});
