import { once } from 'node:events';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionRuntime } from '../../src/read-models/engine/projection-runtime';
import { projectionStatuses } from '../../src/read-models/engine/projection-status';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { ReadModelProgress } from '../../src/read-models/api/read-model-progress';
import { damageEventJson, damagePageHolding } from '../support/damage';
import { readLinesUntil, spawnTs } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';
import { seedStories } from './support/seed';
import { sampleProjections } from '../../src/observability/projection-gauges';

const NAMES = PROJECTIONS.map((p) => p.name);

/** Resolves once every projection has reported a failure, with each one's position. */
function failures(runtime: ProjectionRuntime, count = NAMES.length): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  return new Promise((resolve) =>
    runtime.events.on('failed', (name, _generation, failure) => {
      seen.set(name, failure.position);
      if (seen.size === count) resolve(seen);
    }),
  );
}

describe('read models over a damaged log', () => {
  let dir: ReturnType<typeof tempDir>;
  let eventsFile: string;
  let store: SqliteEventStore | null = null;
  let runtime: ProjectionRuntime | null = null;

  beforeEach(async () => {
    dir = tempDir('newsroom-damaged-log-');
    eventsFile = join(dir.path, 'events.sqlite');
    const seeding = new SqliteEventStore(eventsFile);
    await seedStories(seeding, 3000);
    await seeding.close();
  });
  afterEach(async () => {
    await runtime?.close();
    await store?.close();
    runtime = store = null;
    dir.remove();
  });

  const start = async () => {
    store = new SqliteEventStore(eventsFile);
    runtime = new ProjectionRuntime({ store, file: join(dir.path, 'read-models.sqlite'), projections: PROJECTIONS });
    const failed = failures(runtime);
    await runtime.start();
    return { store, runtime, failed: await failed };
  };

  it('an event that does not parse fails every projection there, with its position, instead of catching up forever', async () => {
    damageEventJson(eventsFile, 1500);
    const { store, runtime, failed } = await start();

    expect([...failed.values()]).toEqual(PROJECTIONS.map(() => '1500'));
    const statuses = await projectionStatuses(runtime);
    for (const status of statuses) {
      // Everything before the damaged event is applied; nothing after it.
      expect(status).toMatchObject({ status: 'failed', position: '1499', error: { position: '1500' } });
      expect(status.error!.message).toMatch(/^The event at position 1500 \(article-[0-9a-f-]+ revision \d+\) cannot be read: its data is not valid JSON/);
    }
    // /metrics still shows each read model, failed, though the event after its checkpoint cannot be read.
    const samples = await sampleProjections(runtime);
    expect(samples.map(({ name, status, position }) => ({ name, status, position }))).toEqual(
      NAMES.map((name) => ({ name, status: 'failed', position: 1499 })),
    );
    expect(samples.every((sample) => Number.isNaN(sample.lagSeconds))).toBe(true);
    const health = new ReadModelProgress(runtime).health();
    expect(health.map((h) => [h.status, h.problem?.slice(0, 30)])).toEqual(NAMES.map(() => ['failed', 'failed at position 1500: The e']));
    // The event's text never reaches /health: JSON.parse's message would quote it.
    for (const h of health) expect(h.problem).toMatch(/its data is not valid JSON$/);
    await expect(runtime.waitFor(await store.headPosition(), 60_000)).rejects.toThrow(/failed at 1500/);

    // A rebuild meets the same event, and says so instead of staying at "0 done".
    const rebuildFailed = once(runtime.events, 'failed');
    await runtime.rebuild('articles');
    expect((await rebuildFailed)[2]).toMatchObject({ position: '1500' });
    const articles = (await projectionStatuses(runtime))[0];
    expect(articles.rebuild).toMatchObject({ done: 1499, error: { position: '1500' } });
  });

  it('a damaged page fails every projection at the first position it holds', async () => {
    const { position } = await (async () => {
      const seeding = new SqliteEventStore(eventsFile);
      const appended = await seeding.appendToStream(
        'marker',
        [{ id: '11111111-1111-4111-8111-111111111111', type: 'Marked', data: { text: 'DAMAGED-PAGE-MARKER' }, metadata: {} }],
        'no_stream',
      );
      await seedStories(seeding, 500, 7);
      await seeding.close();
      return appended;
    })();
    damagePageHolding(eventsFile, 'DAMAGED-PAGE-MARKER');
    const { failed } = await start();

    const positions = [...failed.values()].map(Number);
    expect(new Set(positions).size).toBe(1);
    expect(positions[0]).toBeLessThanOrEqual(Number(position.commit));
    expect(positions[0]).toBeGreaterThan(Number(position.commit) - 30);
  });

  it('the rebuild CLI stops at a damaged event and exits 1, naming the position', async () => {
    damageEventJson(eventsFile, 2222);
    const cli = spawnTs('src/read-models/rebuild.cli.ts', ['corrections'], { DATA_DIR: dir.path });
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    const lines = await readLinesUntil(cli, (line) => line.startsWith('Rebuild failed'));
    expect(await exited).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^corrections: generation 2 FAILED at position 2222: The event at position 2222/));
    expect(lines[lines.length - 1]).toMatch(/^Rebuild failed: corrections \(see the FAILED line above\); peak RSS \d+ MB$/);
  }, 60_000);
});
