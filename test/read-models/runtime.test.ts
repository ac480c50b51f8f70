import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { ArticlesDocs, articlesProjection } from '../../projections/articles.projection';
import { events, REPORTER } from '../../projections/test-support/article-events';
import { EventStore, formatPosition, START } from '../../src/event-store/event-store.port';
import { GenerationWriter } from '../../src/read-models/engine/generation-writer';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { Projection } from '../../src/projection-kit/projection';
import { ProjectionRuntime } from '../../src/read-models/engine/projection-runtime';
import { RebuildThread, RemoteProjector } from '../../src/read-models/engine/rebuild-thread';
import { projectionStatuses } from '../../src/read-models/engine/projection-status';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { ReadModelReader } from '../../src/read-models/engine/read-model-reader';
import { tempDir } from '../support/temp-dir';
import { LedgerDocs, ledgerProjection } from './support/ledger.projection';
import { cleanBuild, fingerprint, liveDocs } from './support/read-models-file';
import { appendArticle, seedStories } from './support/seed';

describe('projection runtime', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: EventStore;
  const runtimes: ProjectionRuntime[] = [];
  const file = () => join(dir.path, 'read-models.sqlite');
  const startRuntime = (projections: readonly Projection[] = PROJECTIONS, batchSize?: number) => {
    const runtime = new ProjectionRuntime({ store, file: file(), projections, batchSize });
    runtimes.push(runtime);
    runtime.start();
    return runtime;
  };
  const stopAll = async () => Promise.all(runtimes.splice(0).map((r) => r.close()));

  beforeEach(() => {
    dir = tempDir('newsroom-runtime-');
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  });
  afterEach(async () => {
    await stopAll();
    await store.close();
    dir.remove();
  });

  it('catches up in batches, then follows live appends; equal to a clean build', async () => {
    await seedStories(store, 3000);
    const runtime = startRuntime([...PROJECTIONS, ledgerProjection], 128);
    await runtime.waitFor(await store.headPosition(), 30_000);
    const { position } = await seedStories(store, 500, 2);
    await runtime.waitFor(position, 30_000);

    expect(fingerprint(file())).toEqual(await cleanBuild(store, dir.path, [...PROJECTIONS, ledgerProjection]));
    const statuses = await projectionStatuses(runtime);
    expect(statuses.map((s) => [s.name, s.status, s.lagEvents, s.position])).toEqual(
      [...PROJECTIONS.map((p) => p.name), 'ledger'].map((name) => [name, 'live', 0, formatPosition(position)]),
    );
  });

  it('continues from its checkpoint after a restart: nothing applied twice, nothing skipped', async () => {
    await seedStories(store, 2000);
    const first = startRuntime([ledgerProjection]);
    await first.waitFor(await store.headPosition(), 30_000);
    await stopAll();
    const { position } = await seedStories(store, 1000, 3);
    const second = startRuntime([ledgerProjection]);
    await second.waitFor(position, 30_000);

    const seen = Object.values(liveDocs(file(), 'ledger', 'seen')) as Array<{ times: number }>;
    expect(seen).toHaveLength(Number(position.commit));
    expect(seen.every((s) => s.times === 1)).toBe(true);
  });

  it('stops a projection that throws, shows the error and position, and applies nothing after it', async () => {
    const picky: Projection<LedgerDocs> = {
      ...ledgerProjection,
      name: 'picky',
      handle: (e, view) => {
        if (e.event.type === 'ArticleRetracted') throw new Error('cannot handle retractions');
        return ledgerProjection.handle(e, view);
      },
    };
    await appendArticle(store, 'a1', REPORTER, events.drafted('a1'), events.published());
    const bad = await appendArticle(store, 'a1', REPORTER, events.retracted('x'));
    const after = await appendArticle(store, 'a2', REPORTER, events.drafted('a2'));
    const runtime = startRuntime([picky]);
    await once(runtime.events, 'failed');

    const [status] = await projectionStatuses(runtime);
    expect(status).toMatchObject({
      name: 'picky',
      status: 'failed',
      position: '2',
      lagEvents: 2,
      error: {
        message: 'cannot handle retractions',
        position: formatPosition(bad.position),
        eventType: 'ArticleRetracted',
        streamId: 'article-a1',
        revision: '2',
      },
    });
    expect(Object.keys(liveDocs(file(), 'picky', 'seen')).sort()).toEqual(['1', '2']);
    await expect(runtime.waitFor(after.position, 60_000)).rejects.toThrow(/failed at 3/);

    // A restart retries the same event (the code may have been fixed); it never skips it.
    await stopAll();
    const again = startRuntime([picky]);
    await once(again.events, 'failed');
    expect((await projectionStatuses(again))[0]).toMatchObject({ status: 'failed', position: '2' });
  });

  it('rebuilds beside the live generation under concurrent appends; reads never fail; ends equal to a clean build', async () => {
    await seedStories(store, 5000);
    const runtime = startRuntime(PROJECTIONS, 200);
    await runtime.waitFor(await store.headPosition(), 30_000);
    const reader = new ReadModelReader(runtime.db);
    const before = runtime.db.withRole('articles', 'live')!.generation;

    const swapped = once(runtime.events, 'swapped');
    const next = await runtime.rebuild('articles');
    expect(next.generation).toBe(before + 1);
    let reads = 0;
    const readErrors: unknown[] = [];
    let writing = true;
    const writes = (async () => {
      for (let seed = 10; writing; seed++) await seedStories(store, 50, seed);
    })();
    // Reads between the rebuild's batches: each must see a whole, serving generation.
    runtime.events.on('progress', () => {
      try {
        const page = reader.page(articlesProjection, 'summaries', { filters: [], newestFirstBy: 'updated_at', limit: 5 });
        if (page.items.length !== 5) throw new Error(`a page of ${page.items.length}`);
        reads++;
      } catch (error) {
        readErrors.push(error);
      }
    });
    const [name, generation] = await swapped;
    writing = false;
    await writes;
    await runtime.waitFor(await store.headPosition(), 30_000);

    expect([name, generation]).toEqual(['articles', next.generation]);
    expect(readErrors).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    expect(runtime.db.generations('articles').map((g) => [g.generation, g.role])).toEqual([[next.generation, 'live']]);
    expect(fingerprint(file())).toEqual(await cleanBuild(store, dir.path));
  });

  it('a server and the rebuild CLI rebuilding one generation: the one that reaches the head second reports it swapped too, and follows it', async () => {
    await seedStories(store, 3000);
    const server = startRuntime(PROJECTIONS, 100);
    await server.waitFor(await store.headPosition(), 30_000);
    const serverSwapped = once(server.events, 'swapped');
    const next = await server.rebuild('articles');
    // The CLI's runtime (followLive: false) joins the same next generation, in small batches: the server swaps first.
    const cli = new ProjectionRuntime({ store, file: file(), projections: [articlesProjection], followLive: false, batchSize: 20, pollWhenCaughtUpMs: 50 });
    runtimes.push(cli);
    const cliSwapped = once(cli.events, 'swapped');
    cli.start();
    await cli.rebuild('articles');
    expect(cli.slot('articles')!.next?.generation).toBe(next.generation);

    // Before, the CLI went on writing the now live generation as a second writer and never said it was done.
    expect(await serverSwapped).toEqual(['articles', next.generation]);
    expect(await cliSwapped).toEqual(['articles', next.generation]);
    expect(cli.slot('articles')!.next).toBeUndefined();
    expect(server.db.generations('articles').map((g) => [g.generation, g.role])).toEqual([[next.generation, 'live']]);
    await server.waitFor(await store.headPosition(), 30_000);
    expect(fingerprint(file())).toEqual(await cleanBuild(store, dir.path));
  });

  it('the rebuild CLI and a server whose rebuild runs on its rebuild thread, on one generation: both report it swapped, and the server is not left "rebuilding"', async () => {
    await seedStories(store, 3000);
    const first = startRuntime(PROJECTIONS);
    await first.waitFor(await store.headPosition(), 30_000);
    await stopAll();
    const cli = new ProjectionRuntime({ store, file: file(), projections: [articlesProjection], followLive: false, batchSize: 50, pollWhenCaughtUpMs: 50 });
    runtimes.push(cli);
    const cliSwapped = once(cli.events, 'swapped');
    cli.start();
    const next = await cli.rebuild('articles');
    const rebuildThread = new RebuildThread({ dataDir: dir.path, eventStoreUrl: null, file: file() });
    try {
      const server = new ProjectionRuntime({ store, file: file(), projections: PROJECTIONS, batchSize: 10, rebuildThread });
      runtimes.push(server);
      const serverSwapped = once(server.events, 'swapped');
      await server.start();
      expect(server.slot('articles')!.next).toBeInstanceOf(RemoteProjector);
      // Whichever swaps it in, the other finds it live: before, the server kept a stopped projector as its rebuild.
      expect(await cliSwapped).toEqual(['articles', next.generation]);
      expect(await serverSwapped).toEqual(['articles', next.generation]);
      expect(server.slot('articles')!.next).toBeUndefined();
      const { position } = await seedStories(store, 20, 7);
      await server.waitFor(position, 30_000);
      expect((await projectionStatuses(server)).find((p) => p.name === 'articles')).toMatchObject({ status: 'live', generation: next.generation });
      expect((await projectionStatuses(server)).find((p) => p.name === 'articles')?.rebuild).toBeUndefined();
    } finally {
      await stopAll();
      await rebuildThread.close();
    }
  });

  it('a rebuild the rebuild CLI started and left (stopped before the end) is taken up by the server once its checkpoint has stopped moving', async () => {
    await seedStories(store, 1000);
    const server = new ProjectionRuntime({ store, file: file(), projections: PROJECTIONS, adoptStalledRebuildsAfterMs: 200 });
    runtimes.push(server);
    await server.start();
    await server.waitFor(await store.headPosition(), 30_000);
    const swapped = once(server.events, 'swapped');
    const cli = new ProjectionRuntime({ store, file: file(), projections: [articlesProjection], followLive: false });
    await cli.start();
    const next = await cli.rebuild('articles');
    // Ctrl-C: the CLI is gone, its generation still "next" in the registry.
    await cli.close();
    expect(server.db.withRole('articles', 'next')?.generation).toBe(next.generation);
    // Before, it stayed "rebuilding" until the server restarted.
    expect(await swapped).toEqual(['articles', next.generation]);
    await server.waitFor(await store.headPosition(), 30_000);
    expect(fingerprint(file())).toEqual(await cleanBuild(store, dir.path));
  });

  it('never numbers a generation as a dropped one was: a writer of the dropped one finds it retired, not its successor', async () => {
    await seedStories(store, 200);
    const runtime = startRuntime([articlesProjection]);
    await runtime.waitFor(await store.headPosition(), 30_000);
    const dropped = runtime.db.createGeneration(articlesProjection, 'next', null);
    const orphan = new GenerationWriter(runtime.db, articlesProjection, dropped.generation);
    runtime.db.dropGeneration('articles', dropped.generation);
    // The highest generation was dropped: max(generation) + 1 would give its number again.
    const successor = runtime.db.createGeneration(articlesProjection, 'next', null);
    expect(successor.generation).toBe(dropped.generation + 1);
    const events = await store.readAll({ after: START, maxCount: 10 });
    expect(orphan.applyBatch(events)).toEqual({ kind: 'retired' });
    expect(runtime.db.generation('articles', successor.generation)).toMatchObject({ checkpoint: formatPosition(START), events: 0 });
  });

  it('rebuilds a projection whose version was bumped, serving the old generation until the new one has caught up', async () => {
    await appendArticle(store, 'a1', REPORTER, events.drafted('a1', { headline: 'Old' }));
    const v1 = startRuntime([articlesProjection]);
    await v1.waitFor(await store.headPosition(), 30_000);
    await stopAll();

    // The next version stores headlines in capitals, and adds a column: its tables differ from the current one's.
    const current = articlesProjection.version;
    const shouting: Projection<ArticlesDocs> = {
      ...articlesProjection,
      version: current + 1,
      collections: { ...articlesProjection.collections, summaries: { columns: { headline: (s) => s.headline } } },
      handle: (e, view) => {
        const { event } = e;
        if (event.type !== 'ArticleDrafted') return articlesProjection.handle(e, view);
        return articlesProjection.handle({ ...e, event: { ...event, data: { ...event.data, headline: event.data.headline.toUpperCase() } } }, view);
      },
    };
    const v2 = startRuntime([shouting]);
    const reader = new ReadModelReader(v2.db);
    expect((await projectionStatuses(v2))[0]).toMatchObject({ status: 'rebuilding', version: current, rebuild: { version: current + 1 } });
    expect(reader.get(articlesProjection, 'summaries', 'a1')?.headline).toBe('Old');
    await once(v2.events, 'swapped');
    expect(reader.get(articlesProjection, 'summaries', 'a1')?.headline).toBe('OLD');
    expect((await projectionStatuses(v2))[0]).toMatchObject({ status: 'live', version: current + 1 });
  });

  it('reads events written in an older shape through the upcasters', async () => {
    // ArticleDrafted v1 stored the byline as one string of names.
    const v1 = {
      articleId: 'a1',
      headline: 'Old shape',
      standfirst: null,
      body: [],
      byline: 'Rita Reporter and Eddie Editor',
      draftedAt: '2024-01-01T00:00:00.000Z',
    };
    await store.appendToStream('article-a1', [{ id: randomUUID(), type: 'ArticleDrafted', data: v1, metadata: { schemaVersion: 1 } }], 'no_stream');
    const runtime = startRuntime([articlesProjection]);
    await runtime.waitFor(await store.headPosition(), 10_000);
    expect(new ReadModelReader(runtime.db).get(articlesProjection, 'summaries', 'a1')?.byline).toEqual(['Rita Reporter', 'Eddie Editor']);
  });

  it('waitFor resolves on the commit that reaches the position, and rejects after its timeout', async () => {
    const runtime = startRuntime();
    const { position } = await appendArticle(store, 'a1', REPORTER, events.drafted('a1'));
    await runtime.waitFor(position, 10_000);
    expect(new ReadModelReader(runtime.db).get(articlesProjection, 'summaries', 'a1')?.id).toBe('a1');
    await expect(runtime.waitFor({ commit: 99n, prepare: 99n }, 50)).rejects.toThrow(/not reached position 99/);
  });
});
