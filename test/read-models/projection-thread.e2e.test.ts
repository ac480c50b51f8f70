import { once } from 'node:events';
import Database from 'better-sqlite3';
import { parsePosition } from '../../src/event-store/event-store.port';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { ProjectionHost } from '../../src/read-models/engine/projection-host';
import { readModelsFile } from '../../src/read-models/engine/read-model-db';
import { startTestApp, TestApp } from '../support/test-app';

/** The server's projections run on a worker thread (ProjectionHost), off the request loop. */
describe('projections on their worker thread (e2e)', () => {
  let t: TestApp;
  beforeEach(async () => (t = await startTestApp()));
  afterEach(async () => t.close());

  const draft = (headline: string) =>
    t.http
      .post('/api/articles')
      .set('Authorization', t.auth('reporter'))
      .send({ headline, body: [{ type: 'paragraph', text: 'Friedrich Merz spoke.' }] })
      .expect(201);

  it('apply events while this thread never yields: the read models advance with the event loop blocked', async () => {
    const engine = t.app.get(ProjectionEngine);
    const { position } = (await draft('Written while the loop is blocked')).body as { position: string };
    const target = parsePosition(position)!.commit;
    // Blocks this thread (no await) and reads the registry on its own connection until every
    // live generation has passed the command's position. In this thread, projections could not run.
    const names = [...engine.slots.keys()];
    const reached = () => names.every((name) => parsePosition(engine.db.withRole(name, 'live')!.checkpoint)!.commit >= target);
    const giveUpAt = Date.now() + 30_000;
    let done = reached();
    while (!done && Date.now() < giveUpAt) done = reached();
    expect(done).toBe(true);
  });

  it('a dead worker thread fails every projection: /health says so, and a minPosition read is refused at once', async () => {
    const { position } = (await draft('Before the thread dies')).body as { position: string };
    const host = t.app.get(ProjectionEngine) as ProjectionHost;
    await host.waitFor(parsePosition(position)!, 10_000);
    const failed = new Promise<void>((resolve) => {
      const check = () => {
        if (![...host.slots.values()].every((slot) => slot.liveFailure !== null)) return;
        host.events.off('progress', check);
        resolve();
      };
      host.events.on('progress', check);
    });
    await host['worker']!.terminate();
    await failed;

    // No event is to blame: the failure says the thread stopped, and carries no event's fields.
    const stopped = {
      kind: 'thread-stopped',
      thread: 'projections',
      reason: expect.stringMatching(/exited with code/),
      message: expect.stringMatching(/^The projections thread stopped: it exited with code/),
    };
    const health = (await t.http.get('/health').expect(200)).body as {
      status: string;
      projections: Array<{ status: string; problem?: string; failure?: Record<string, unknown> }>;
    };
    expect(health.status).toBe('degraded');
    expect(health.projections.map((p) => p.status)).toEqual(names(host).map(() => 'failed'));
    for (const projection of health.projections) {
      expect(projection.problem).toMatch(/^The projections thread stopped: it exited with code \d+$/);
      expect(projection.failure).toMatchObject(stopped);
      expect(projection.failure).not.toHaveProperty('eventId');
      expect(projection.failure).not.toHaveProperty('streamId');
    }
    const statuses = (await t.http.get('/api/projections').set('Authorization', t.auth('reporter')).expect(200)).body as Array<{
      status: string;
      error?: Record<string, unknown>;
    }>;
    for (const status of statuses) {
      expect(status).toMatchObject({ status: 'failed', error: stopped });
      expect(status.error).not.toHaveProperty('eventId');
    }
    const later = (await draft('After it died')).body as { position: string };
    await t.http.get(`/api/articles?minPosition=${later.position}`).set('Authorization', t.auth('reporter')).expect(504);
  });

  it('a dead rebuild thread fails the rebuild it ran, not the live generation; a new rebuild starts over and swaps in', async () => {
    const host = t.app.get(ProjectionEngine) as ProjectionHost;
    const { position } = (await draft('Before the rebuild')).body as { position: string };
    await host.waitFor(parsePosition(position)!, 10_000);
    const failed = once(host.events, 'failed');
    const first = (await t.http.post('/api/projections/quotes/rebuild').set('Authorization', t.auth('admin')).expect(202)).body as { generation: number };
    // The rebuild thread is still starting: the rebuild cannot have reached the head (and been handed over) yet.
    await host.killRebuildThread();
    const [name, generation, failure] = (await failed) as [string, number, Record<string, unknown>];
    expect([name, generation]).toEqual(['quotes', first.generation]);
    expect(failure).toMatchObject({ kind: 'thread-stopped', thread: 'rebuild', message: expect.stringMatching(/^The rebuild thread stopped: /) });
    expect(failure).not.toHaveProperty('eventId');

    const health = (await t.http.get('/health').expect(200)).body as { projections: Array<{ name: string; status: string; problem?: string }> };
    expect(health.projections.find((p) => p.name === 'quotes')).toMatchObject({
      status: 'live',
      problem: expect.stringMatching(/^rebuild \(generation \d+\) failed: The rebuild thread stopped: /),
    });
    const later = (await draft('While the rebuild has failed')).body as { position: string };
    await t.http.get(`/api/quotes?minPosition=${later.position}`).set('Authorization', t.auth('reporter')).expect(200);

    const swapped = once(host.events, 'swapped');
    const second = (await t.http.post('/api/projections/quotes/rebuild').set('Authorization', t.auth('admin')).expect(202)).body as { generation: number };
    expect(await swapped).toEqual(['quotes', second.generation]);
    const statuses = (await t.http.get(`/api/projections?minPosition=${later.position}`).set('Authorization', t.auth('reporter')).expect(200)).body as Array<{
      name: string;
      generation: number;
      status: string;
      rebuild?: unknown;
    }>;
    expect(statuses.find((p) => p.name === 'quotes')).toEqual(expect.objectContaining({ generation: second.generation, status: 'live' }));
    expect(statuses.find((p) => p.name === 'quotes')?.rebuild).toBeUndefined();
  });

  it('a dead rebuild thread whose failure the registry cannot take (its write lock held past the busy timeout) still shows in /api/projections', async () => {
    const host = t.app.get(ProjectionEngine) as ProjectionHost;
    const { position } = (await draft('Before the rebuild')).body as { position: string };
    await host.waitFor(parsePosition(position)!, 10_000);
    const first = (await t.http.post('/api/projections/quotes/rebuild').set('Authorization', t.auth('admin')).expect(202)).body as { generation: number };
    // Another process (the rebuild CLI, say) holds the read models' write lock past the 5 s busy timeout.
    const other = new Database(readModelsFile(t.dataDir));
    other.exec('BEGIN IMMEDIATE');
    try {
      const failed = once(host.events, 'failed');
      await host.killRebuildThread();
      const [, generation, failure] = (await failed) as [string, number, Record<string, unknown>];
      expect(generation).toBe(first.generation);
      expect(failure).toMatchObject({ kind: 'thread-stopped', thread: 'rebuild' });
      expect(JSON.parse(host.db.generation('quotes', first.generation)!.failure ?? 'null')).toBeNull();
      const statuses = (await t.http.get('/api/projections').set('Authorization', t.auth('reporter')).expect(200)).body as Array<{
        name: string;
        rebuild?: { generation: number; error?: { kind: string } };
      }>;
      // Before, it showed an ordinary rebuild in progress, which nothing followed.
      expect(statuses.find((p) => p.name === 'quotes')?.rebuild).toMatchObject({ generation: first.generation, error: { kind: 'thread-stopped' } });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});

const names = (host: ProjectionHost) => [...host.slots.keys()];
