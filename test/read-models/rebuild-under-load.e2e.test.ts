import { once } from 'node:events';
import { join } from 'node:path';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { startTestApp, TestApp } from '../support/test-app';
import { cleanBuild, fingerprint } from './support/read-models-file';
import { seedStories } from './support/seed';

describe('POST /api/projections/{name}/rebuild under load', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('keeps answering every read while it rebuilds and writers append, then serves the new generation', async () => {
    const { position } = await seedStories(t.eventStore, 10_000);
    const reader = t.http.get(`/api/quotes?limit=1&minPosition=${position.commit}`).set('Authorization', t.auth('reporter'));
    await reader.expect(200);
    const runtime = t.app.get(ProjectionEngine);

    let rebuilding = true;
    const swapped = once(runtime.events, 'swapped').finally(() => (rebuilding = false));
    await t.http.post('/api/projections/quotes/rebuild').set('Authorization', t.auth('admin')).expect(202);
    const statuses: number[] = [];
    const reads = (async () => {
      for (let i = 0; rebuilding; i++) {
        const path = ['/api/quotes?speaker=zelenskyy&limit=5', '/api/quotes?q=peace%20talks', '/api/projections'][i % 3];
        statuses.push((await t.http.get(path).set('Authorization', t.auth('reporter'))).status);
      }
    })();
    const writes = (async () => {
      for (let seed = 50; rebuilding; seed++) await seedStories(t.eventStore, 20, seed);
    })();
    expect(await swapped).toEqual(['quotes', 2]);
    await Promise.all([reads, writes]);

    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const head = await t.eventStore.headPosition();
    const res = await t.http.get(`/api/projections?minPosition=${head.commit}`).set('Authorization', t.auth('reporter')).expect(200);
    expect(res.body[1]).toMatchObject({ name: 'quotes', generation: 2, status: 'live', lagEvents: 0 });
    expect(fingerprint(join(t.dataDir, 'read-models.sqlite'))).toEqual(await cleanBuild(t.eventStore, t.dataDir));
  }, 120_000);
});
