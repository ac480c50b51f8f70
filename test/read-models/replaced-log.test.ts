import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Position } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionRuntime, RuntimeLogger } from '../../src/read-models/engine/projection-runtime';
import { projectionStatuses, ProjectionStatus } from '../../src/read-models/engine/projection-status';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { StaleMark } from '../../src/read-models/engine/read-model-db';
import { ReadModelProgress } from '../../src/read-models/api/read-model-progress';
import type { ProjectionHealth } from '../../src/http/projections-health';
import { tempDir } from '../support/temp-dir';
import { cleanBuild, fingerprint } from './support/read-models-file';
import { seedStories } from './support/seed';

const NAMES = PROJECTIONS.map((p) => p.name);

class Lines implements RuntimeLogger {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(message);
  }
  error(message: string): void {
    this.lines.push(message);
  }
}

describe('read models kept while the log is replaced', () => {
  let dir: ReturnType<typeof tempDir>;
  let eventsFile: string;
  let readModels: string;
  let store: SqliteEventStore;
  const runtimes: ProjectionRuntime[] = [];

  const follow = async (options: { logger?: RuntimeLogger; followLive?: boolean } = {}) => {
    const runtime = new ProjectionRuntime({ store, file: readModels, projections: PROJECTIONS, batchSize: 50, ...options });
    runtimes.push(runtime);
    return runtime;
  };
  const stopAll = () => Promise.all(runtimes.splice(0).map((r) => r.close()));
  /** Puts `backup` (or nothing: a deleted log) in place of the store's file, as an operator would. */
  const replaceLog = async (backup: string | null) => {
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(eventsFile + suffix, { force: true });
    if (backup) copyFileSync(backup, eventsFile);
    store = new SqliteEventStore(eventsFile);
  };

  /** A log of 2000 events followed to its head, and a backup of the log at 1000. */
  beforeEach(async () => {
    dir = tempDir('newsroom-replaced-');
    eventsFile = join(dir.path, 'events.sqlite');
    readModels = join(dir.path, 'read-models.sqlite');
    store = new SqliteEventStore(eventsFile);
    await seedStories(store, 1000, 1);
    await store.close();
    copyFileSync(eventsFile, join(dir.path, 'backup.sqlite'));
    store = new SqliteEventStore(eventsFile);
    const { position } = await seedStories(store, 1000, 2);
    const first = await follow();
    await first.start();
    await first.waitFor(position, 60_000);
    await stopAll();
  });
  afterEach(async () => {
    await stopAll();
    await store.close();
    dir.remove();
  });

  /**
   * Starts a runtime on the replaced log. At the moment each projection is found stale it records
   * what GET /api/projections shows and whether a read waiting for position 1 would be answered
   * from the stale generation; then it waits until every projection has been rebuilt.
   */
  async function restartOnReplacedLog(head: Position) {
    const logger = new Lines();
    const runtime = await follow({ logger });
    const stale: Array<{ name: string; mark: StaleMark; statuses: Promise<ProjectionStatus[]>; health: ProjectionHealth[] }> = [];
    const answeredWhileStale: string[] = [];
    runtime.events.on('stale', (name, _generation, mark) => {
      stale.push({ name, mark, statuses: projectionStatuses(runtime), health: new ReadModelProgress(runtime).health() });
      void runtime.waitFor({ commit: 1n, prepare: 1n }, 60_000, [name]).then(() => {
        if (runtime.slot(name)!.liveStale) answeredWhileStale.push(name);
      });
    });
    await runtime.start();
    await runtime.waitFor(head, 60_000);
    return { runtime, logger, stale, answeredWhileStale };
  }

  it('restored from an older backup: read models past the head are marked stale, the operator told, and rebuilt', async () => {
    await replaceLog(join(dir.path, 'backup.sqlite'));
    const { position: head } = await seedStories(store, 300, 3);
    const { runtime, logger, stale, answeredWhileStale } = await restartOnReplacedLog(head);

    expect(stale.map((s) => s.name).sort()).toEqual([...NAMES].sort());
    for (const { name, mark, statuses, health } of stale) {
      expect(mark.reason).toMatch(/^its checkpoint \d+ is beyond the log's head 13\d\d$/);
      expect((await statuses).find((s) => s.name === name)).toMatchObject({ status: 'stale', stale: mark });
      expect(health.find((h) => h.name === name)).toEqual({ name, status: 'stale', position: '-1', problem: `stale since ${mark.since}: ${mark.reason}` });
    }
    expect(answeredWhileStale).toEqual([]);
    expect(logger.lines.filter((l) => /does not follow this event store's log/.test(l))).toHaveLength(NAMES.length);
    expect(fingerprint(readModels)).toEqual(await cleanBuild(store, dir.path));
    expect((await projectionStatuses(runtime)).map((s) => [s.status, s.stale])).toEqual(NAMES.map(() => ['live', undefined]));
  });

  it('restored, then written past the old checkpoint: the event at the checkpoint is not the one applied', async () => {
    await replaceLog(join(dir.path, 'backup.sqlite'));
    const { position: head } = await seedStories(store, 1500, 4);
    const { stale } = await restartOnReplacedLog(head);

    expect(stale).toHaveLength(NAMES.length);
    for (const { mark } of stale)
      expect(mark.reason).toMatch(/^the log's event at its checkpoint \d+ is [0-9a-f-]{36}, not [0-9a-f-]{36}, the last one it applied$/);
    expect(fingerprint(readModels)).toEqual(await cleanBuild(store, dir.path));
  });

  it('deleted: a new store has another identity, and the read models follow it from the start', async () => {
    await replaceLog(null);
    const { position: head } = await seedStories(store, 50, 5);
    const { stale } = await restartOnReplacedLog(head);

    for (const { mark } of stale) expect(mark.reason).toMatch(/^it was built from event store [0-9a-f-]{36}, and this one is [0-9a-f-]{36}$/);
    expect(fingerprint(readModels)).toEqual(await cleanBuild(store, dir.path));
  });

  it('a generation from before these checks adopts the log it matches, and is held to it afterwards', async () => {
    const runtime = await follow();
    runtime.db.sql.exec('UPDATE projection_generations SET store_id = NULL, last_event_id = NULL');
    await runtime.start();
    const live = runtime.db.withRole('articles', 'live')!;
    expect(live).toMatchObject({ storeId: await store.identity(), lastEventId: await store.eventIdAt(await store.headPosition()) });
    expect(runtime.slot('articles')!.liveStale).toBeNull();
    await stopAll();

    await replaceLog(join(dir.path, 'backup.sqlite'));
    const { stale } = await restartOnReplacedLog(await store.headPosition());
    expect(stale).toHaveLength(NAMES.length);
  });

  it('the rebuild CLI (not following live generations) swaps in over a live generation that follows another log', async () => {
    await replaceLog(join(dir.path, 'backup.sqlite'));
    const cli = await follow({ followLive: false });
    await cli.start();
    expect(cli.db.withRole('quotes', 'live')!.stale).toMatch(/beyond the log's head 1\d\d\d/);
    const swapped = new Promise((resolve) => cli.events.on('swapped', (name) => name === 'quotes' && resolve(name)));
    await cli.rebuild('quotes');
    await swapped;
    expect(cli.db.withRole('quotes', 'live')!.stale).toBeNull();
  });
});
