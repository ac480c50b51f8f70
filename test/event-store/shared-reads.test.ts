import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventToAppend } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

/**
 * Every projection follows the log on its own subscription: the embedded store parses an event
 * of the log once and hands the same frozen event to each reader that asks for it soon after.
 */
describe('the log read once for every reader (embedded store)', () => {
  const dir = tempDir('newsroom-shared-');
  const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  afterAll(async () => {
    await store.close();
    dir.remove();
  });
  const event = (i: number): EventToAppend => ({ id: randomUUID(), type: 'Numbered', data: { i, nested: { list: [i] } }, metadata: { m: i } });
  const numbers = (events: Array<{ data: unknown }>) => events.map((e) => (e.data as { i: number }).i);

  it('gives a second reader the very events the first one parsed, frozen through', async () => {
    await store.appendToStream('shared-1', [0, 1, 2].map(event), 'no_stream');
    const first = await store.readAll({ maxCount: 10 });
    const second = await store.readAll({ maxCount: 10 });
    expect(numbers(second)).toEqual([0, 1, 2]);
    second.forEach((e, i) => expect(e).toBe(first[i]));
    const data = second[0].data as { nested: { list: number[] } };
    expect(Object.isFrozen(second[0]) && Object.isFrozen(data) && Object.isFrozen(data.nested.list) && Object.isFrozen(second[0].metadata)).toBe(true);
    expect(() => data.nested.list.push(9)).toThrow(TypeError);
  });

  it('goes on from the table past the events it holds, within the count and the bytes asked for', async () => {
    await store.appendToStream('shared-1', [3, 4, 5].map(event), 2n);
    expect(numbers(await store.readAll({ maxCount: 2 }))).toEqual([0, 1]);
    expect(numbers(await store.readAll({ maxCount: 5 }))).toEqual([0, 1, 2, 3, 4]);
    expect(numbers(await store.readAll({ maxCount: 10 }))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(numbers(await store.readAll({ maxCount: 10, maxBytes: 1 }))).toEqual([0]);
    const [second] = await store.readAll({ maxCount: 1 });
    expect(numbers(await store.readAll({ after: second.position, maxCount: 10 }))).toEqual([1, 2, 3, 4, 5]);
  });

  it('serves a stream read from the same events, and parses those it had not read once', async () => {
    const log = await store.readAll({ maxCount: 10 });
    const stream = await store.readStream('shared-1', { fromRevision: 2n });
    expect(numbers(stream)).toEqual([2, 3, 4, 5]);
    stream.forEach((e, i) => expect(e).toBe(log[i + 2]));
    await store.appendToStream('shared-2', [6, 7].map(event), 'no_stream');
    const fresh = await store.readStream('shared-2', { maxCount: 1 });
    expect(numbers(fresh)).toEqual([6]);
    expect((await store.readAll({ after: log[5].position, maxCount: 10 }))[0]).toBe(fresh[0]);
  });
});
