import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { generateLog } from '../../bench/lib/generate-log';
import { events, REPORTER } from '../../projections/test-support/article-events';
import { AllSubscription, EventStore, formatPosition, ReadInStreamOrderOptions, RecordedEvent, START } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { Projection } from '../../src/projection-kit/projection';
import { CatchUp, CatchUpOptions, DEFAULT_CATCH_UP } from '../../src/read-models/engine/catch-up';
import { GenerationWriter } from '../../src/read-models/engine/generation-writer';
import { ProjectionRuntime } from '../../src/read-models/engine/projection-runtime';
import { projectionStatuses, RebuildProgress } from '../../src/read-models/engine/projection-status';
import { ReadModelDb } from '../../src/read-models/engine/read-model-db';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { articleJson, articlesProjection, headerOf } from '../../projections/articles.projection';
import { evolveArticleView, type ArticleSummary, type ArticleView } from '../../src/articles/view/article-view';
import { readArticleEvent } from '../../src/articles/stored-article-event';
import Database from 'better-sqlite3';
import { articleStreamId } from '../../src/articles/domain/article.events';
import { damageEventJson } from '../support/damage';
import { tempDir } from '../support/temp-dir';
import { LedgerDocs, ledgerProjection } from './support/ledger.projection';
import { fingerprint, liveDocs } from './support/read-models-file';
import { appendArticle, seedStories } from './support/seed';

/** Catch-up for every generation, with flushes and cache evictions many times over in a small log (never leaving its pass for missing the cache). */
const EAGER: Partial<CatchUpOptions> = { minEventsBehind: 0, flushEvents: 700, flushChars: 300_000, cacheChars: 60_000, maxMissShare: 1 };

const ALL = [...PROJECTIONS, ledgerProjection];

/**
 * Every article as GET /api/articles/{id} sends it (its header from its summary, its body, quotes and corrections spliced in),
 * against JSON.stringify of the fold of its stream: byte for byte. Returns how many had corrections.
 */
async function expectArticlesAsFolded(file: string, store: EventStore): Promise<number> {
  const db = new Database(file, { readonly: true });
  try {
    const { generation } = db.prepare("SELECT generation FROM projection_generations WHERE projection = 'articles' AND role = 'live'").get() as {
      generation: number;
    };
    const rows = db.prepare(`SELECT key, doc FROM rm_articles_g${generation}_summaries`).all() as Array<{ key: string; doc: string }>;
    const part = (collection: string) =>
      db.prepare<[string], { doc: Buffer }>(`SELECT CAST(doc AS BLOB) AS doc FROM rm_articles_g${generation}_${collection} WHERE key = ?`);
    const [body, quotes, corrections] = [part('article_body'), part('article_quotes'), part('article_corrections')];
    let corrected = 0;
    for (const { key, doc } of rows) {
      const stream = await store.readStream(articleStreamId(key));
      const folded = stream.map(readArticleEvent).reduce<ArticleView | null>((view, e) => evolveArticleView(view, e), null);
      const stored = corrections.get(key)?.doc;
      if (stored) corrected++;
      const parts = { body: body.get(key)?.doc, quotes: quotes.get(key)?.doc, corrections: stored };
      const header = Buffer.from(JSON.stringify(headerOf(JSON.parse(doc) as ArticleSummary)));
      expect(articleJson(header, parts).toString('utf8')).toBe(JSON.stringify(folded));
    }
    return corrected;
  } finally {
    db.close();
  }
}

/** The secondary indexes of the tables of every generation in `role`, as CREATE INDEX statements with the generation number left out. */
function liveIndexes(file: string, role: 'live' | 'next' = 'live'): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT i.name, i.sql FROM sqlite_master i JOIN projection_generations g ON i.tbl_name LIKE 'rm_' || g.projection || '_g' || g.generation || '_%'
         WHERE i.type = 'index' AND i.sql IS NOT NULL AND g.role = ? ORDER BY i.name`,
      )
      .all(role) as Array<{ name: string; sql: string }>;
    return rows.map(({ sql }) => sql.replace(/_g\d+_/g, '_g*_'));
  } finally {
    db.close();
  }
}

/** The registry rows of the generations in `role` that must agree between two builds of the same log. */
function registry(file: string, projections: readonly Projection[] = ALL, role: 'live' | 'next' = 'live') {
  const db = new ReadModelDb(file);
  try {
    return projections.map((p) => {
      const row = db.withRole(p.name, role)!;
      return { name: p.name, checkpoint: row.checkpoint, events: row.events, lastEventId: row.lastEventId, failure: row.failure };
    });
  } finally {
    db.close();
  }
}

/**
 * The store, with the first subscription from START held before the event at `gateAt`: `reached`
 * resolves when it gets there, and `open()` lets it go on.
 */
function gated(store: EventStore, gateAt: bigint) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  let used = false;
  const subscribeToAll: EventStore['subscribeToAll'] = (options) => {
    const inner = store.subscribeToAll(options);
    if (used || (options?.after ?? START).commit !== START.commit) return inner;
    used = true;
    async function* held(): AsyncGenerator<RecordedEvent> {
      for await (const event of inner) {
        if (event.position.commit === gateAt) {
          reach();
          await gate;
        }
        yield event;
      }
    }
    const iterable = held();
    const subscription: AllSubscription = { [Symbol.asyncIterator]: () => iterable, close: () => inner.close() };
    return subscription;
  };
  const wrapper = new Proxy(store, {
    get: (target, property) => {
      if (property === 'subscribeToAll') return subscribeToAll;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapper, reached, open };
}

/**
 * The store, counting its reads in stream order and subscriptions from START; with `holdAt`, the
 * read of that page (1 for the first) waits until `open()`, and `reached` resolves when it starts;
 * with `pageDelayMs`, every page of a read in stream order takes that long at least.
 */
function watched(store: EventStore, holdAt = 0, pageDelayMs = 0) {
  const counts = { pages: 0, fromStart: 0 };
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const wrapper = new Proxy(store, {
    get: (target, property) => {
      if (property === 'readInStreamOrder') {
        return async (options: ReadInStreamOrderOptions) => {
          if (++counts.pages === holdAt) {
            reach();
            await gate;
          }
          if (pageDelayMs > 0) await delay(pageDelayMs);
          return target.readInStreamOrder!(options);
        };
      }
      if (property === 'subscribeToAll') {
        return (options?: { after?: typeof START }) => {
          if ((options?.after ?? START).commit === START.commit) counts.fromStart++;
          return target.subscribeToAll(options);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapper, counts, reached, open };
}

describe('catch-up mode', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  const runtimes: ProjectionRuntime[] = [];
  const start = (file: string, catchUp: Partial<CatchUpOptions> | false, projections: readonly Projection[] = ALL, on: EventStore = store) => {
    const runtime = new ProjectionRuntime({ store: on, file: join(dir.path, file), projections, catchUp });
    runtimes.push(runtime);
    return runtime;
  };

  beforeEach(() => {
    dir = tempDir('newsroom-catch-up-');
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
    await store.close();
    dir.remove();
  });

  it('builds every table row for row as the batch path does, then follows live appends; a rebuild in catch-up mode swaps in', async () => {
    await generateLog(store, 6000, 40);
    const batch = start('batch.sqlite', false);
    const catchUp = start('catch-up.sqlite', EAGER);
    const joined: string[] = [];
    catchUp.events.on('catchingUp', (name) => joined.push(name));
    await Promise.all([batch.start(), catchUp.start()]);
    const head = await store.headPosition();
    await Promise.all([batch.waitFor(head, 60_000), catchUp.waitFor(head, 60_000)]);

    expect(joined.sort()).toEqual(ALL.map((p) => p.name).sort());
    expect(fingerprint(join(dir.path, 'catch-up.sqlite'))).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
    expect(registry(join(dir.path, 'catch-up.sqlite'))).toEqual(registry(join(dir.path, 'batch.sqlite')));
    expect(await expectArticlesAsFolded(join(dir.path, 'catch-up.sqlite'), store)).toBeGreaterThan(0);

    // Caught up, both follow live appends alike.
    const { position } = await seedStories(store, 300, 5);
    await Promise.all([batch.waitFor(position, 60_000), catchUp.waitFor(position, 60_000)]);
    expect(fingerprint(join(dir.path, 'catch-up.sqlite'))).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));

    // A rebuild catches up in a pass beside the live generation, which serves until the swap.
    const swapped = once(catchUp.events, 'swapped');
    const rebuilt = await catchUp.rebuild('articles');
    expect(await swapped).toEqual(['articles', rebuilt.generation]);
    expect(joined.filter((name) => name === 'articles')).toHaveLength(2);
    expect(fingerprint(join(dir.path, 'catch-up.sqlite'))).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
    // Two builds, a rebuild and a fingerprint of each, each wait up to 60 s: 30 s on a loaded machine.
  }, 120_000);

  it('a generation whose documents outgrow the cache leaves the pass at a flush and goes on batch by batch, row for row as the batch path; one whose documents fit stays', async () => {
    // 1,500 articles, each touched about once per 1,000 events read: with a cache of 2,000 characters nearly every read goes to the tables.
    await generateLog(store, 6000, 1500);
    const batch = start('batch.sqlite', false);
    // In log order: loaded stream by stream (streamOrder), no generation has a cache to outgrow.
    const small = start('small.sqlite', { minEventsBehind: 0, flushEvents: 700, cacheChars: 2_000, maxMissShare: 0.5, streamOrder: false });
    const roomy = start('roomy.sqlite', { minEventsBehind: 0, flushEvents: 700, maxMissShare: 0.5, streamOrder: false });
    const left = { small: new Map<string, number>(), roomy: new Map<string, number>() };
    small.events.on('leftCatchUp', (name, _generation, missShare) => left.small.set(name, missShare));
    roomy.events.on('leftCatchUp', (name, _generation, missShare) => left.roomy.set(name, missShare));
    await Promise.all([batch.start(), small.start(), roomy.start()]);
    const head = await store.headPosition();
    await Promise.all([batch, small, roomy].map((runtime) => runtime.waitFor(head, 60_000)));

    expect([...left.small.keys()]).toEqual(expect.arrayContaining(['articles', 'quotes', 'corrections', 'as_of']));
    for (const share of left.small.values()) expect(share).toBeGreaterThan(0.5);
    // The first 1,500 events draft the articles: reads of documents not there yet are no misses.
    expect([...left.roomy.keys()]).toEqual([]);
    for (const file of ['small.sqlite', 'roomy.sqlite']) {
      expect(fingerprint(join(dir.path, file))).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
      expect(registry(join(dir.path, file))).toEqual(registry(join(dir.path, 'batch.sqlite')));
    }
    // Three builds of a 6,000-event log, each waited on for up to 60 s: ~7 s alone, 31 s on a loaded machine.
  }, 120_000);

  it('a projection that throws fails at that event, with the checkpoint before it, exactly as the batch path', async () => {
    await seedStories(store, 2500);
    await appendArticle(store, 'picky-1', REPORTER, events.drafted('picky-1'), events.published());
    const bad = await appendArticle(store, 'picky-1', REPORTER, events.retracted('x'));
    await seedStories(store, 500, 2);
    const picky: Projection<LedgerDocs> = {
      ...ledgerProjection,
      handle: (e, view) => {
        if (e.articleId === 'picky-1' && e.event.type === 'ArticleRetracted') throw new Error('cannot handle retractions');
        return ledgerProjection.handle(e, view);
      },
    };
    const outcomes = await Promise.all(
      (['batch.sqlite', 'catch-up.sqlite'] as const).map(async (file) => {
        const runtime = start(file, file === 'batch.sqlite' ? false : EAGER, [picky]);
        const failed = once(runtime.events, 'failed');
        await runtime.start();
        const [, , failure] = (await failed) as [string, number, { position: string }];
        const db = new ReadModelDb(join(dir.path, file));
        const row = db.withRole('ledger', 'live');
        db.close();
        return { failure, registry: row };
      }),
    );
    const [batch, catchUp] = outcomes;
    expect(catchUp.failure).toEqual(batch.failure);
    expect(catchUp.failure.position).toBe(bad.position.commit.toString());
    expect(catchUp.registry).toMatchObject({ checkpoint: batch.registry!.checkpoint, events: batch.registry!.events, failure: batch.registry!.failure });
    expect(Object.keys(liveDocs(join(dir.path, 'catch-up.sqlite'), 'ledger', 'seen'))).toHaveLength(batch.registry!.events);
  });

  it('a column that throws at a flush hands over to the batch path, which fails at that event as it always has', async () => {
    const { position: bad } = await seedStories(store, 1800);
    await seedStories(store, 1200, 2);
    const odd: Projection<LedgerDocs> = {
      ...ledgerProjection,
      collections: {
        seen: {
          columns: {
            times: (d) => {
              if (d.position === bad.commit.toString()) throw new Error('odd document');
              return d.times;
            },
          },
        },
      },
    };
    const [batch, catchUp] = await Promise.all(
      (['batch.sqlite', 'catch-up.sqlite'] as const).map(async (file) => {
        const runtime = start(file, file === 'batch.sqlite' ? false : EAGER, [odd]);
        const failed = once(runtime.events, 'failed');
        await runtime.start();
        return (await failed)[2] as { position: string; message: string };
      }),
    );
    expect(catchUp).toEqual(batch);
    expect(catchUp).toMatchObject({ position: bad.commit.toString(), message: 'odd document' });
    expect(registry(join(dir.path, 'catch-up.sqlite'), [odd])).toEqual(registry(join(dir.path, 'batch.sqlite'), [odd]));
  });

  it('a full read-models disk at a flush retries, reporting it, and the pass resumes from the last flush once there is room', async () => {
    await seedStories(store, 3000);
    const runtime = start('full.sqlite', EAGER, [ledgerProjection]);
    // The file may not grow past its size now (SQLITE_FULL, as on a full disk): the first flush fails.
    const pages = runtime.db.sql.pragma('page_count', { simple: true }) as number;
    runtime.db.sql.pragma(`max_page_count = ${pages + 2}`);
    const retrying = once(runtime.events, 'retrying');
    await runtime.start();
    expect((await retrying).slice(2)).toEqual(['writing the read model']);
    const generation = runtime.slot('ledger')!.live!;
    expect(generation.retrying).toMatchObject({ during: 'writing the read model' });

    runtime.db.sql.pragma('max_page_count = 1073741823');
    await runtime.waitFor(await store.headPosition(), 60_000);
    expect(generation.retrying).toBeNull();
    const seen = Object.values(liveDocs(join(dir.path, 'full.sqlite'), 'ledger', 'seen')) as Array<{ times: number }>;
    expect(seen).toHaveLength(3000);
    expect(seen.every((s) => s.times === 1)).toBe(true);
  });

  it('an event that cannot be read fails every generation in the pass there, with everything before it applied', async () => {
    await seedStories(store, 3000);
    await store.close();
    damageEventJson(join(dir.path, 'events.sqlite'), 1500);
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    const runtime = start('catch-up.sqlite', EAGER);
    const failed = new Map<string, string>();
    const allFailed = new Promise<void>((resolve) =>
      runtime.events.on('failed', (name, _generation, failure) => failed.set(name, failure.position).size === ALL.length && resolve()),
    );
    await runtime.start();
    await allFailed;
    expect([...failed.values()]).toEqual(ALL.map(() => '1500'));
    expect(registry(join(dir.path, 'catch-up.sqlite')).map((r) => r.checkpoint)).toEqual(ALL.map(() => '1499'));
    const seen = Object.values(liveDocs(join(dir.path, 'catch-up.sqlite'), 'ledger', 'seen')) as Array<{ times: number }>;
    expect(seen).toHaveLength(1499);
  });

  it('a generation another process moves meanwhile leaves the pass at its flush, discarding it, and goes on batch by batch: nothing applied twice', async () => {
    await seedStories(store, 3000);
    const { store: held, reached, open } = gated(store, 1500n);
    const runtime = start('shared.sqlite', { ...EAGER, flushEvents: 100_000, flushChars: 1e9 }, [ledgerProjection], held);
    await runtime.start();
    await reached;
    // The other process (as the rebuild CLI beside a server) applies the first 2,000 events.
    const other = new ReadModelDb(join(dir.path, 'shared.sqlite'));
    const generation = other.withRole('ledger', 'live')!.generation;
    expect(new GenerationWriter(other, ledgerProjection, generation).applyBatch(await store.readAll({ maxCount: 2000 }))).toMatchObject({ applied: 2000 });
    other.close();
    open();
    await runtime.waitFor(await store.headPosition(), 60_000);

    const seen = Object.values(liveDocs(join(dir.path, 'shared.sqlite'), 'ledger', 'seen')) as Array<{ times: number }>;
    expect(seen).toHaveLength(3000);
    expect(seen.every((s) => s.times === 1)).toBe(true);
    // Counted once too: the pass's flush was discarded, not added to the other process's count.
    expect(registry(join(dir.path, 'shared.sqlite'), [ledgerProjection])[0]).toMatchObject({ checkpoint: '3000', events: 3000 });
  });

  it('a log that cannot be subscribed to ends the pass with an error for each generation, and the next pass starts as usual', async () => {
    await seedStories(store, 300);
    let refuse = true;
    const flaky = new Proxy(store, {
      get: (target, property) => {
        if (property === 'subscribeToAll' && refuse) {
          return () => {
            refuse = false;
            throw new Error('The event store is closed');
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const db = new ReadModelDb(join(dir.path, 'read-models.sqlite'));
    try {
      const row = db.createGeneration(ledgerProjection, 'live', null);
      const writer = new GenerationWriter(db, ledgerProjection, row.generation);
      const catchUp = new CatchUp(flaky, { ...DEFAULT_CATCH_UP, ...EAGER });
      // Before, the throw escaped the pass as an unhandled rejection and no pass ever started again.
      expect(await catchUp.join(writer, row.checkpoint, () => undefined).result).toMatchObject({ kind: 'error', during: 'reading the log' });
      expect(await catchUp.join(writer, row.checkpoint, () => undefined).result).toEqual({ kind: 'caught-up' });
      expect(db.generation('ledger', row.generation)!.checkpoint).toBe(formatPosition(await store.headPosition()));
    } finally {
      db.close();
    }
  });

  it('stop() mid-catch-up keeps the last flush, a prefix of the log; a restart finishes exactly once', async () => {
    await seedStories(store, 3000);
    const { store: held, reached, open } = gated(store, 2500n);
    const first = start('stop.sqlite', { ...EAGER, flushEvents: 500 }, [ledgerProjection], held);
    await first.start();
    await reached;
    await first.stop();
    open();
    const [stopped] = registry(join(dir.path, 'stop.sqlite'), [ledgerProjection]);
    // Flushed after the batches before the gate: some prefix, not the whole log.
    expect(stopped.events).toBeGreaterThan(0);
    expect(stopped.events).toBeLessThan(2500);
    expect(stopped.checkpoint).toBe(String(stopped.events));
    expect(Object.keys(liveDocs(join(dir.path, 'stop.sqlite'), 'ledger', 'seen'))).toHaveLength(stopped.events);

    const second = start('stop.sqlite', EAGER, [ledgerProjection]);
    await second.start();
    await second.waitFor(await store.headPosition(), 60_000);
    const seen = Object.values(liveDocs(join(dir.path, 'stop.sqlite'), 'ledger', 'seen')) as Array<{ times: number }>;
    expect(seen).toHaveLength(3000);
    expect(seen.every((s) => s.times === 1)).toBe(true);
  });
  describe('stream order (rebuilds of foreachStream projections)', () => {
    /** Rebuilds `projections` in `runtime` and resolves once every one of them is swapped in. */
    async function rebuilt(runtime: ProjectionRuntime, projections: readonly Projection[]): Promise<number[]> {
      const pending = new Set(projections.map((p) => p.name));
      const swapped = new Promise<void>((resolve) =>
        runtime.events.on('swapped', (name) => {
          if (pending.delete(name) && pending.size === 0) resolve();
        }),
      );
      const generations: number[] = [];
      for (const projection of projections) generations.push((await runtime.rebuild(projection.name)).generation);
      await swapped;
      return generations;
    }

    it('a rebuild loads them stream by stream, never reading the log in log order, row for row as the batch path; live generations and the ledger (not foreachStream) in log order', async () => {
      await generateLog(store, 6000, 40);
      const batch = start('batch.sqlite', false);
      const watch = watched(store);
      const loaded = start('loaded.sqlite', EAGER, ALL, watch.store);
      await Promise.all([batch.start(), loaded.start()]);
      const head = await store.headPosition();
      await Promise.all([batch.waitFor(head, 60_000), loaded.waitFor(head, 60_000)]);
      // First built live, in log order (one pass for the five): a reader of a live generation sees a prefix of the log.
      expect(watch.counts.pages).toBe(0);
      expect(watch.counts.fromStart).toBe(1);

      watch.counts.fromStart = 0;
      await rebuilt(loaded, PROJECTIONS);
      // 6,000 events in pages of at most 1,000: at least 6 pages and one empty one, one load for the four projections.
      expect(watch.counts.pages).toBeGreaterThanOrEqual(7);
      expect(watch.counts.pages).toBeLessThan(14);
      expect(watch.counts.fromStart).toBe(0);
      expect(fingerprint(join(dir.path, 'loaded.sqlite'))).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
      expect(registry(join(dir.path, 'loaded.sqlite'))).toEqual(registry(join(dir.path, 'batch.sqlite')));
      expect(await expectArticlesAsFolded(join(dir.path, 'loaded.sqlite'), store)).toBeGreaterThan(0);
      // The load dropped the secondary indexes while it wrote, and made them again at its end.
      expect(liveIndexes(join(dir.path, 'loaded.sqlite'))).toEqual(liveIndexes(join(dir.path, 'batch.sqlite')));
      expect(liveIndexes(join(dir.path, 'loaded.sqlite')).length).toBeGreaterThanOrEqual(6);

      // Then both follow live appends alike.
      const { position } = await seedStories(store, 300, 5);
      await Promise.all([batch.waitFor(position, 60_000), loaded.waitFor(position, 60_000)]);
      expect(fingerprint(join(dir.path, 'loaded.sqlite'))).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
    }, 120_000);

    it('a load stopped midway leaves START with its events counted; the next start clears it, says so, and loads again, row for row as the batch path', async () => {
      await generateLog(store, 3000, 30);
      const file = join(dir.path, 'stop.sqlite');
      const watch = watched(store, 3);
      const first = start('stop.sqlite', { ...EAGER, flushEvents: 500 }, PROJECTIONS, watch.store);
      await first.start();
      await first.waitFor(await store.headPosition(), 60_000);
      for (const projection of PROJECTIONS) await first.rebuild(projection.name);
      await watch.reached;
      await first.stop();
      watch.open();
      // Flushed twice before the third page: documents written, the checkpoint where it was.
      for (const row of registry(file, PROJECTIONS, 'next')) expect(row).toMatchObject({ checkpoint: formatPosition(START), events: 2000, lastEventId: null });
      const db = new Database(file, { readonly: true });
      const { generation: articles } = db.prepare("SELECT generation FROM projection_generations WHERE projection = 'articles' AND role = 'next'").get() as {
        generation: number;
      };
      expect((db.prepare(`SELECT count(*) AS n FROM rm_articles_g${articles}_summaries`).get() as { n: number }).n).toBeGreaterThan(0);
      db.close();
      // Dropped for the load, which did not get to make them again.
      expect(liveIndexes(file, 'next')).toEqual([]);

      const logged: string[] = [];
      // Held at its second page: cleared, then one flush of 1,000 events, fewer than the 2,000 it found.
      const again = watched(store, 2);
      const second = new ProjectionRuntime({
        store: again.store,
        file,
        projections: PROJECTIONS,
        catchUp: { ...EAGER, flushEvents: 500 },
        logger: { log: (m) => logged.push(m), error: (m) => logged.push(m) },
      });
      runtimes.push(second);
      const pending = new Set(PROJECTIONS.map((p) => p.name));
      const swapped = new Promise<void>((resolve) => second.events.on('swapped', (name) => pending.delete(name) && pending.size === 0 && resolve()));
      await second.start();
      await again.reached;
      // Its rate is measured from the clearing on: before, 1,000 events less the 2,000 it found gave a negative rate and ETA.
      for (const status of await projectionStatuses(second)) {
        expect(status.rebuild).toMatchObject({ done: 1000, total: 3000 });
        expect(status.rebuild!.eventsPerSecond ?? 0).toBeGreaterThanOrEqual(0);
        expect(status.rebuild!.etaSeconds ?? 0).toBeGreaterThanOrEqual(0);
      }
      again.open();
      await swapped;
      expect(logged.filter((m) => m.includes('cleared an unfinished stream-by-stream load (2000 events loaded'))).toHaveLength(PROJECTIONS.length);
      const batch = start('batch.sqlite', false, PROJECTIONS);
      await batch.start();
      const head = await store.headPosition();
      await Promise.all([second.waitFor(head, 60_000), batch.waitFor(head, 60_000)]);
      expect(fingerprint(file)).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
      expect(registry(file, PROJECTIONS)).toEqual(registry(join(dir.path, 'batch.sqlite'), PROJECTIONS));
      expect(liveIndexes(file)).toEqual(liveIndexes(join(dir.path, 'batch.sqlite')));
    }, 120_000);

    it("a load shows its progress in events loaded, out of the log's; a server does not take up the rebuild CLI's load while its events move", async () => {
      await generateLog(store, 6000, 60);
      const logged: string[] = [];
      const server = new ProjectionRuntime({
        store,
        file: join(dir.path, 'shared.sqlite'),
        projections: [articlesProjection],
        adoptStalledRebuildsAfterMs: 800,
        logger: { log: (m) => logged.push(m), error: (m) => logged.push(m) },
      });
      runtimes.push(server);
      await server.start();
      await server.waitFor(await store.headPosition(), 60_000);
      // The rebuild CLI, each page of its load taking 300 ms: its checkpoint does not move for 2 s or more.
      const slow = watched(store, 0, 300);
      const cli = new ProjectionRuntime({
        store: slow.store,
        file: join(dir.path, 'shared.sqlite'),
        projections: [articlesProjection],
        followLive: false,
        catchUp: { minEventsBehind: 0, flushEvents: 500 },
      });
      runtimes.push(cli);
      await cli.start();
      const seen: RebuildProgress[] = [];
      // The server watches the same rebuild, which it does not run: it times it from its first look.
      const seenByServer: RebuildProgress[] = [];
      const watching = setInterval(() => {
        void projectionStatuses(cli).then((statuses) => {
          const rebuild = statuses.find((s) => s.name === 'articles')?.rebuild;
          if (rebuild) seen.push(rebuild);
        });
        void projectionStatuses(server).then((statuses) => {
          const rebuild = statuses.find((s) => s.name === 'articles')?.rebuild;
          if (rebuild) seenByServer.push(rebuild);
        });
      }, 50);
      const swapped = once(cli.events, 'swapped');
      const next = await cli.rebuild('articles');
      try {
        expect(await swapped).toEqual(['articles', next.generation]);
      } finally {
        clearInterval(watching);
      }
      expect(logged.filter((m) => m.includes('left unfinished by another process'))).toEqual([]);
      const midway = seen.filter((p) => p.done > 0 && p.done < 6000);
      expect(midway.length).toBeGreaterThan(0);
      for (const progress of midway) expect(progress.total).toBe(6000);
      // Once the load has moved since the server's first look, the server gives a rate and an ETA too.
      const movedForServer = seenByServer.filter((p) => p.done > seenByServer[0].done && p.done < 6000);
      expect(movedForServer.length).toBeGreaterThan(0);
      for (const progress of movedForServer) {
        expect(progress.eventsPerSecond).toBeGreaterThan(0);
        expect(progress.etaSeconds).toBeGreaterThanOrEqual(0);
      }
      // The server's next batch finds its generation retired and follows the one the CLI swapped in.
      const { position } = await seedStories(store, 20, 3);
      await server.waitFor(position, 60_000);
      expect(server.db.withRole('articles', 'live')!.generation).toBe(next.generation);
      const batch = start('batch.sqlite', false, [articlesProjection]);
      await batch.start();
      await batch.waitFor(await store.headPosition(), 60_000);
      expect(fingerprint(join(dir.path, 'shared.sqlite'))).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
    }, 120_000);

    it('a load whose generation another process clears meanwhile leaves at its next flush and goes on in log order: row for row, nothing counted twice', async () => {
      await generateLog(store, 3000, 30);
      const file = join(dir.path, 'shared.sqlite');
      const watch = watched(store, 3);
      const runtime = start('shared.sqlite', { ...EAGER, flushEvents: 500 }, [articlesProjection], watch.store);
      await runtime.start();
      await runtime.waitFor(await store.headPosition(), 60_000);
      const swapped = once(runtime.events, 'swapped');
      const next = await runtime.rebuild('articles');
      await watch.reached;
      // The other process (a server started beside the rebuild CLI) finds the load unfinished and clears it.
      const other = new ReadModelDb(file);
      expect(new GenerationWriter(other, articlesProjection, next.generation).clearInterruptedLoad()).toBe(2000);
      expect(other.generation('articles', next.generation)).toMatchObject({ checkpoint: formatPosition(START), events: 0 });
      other.close();
      watch.open();
      expect(await swapped).toEqual(['articles', next.generation]);
      const batch = start('batch.sqlite', false, [articlesProjection]);
      await batch.start();
      const head = await store.headPosition();
      await Promise.all([runtime.waitFor(head, 60_000), batch.waitFor(head, 60_000)]);
      expect(fingerprint(file)).toEqual(fingerprint(join(dir.path, 'batch.sqlite')));
      expect(registry(file, [articlesProjection])).toEqual(registry(join(dir.path, 'batch.sqlite'), [articlesProjection]));
    }, 120_000);

    it('a projection that throws mid-load discards the load; the rebuild fails at that event with the checkpoint before it, exactly as the batch path', async () => {
      await generateLog(store, 2500, 25);
      await appendArticle(store, 'picky-1', REPORTER, events.drafted('picky-1'), events.published());
      const bad = await appendArticle(store, 'picky-1', REPORTER, events.retracted('x'));
      await seedStories(store, 500, 2);
      const picky: Projection = {
        ...articlesProjection,
        handle: (e, view) => {
          if (e.articleId === 'picky-1' && e.event.type === 'ArticleRetracted') throw new Error('cannot handle retractions');
          return articlesProjection.handle(e, view as Parameters<typeof articlesProjection.handle>[1]);
        },
      };
      const batch = start('batch.sqlite', false, [picky]);
      const batchFailed = once(batch.events, 'failed');
      await batch.start();
      const [, , batchFailure] = (await batchFailed) as [string, number, { position: string }];

      const watch = watched(store);
      const loaded = start('loaded.sqlite', EAGER, [picky], watch.store);
      const liveFailed = once(loaded.events, 'failed');
      await loaded.start();
      await liveFailed;
      const nextFailed = once(loaded.events, 'failed');
      const next = await loaded.rebuild('articles');
      const [, generation, failure] = (await nextFailed) as [string, number, { position: string }];
      expect(generation).toBe(next.generation);
      expect(watch.counts.pages).toBeGreaterThan(0);
      expect(failure).toEqual(batchFailure);
      expect(failure.position).toBe(bad.position.commit.toString());
      const row = loaded.db.generation('articles', next.generation)!;
      const [expected] = registry(join(dir.path, 'batch.sqlite'), [picky]);
      expect({ name: 'articles', checkpoint: row.checkpoint, events: row.events, lastEventId: row.lastEventId, failure: row.failure }).toEqual(expected);
    }, 120_000);
  });
});
