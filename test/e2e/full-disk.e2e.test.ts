import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { CAN_MOUNT, mountTmpfs, unmount } from '../support/fault-fs';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp } from '../support/test-app';

/** A way to fill the disk under a running app and to give the space back. */
interface Disk {
  name: string;
  setUp(dir: string): void;
  fill(t: TestApp): void;
  free(t: TestApp): void;
  tearDown(dir: string): void;
}

const storeOf = (t: TestApp) => t.eventStore as SqliteEventStore;

/** SQLite's max_page_count: the store's file may not grow, as on a full disk (SQLITE_FULL). */
const pageLimit: Disk = {
  name: 'the store at its max_page_count',
  setUp: () => undefined,
  fill: (t) => storeOf(t).injectFaultForTests({ maxPageCount: storeOf(t).pageCount() }),
  free: (t) => storeOf(t).injectFaultForTests({ maxPageCount: 1_000_000_000 }),
  tearDown: () => undefined,
};

/** A real 48 MB tmpfs as DATA_DIR, filled to the last byte with a filler file (ENOSPC). */
const tmpfs: Disk = {
  name: 'a tmpfs filled to the last byte',
  setUp: (dir) => mountTmpfs(dir, 48),
  fill: (t) => {
    const fd = openSync(join(t.dataDir, 'filler'), 'w');
    try {
      for (const size of [1 << 20, 1 << 12, 1]) {
        const chunk = Buffer.alloc(size, 1);
        try {
          for (;;) writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        }
      }
    } finally {
      closeSync(fd);
    }
  },
  free: (t) => rmSync(join(t.dataDir, 'filler')),
  tearDown: (dir) => unmount(dir),
};

const DISKS = CAN_MOUNT ? [pageLimit, tmpfs] : [pageLimit];
const paragraphs = (kilobytes: number) =>
  Array.from({ length: Math.ceil(kilobytes / 16) }, (_, i) => ({ type: 'paragraph', text: `${i} `.padEnd(16_000, 'words ') }));

describe.each(DISKS)('a full disk: $name', (disk) => {
  const dir = tempDir('newsroom-full-disk-');
  let t: TestApp;
  beforeAll(async () => {
    disk.setUp(dir.path);
    t = await startTestApp({ dataDir: dir.path, removeDataDirOnClose: false });
  });
  afterAll(async () => {
    await t?.close();
    disk.tearDown(dir.path);
    dir.remove();
  });

  const draft = (kilobytes: number) =>
    t.http
      .post('/api/articles')
      .set('Authorization', t.auth('reporter'))
      .send({ headline: 'Filling up', body: paragraphs(kilobytes) });

  it('answers 507 while full and keeps serving reads; /health says degraded; recovers once space returns; every acknowledged write is read back', async () => {
    const acknowledged: Array<{ articleId: string; position: string }> = [];
    for (let i = 0; i < 3; i++) acknowledged.push((await draft(4).expect(201)).body);

    disk.fill(t);
    const answers = await Promise.all(Array.from({ length: 12 }, () => draft(1024)));
    const full = answers.filter((res) => res.status === 507);
    for (const res of answers) {
      expect([201, 507]).toContain(res.status);
      if (res.status === 201) acknowledged.push(res.body);
    }
    expect(full.length).toBeGreaterThan(0);
    expect(full[0].headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(full[0].body).toEqual({
      type: '/problems/event-store-full',
      title: 'Insufficient Storage',
      status: 507,
      detail: 'The event store has no space left; nothing was written. Retry once space is freed.',
      instance: '/api/articles',
    });

    const degraded = (await t.http.get('/health').expect(200)).body;
    expect(degraded).toMatchObject({
      status: 'degraded',
      eventStore: 'embedded',
      eventStoreFault: { reason: 'out-of-space', code: 'SQLITE_FULL' },
    });
    // The store's fault first; on a real full disk the read models fail to write too, and say so.
    expect(degraded.reasons[0]).toMatch(/^event store out-of-space: events.sqlite has no space left: nothing was written \(SQLITE_FULL\)/);
    for (const reason of degraded.reasons.slice(1)) expect(reason).toMatch(/^projection \w+ catching-up: writing the read model has failed since /);
    await t.http.get(`/api/articles/${acknowledged[0].articleId}/history`).set('Authorization', t.auth('editor')).expect(200);

    disk.free(t);
    acknowledged.push((await draft(4).expect(201)).body);
    expect((await t.http.get('/health').expect(200)).body.eventStoreFault).toBeUndefined();

    // Every acknowledged write, and nothing else, is in the log, in the read models, and on disk.
    for (const { articleId, position } of acknowledged) {
      const history = await t.http.get(`/api/articles/${articleId}/history`).set('Authorization', t.auth('editor')).expect(200);
      expect(history.body.items).toEqual([expect.objectContaining({ revision: 0, position, type: 'ArticleDrafted' })]);
    }
    await t.app.get(ProjectionEngine).waitFor(await t.eventStore.headPosition(), 30_000);
    expect((await t.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok' });
    const listed = await t.http.get('/api/articles?limit=500').set('Authorization', t.auth('editor')).expect(200);
    const ids = acknowledged.map((a) => a.articleId).sort();
    expect(listed.body.items.map((a: { id: string }) => a.id).sort()).toEqual(ids);

    await t.close({ keepData: true });
    const reopened = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    try {
      const drafted = await reopened.readAll({ maxCount: 1000 });
      expect(drafted.map((e) => e.streamId.replace(/^article-/, '')).sort()).toEqual(ids);
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
