import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventStoreFullError, EventStoreReplacedError, EventStoreUnavailableError, WrongExpectedRevisionError } from '../../src/event-store/event-store.errors';
import { AppendResult, EventToAppend } from '../../src/event-store/event-store.port';
import { ServerLock } from '../../src/event-store/server-lock';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

const event = (bytes = 100): EventToAppend => ({ id: randomUUID(), type: 'Written', data: { text: 'x'.repeat(bytes) }, metadata: {} });
type Outcome = { stream: string; ok: true; result: AppendResult } | { stream: string; ok: false; error: unknown };

/** Starts `count` appends in one turn of the event loop: the store commits them as one group. */
function appendGroup(store: SqliteEventStore, count: number, bytes: number): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i): Promise<Outcome> => {
      const stream = `group-${randomUUID()}-${i}`;
      try {
        return { stream, ok: true, result: await store.appendToStream(stream, [event(bytes)], 'no_stream') };
      } catch (error) {
        return { stream, ok: false, error };
      }
    }),
  );
}

describe('embedded store under storage faults', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = tempDir('newsroom-faults-');
    file = join(dir.path, 'events.sqlite');
    store = new SqliteEventStore(file, { busyTimeoutMs: 50 });
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('out of space (SQLITE_FULL): rejects every append of the group, reports it, and recovers with the next commit', async () => {
    const before = await store.appendToStream('kept', [event()], 'no_stream');
    store.injectFaultForTests({ maxPageCount: store.pageCount() });

    const group = await appendGroup(store, 20, 8000);
    expect(group.every((o) => !o.ok && o.error instanceof EventStoreFullError)).toBe(true);
    expect(String((group[0] as { error: Error }).error.message)).not.toMatch(/database or disk is full/);
    expect(store.condition()).toMatchObject({ status: 'degraded', reason: 'out-of-space', code: 'SQLITE_FULL' });
    expect(await store.headPosition()).toEqual(before.position);

    store.injectFaultForTests({ maxPageCount: 1_000_000 });
    const after = await appendGroup(store, 5, 8000);
    expect(after.every((o) => o.ok)).toBe(true);
    expect(store.condition()).toEqual({ status: 'ok' });
    // Nothing of the refused group was stored; everything acknowledged was.
    for (const o of group) expect(await store.readStream(o.stream)).toEqual([]);
    for (const o of after) expect(await store.readStream(o.stream)).toHaveLength(1);
  });

  it('a refused expected revision still fails only its own append of the group', async () => {
    await store.appendToStream('taken', [event()], 'no_stream');
    const [refused, accepted] = await Promise.allSettled([
      store.appendToStream('taken', [event()], 'no_stream'),
      store.appendToStream('free', [event()], 'no_stream'),
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
    expect(accepted.status).toBe('fulfilled');
    expect(store.condition()).toEqual({ status: 'ok' });
  });

  it('read-only (SQLITE_READONLY): refuses appends as unavailable, keeps serving reads, and recovers', async () => {
    await store.appendToStream('kept', [event()], 'no_stream');
    store.injectFaultForTests({ readOnly: true });
    await expect(store.appendToStream('refused', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(store.condition()).toMatchObject({ status: 'degraded', reason: 'read-only', code: 'SQLITE_READONLY' });
    expect(await store.readStream('kept')).toHaveLength(1);

    store.injectFaultForTests({ readOnly: false });
    await store.appendToStream('accepted', [event()], 'no_stream');
    expect(store.condition()).toEqual({ status: 'ok' });
    expect(await store.readStream('refused')).toEqual([]);
  });

  it('locked by another connection beyond the busy timeout (SQLITE_BUSY): unavailable while it lasts', async () => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(store.appendToStream('waits', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      expect(store.condition()).toMatchObject({ status: 'degraded', reason: 'unavailable', code: 'SQLITE_BUSY' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await store.appendToStream('waits', [event()], 'no_stream');
    expect(store.condition()).toEqual({ status: 'ok' });
  });

  it('a write lock another process holds for less than the busy timeout: the group commit waits for it and succeeds', async () => {
    await store.close();
    store = new SqliteEventStore(file, { busyTimeoutMs: 30_000 });
    await store.appendToStream('read first', [event()], 'no_stream');
    // Another process, so that it can let go while this one's busy handler waits; it commits a
    // write of its own, as a second writer would.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE');
         db.exec("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('other process', 'was here')"); console.log('locked');
         process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });`,
        file,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    // The group commit runs on the next turn and blocks in SQLite's busy handler; the holder lets go
    // when it reads this line, not after a fixed delay.
    const appended = store.appendToStream('read first', [event()], 0n);
    holder.stdin.write('release\n');
    await expect(appended).resolves.toMatchObject({ nextExpectedRevision: 1n });
    expect(store.condition()).toEqual({ status: 'ok' });
    await exited;
  });

  it('a file replaced or removed under the running store: appends refused before anything is written to the old one', async () => {
    await store.appendToStream('kept', [event()], 'no_stream');
    renameSync(file, `${file}.moved`);
    expect(store.condition()).toMatchObject({ status: 'degraded', reason: 'replaced', code: 'ENOENT' });
    await expect(store.appendToStream('lost', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    renameSync(`${file}.moved`, file);
    await store.close();

    store = new SqliteEventStore(file);
    expect(await store.readStream('lost')).toEqual([]);
    expect(await store.readStream('kept')).toHaveLength(1);
  });

  it.each(['-wal', '-shm'])('events.sqlite%s removed under the running store: reported at once, and every later append refused', async (suffix) => {
    await store.appendToStream('kept', [event()], 'no_stream');
    rmSync(file + suffix);
    expect(store.condition()).toMatchObject({
      status: 'degraded',
      reason: 'replaced',
      code: 'ENOENT',
      detail: expect.stringContaining(`events.sqlite${suffix}`),
    });
    await expect(store.appendToStream('lost', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreReplacedError);
    await expect(store.appendToStream('lost again', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreReplacedError);
    expect(store.condition()).toMatchObject({ status: 'degraded', reason: 'replaced' });
  });

  it('the -wal removed while another connection reads: its pages are copied once the reader lets go, so a reopened file holds every commit', async () => {
    for (let i = 0; i < 20; i++) await store.appendToStream(`before-${i}`, [event()], 'no_stream');
    const reader = new Database(file, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM events').get();
    for (let i = 0; i < 20; i++) await store.appendToStream(`during-${i}`, [event()], 'no_stream');
    await store.close();
    store = new SqliteEventStore(file, { busyTimeoutMs: 50 });
    for (let i = 0; i < 20; i++) await store.appendToStream(`after-${i}`, [event()], 'no_stream');
    rmSync(`${file}-wal`);
    expect(store.condition()).toMatchObject({ status: 'degraded', reason: 'replaced', detail: expect.stringMatching(/could be copied .* so far/) });
    reader.exec('COMMIT');
    reader.close();
    expect(store.condition()).toMatchObject({ detail: expect.stringContaining('every acknowledged commit was copied') });
    await store.close();
    store = new SqliteEventStore(file);
    expect((await store.headPosition()).commit).toBe(60n);
    expect(await store.readStream('after-19')).toHaveLength(1);
  });

  it('the -wal unlinked during a group commit: no append of the group is acknowledged', async () => {
    await store.appendToStream('kept', [event()], 'no_stream');
    store.injectFaultForTests({ duringCommit: () => rmSync(`${file}-wal`) });
    const group = await appendGroup(store, 5, 100);
    expect(group.every((o) => !o.ok && o.error instanceof EventStoreReplacedError)).toBe(true);
    expect(String((group[0] as { error: Error }).error.message)).toMatch(/events\.sqlite-wal was replaced or removed .*restarted.*not acknowledged/);
    expect(store.condition()).toMatchObject({ status: 'degraded', reason: 'replaced', code: 'ENOENT' });
  });

  it('DATA_DIR/server.lock deleted under the running store (a "stale lock cleanup"): every later append refused, naming it', async () => {
    await store.close();
    const lock = ServerLock.acquire(dir.path);
    store = new SqliteEventStore(file, { lock });
    let second: ServerLock | null = null;
    try {
      await store.appendToStream('kept', [event()], 'no_stream');
      for (const name of ['server.lock', 'server.lock-journal']) rmSync(join(dir.path, name), { force: true });
      // The kernel's lock stayed with the deleted file: nothing stops a second server now.
      second = ServerLock.acquire(dir.path);
      await expect(store.appendToStream('refused', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreReplacedError);
      expect(store.condition()).toMatchObject({
        status: 'degraded',
        reason: 'replaced',
        detail: expect.stringMatching(/^server\.lock was replaced or removed .*another one may have started on it$/),
      });
    } finally {
      second?.release();
      lock.release();
    }
  });

  it('probe(): while a fault is recorded, a small write tells whether it lasts; it clears without an append once the store writes again', async () => {
    await store.close();
    store = new SqliteEventStore(file, { busyTimeoutMs: 50, probeIntervalMs: 0 });
    store.injectFaultForTests({ readOnly: true });
    await expect(store.appendToStream('refused', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    const first = store.condition();
    expect(store.probe()).toMatchObject({ status: 'degraded', reason: 'read-only', since: (first as { since: string }).since });

    store.injectFaultForTests({ readOnly: false });
    expect(store.probe()).toEqual({ status: 'ok' });
    expect(await store.readStream('refused')).toEqual([]);
    expect(await store.headPosition()).toEqual({ commit: -1n, prepare: -1n });
  });

  it('probe(): at most once per probe interval; never on a sound store', async () => {
    await store.close();
    store = new SqliteEventStore(file, { busyTimeoutMs: 50, probeIntervalMs: 3_600_000 });
    expect(store.probe()).toEqual({ status: 'ok' });
    store.injectFaultForTests({ readOnly: true });
    await expect(store.appendToStream('refused', [event()], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(store.probe()).toMatchObject({ reason: 'read-only' });
    store.injectFaultForTests({ readOnly: false });
    // Within the interval: no second write, so the fault stays until a commit or the next probe.
    expect(store.probe()).toMatchObject({ reason: 'read-only' });
  });
});
