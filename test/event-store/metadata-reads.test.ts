import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DamagedEventError } from '../../src/event-store/event-store.errors';
import { JsonValue, START } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

/** readAllMetadata: the log as readAll reads it, without the events' data. */
describe('the embedded store read without data', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = tempDir('newsroom-metadata-reads-');
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('gives every event readAll gives, less its data, with the size of its metadata; after, maxCount and maxBytes bound it alike', async () => {
    const large = 'ж'.repeat(2_000_000);
    for (let i = 0; i < 5; i++) {
      const data: JsonValue = i === 2 ? { body: large } : { headline: `Friedrich Merz ${i}` };
      await store.appendToStream(`article-${i % 2}`, [{ id: randomUUID(), type: 'ArticleDrafted', data, metadata: { actor: { id: 'rita' }, n: i } }], 'any');
    }
    const all = await store.readAll({ maxCount: 100 });
    const withoutData = await store.readAllMetadata({ maxCount: 100 });
    expect(withoutData).toEqual(all.map(({ data: _data, size: _size, ...rest }) => ({ ...rest, size: JSON.stringify(rest.metadata).length })));
    expect(withoutData.every((event) => !('data' in event) && Object.isFrozen(event) && Object.isFrozen(event.metadata))).toBe(true);
    expect((await store.readAllMetadata({ after: all[1].position, maxCount: 2 })).map((e) => e.revision)).toEqual([all[2].revision, all[3].revision]);
    const metadataChars = withoutData[0].size!;
    expect(await store.readAllMetadata({ after: START, maxCount: 100, maxBytes: metadataChars + 1 })).toHaveLength(2);
  });

  it('refuses an event whose metadata is not JSON with DamagedEventError', async () => {
    await store.appendToStream('article-1', [{ id: randomUUID(), type: 'ArticleDrafted', data: {}, metadata: {} }], 'no_stream');
    await store.close();
    const db = new Database(join(dir.path, 'events.sqlite'));
    db.prepare("UPDATE events SET metadata = '{not json' WHERE position = 1").run();
    db.close();
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    await expect(store.readAllMetadata({ maxCount: 10 })).rejects.toBeInstanceOf(DamagedEventError);
  });
});
