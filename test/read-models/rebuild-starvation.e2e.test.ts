import { events, paragraph, REPORTER } from '../../projections/test-support/article-events';
import { formatPosition, Position } from '../../src/event-store/event-store.port';
import { ProjectionEngine } from '../../src/read-models/engine/projection-engine';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { startTestApp, TestApp } from '../support/test-app';
import { appendArticle } from './support/seed';

/**
 * A body of 500 blocks of 17,000 characters: 8.5 M characters, just over the 8 M characters a
 * batch may hold (projector.ts BATCH_BYTES), so that each such event is a batch of its own and a
 * rebuild commits between them. Applying one takes the articles projection a second or more.
 */
const hugeBody = (seed: string) => Array.from({ length: 500 }, (_, i) => paragraph(`p${i}`, `${seed} `.padEnd(17_000, 'ж')));
const article = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

/**
 * The live generations must not wait behind a rebuild's work: a rebuild over huge events used to
 * share the projections' thread with the live generations, so a write made while it applied one
 * was not readable (?minPosition) until that apply had ended, seconds later.
 */
describe('a rebuild over huge events (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('a minPosition read after a write is answered by the live generation while the rebuild is still mid-way through a huge event', async () => {
    const engine = t.app.get(ProjectionEngine);
    for (let n = 1; n <= 5; n++) await appendArticle(t.eventStore, article(n), REPORTER, events.drafted(article(n), { headline: `Small ${n}` }));
    const first = await appendArticle(t.eventStore, article(11), REPORTER, events.drafted(article(11), { headline: 'Huge 1', body: hugeBody('one') }));
    const second = await appendArticle(t.eventStore, article(12), REPORTER, events.drafted(article(12), { headline: 'Huge 2', body: hugeBody('two') }));
    await engine.waitFor(second.position, 120_000);

    // Once the articles rebuild has committed the first huge event, it is busy with the second one.
    const slot = engine.slot('articles')!;
    const between = (p: Position | undefined) => p !== undefined && p.commit >= first.position.commit && p.commit < second.position.commit;
    const midRebuild = new Promise<Position>((resolve) => {
      const check = () => {
        if (!between(slot.next?.checkpoint)) return;
        engine.events.off('progress', check);
        resolve(slot.next!.checkpoint);
      };
      engine.events.on('progress', check);
    });
    const swapped: string[] = [];
    const allSwapped = new Promise<void>((resolve) => engine.events.on('swapped', (name) => swapped.push(name) === PROJECTIONS.length && resolve()));
    const generations = new Map<string, number>();
    for (const { name } of PROJECTIONS) {
      const accepted = await t.http.post(`/api/projections/${name}/rebuild`).set('Authorization', t.auth('admin')).expect(202);
      generations.set(name, (accepted.body as { generation: number }).generation);
    }
    const rebuilding = generations.get('articles');
    const pendingAt = await midRebuild;

    const written = await t.http
      .post('/api/articles')
      .set('Authorization', t.auth('reporter'))
      .send({ headline: 'Written during the rebuild', body: [{ type: 'paragraph', text: 'Small.' }] })
      .expect(201);
    const { articleId, position } = written.body as { articleId: string; position: string };
    const read = await t.http.get(`/api/articles/${articleId}?minPosition=${position}`).set('Authorization', t.auth('reporter')).expect(200);

    // Answered by the live generation, while the rebuild has not moved past the first huge event.
    expect(read.body).toMatchObject({ id: articleId, headline: 'Written during the rebuild' });
    expect(swapped).toEqual([]);
    expect(slot.next?.generation).toBe(rebuilding);
    expect(formatPosition(slot.next!.checkpoint)).toBe(formatPosition(pendingAt));

    // And the rebuild still ends as it did: every projection swaps in, and serves the write too.
    await allSwapped;
    expect(slot.live?.generation).toBe(rebuilding);
    await t.http.get(`/api/articles/${articleId}?minPosition=${position}`).set('Authorization', t.auth('reporter')).expect(200);
  }, 180_000);
});
