import { join } from 'node:path';
import { ARTICLE_EVENT_SCHEMA_VERSIONS, articleStreamId, type ArticleEvent } from '../../articles/domain/article.events';
import { RecordedEvent } from '../../event-store/event-store.port';
import { articlesProjection } from '../../../projections/articles.projection';
import { events as make } from '../../../projections/test-support/article-events';
import { tempDir } from '../../../test/support/temp-dir';
import { describeProjectionFailure, GenerationWriter, parseFailure, threadStopped } from './generation-writer';
import { ReadModelDb, tableName } from './read-model-db';

const ARTICLE = '3f0c7b9e-5d1a-4c2b-8e6f-9a0b1c2d3e4f';

function recorded(event: ArticleEvent, revision: number): RecordedEvent {
  const position = BigInt(revision + 1);
  return {
    id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    streamId: articleStreamId(ARTICLE),
    type: event.type,
    revision: BigInt(revision),
    position: { commit: position, prepare: position },
    data: event.data as unknown as RecordedEvent['data'],
    metadata: { occurredAt: `2025-05-16T09:0${revision}:00.000Z`, schemaVersion: ARTICLE_EVENT_SCHEMA_VERSIONS[event.type], textForm: 'NFC' },
    recordedAt: '2025-05-16T09:00:00.000Z',
  };
}

/** A writer carries the documents of its last batch into the next one, unless another wrote the generation meanwhile. */
describe('GenerationWriter', () => {
  const dir = tempDir('newsroom-writer-');
  const db = new ReadModelDb(join(dir.path, 'read-models.sqlite'));
  afterAll(() => {
    db.close();
    dir.remove();
  });
  const headline = () =>
    (JSON.parse(db.sql.prepare(`SELECT doc FROM "${articlesTable()}" WHERE key = ?`).pluck().get(ARTICLE) as string) as { headline: string }).headline;
  let articlesTable: () => string;

  it('applies batch after batch, and a batch written by another writer in between counts', () => {
    const { generation } = db.createGeneration(articlesProjection, 'live', null);
    articlesTable = () =>
      db.sql.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? AND name LIKE '%summaries'").pluck().get(`%${generation}%`) as string;
    const one = new GenerationWriter(db, articlesProjection, generation);
    const other = new GenerationWriter(db, articlesProjection, generation);
    expect(one.applyBatch([recorded(make.drafted(ARTICLE), 0)]).kind).toBe('applied');
    expect(one.applyBatch([recorded(make.headlineRevised('By the first writer'), 1)])).toMatchObject({ kind: 'applied' });
    expect(headline()).toBe('By the first writer');
    // A second process following the same generation writes revision 2.
    expect(other.applyBatch([recorded(make.headlineRevised('By the other writer'), 2)]).kind).toBe('applied');
    // The first writer's carried document (revision 1) is stale now: it must read revision 2's.
    expect(one.applyBatch([recorded(make.standfirstRevised('Standfirst'), 3)]).kind).toBe('applied');
    expect(headline()).toBe('By the other writer');
    const doc = JSON.parse(db.sql.prepare(`SELECT doc FROM "${articlesTable()}" WHERE key = ?`).pluck().get(ARTICLE) as string) as {
      revision: number;
      standfirst: string;
    };
    expect(doc).toMatchObject({ revision: 3, standfirst: 'Standfirst' });
  });

  it('prepared outside the write lock, a batch another writer overtook meanwhile is applied again under the lock: nothing twice, nothing lost', () => {
    const { generation } = db.createGeneration(articlesProjection, 'next', null);
    let interfere: (() => void) | null = null;
    // The other writer commits while the first one applies its batch, before it takes the lock.
    const handle: typeof articlesProjection.handle = (event, view) => {
      const other = interfere;
      interfere = null;
      other?.();
      return articlesProjection.handle(event, view);
    };
    const prepared = new GenerationWriter(db, { ...articlesProjection, handle }, generation, { prepareOutsideLock: true });
    const other = new GenerationWriter(db, articlesProjection, generation);
    expect(prepared.applyBatch([recorded(make.drafted(ARTICLE), 0)])).toMatchObject({ kind: 'applied', applied: 1 });
    interfere = () => expect(other.applyBatch([recorded(make.headlineRevised('By the other writer'), 1)]).kind).toBe('applied');
    const batch = [recorded(make.headlineRevised('Overtaken'), 1), recorded(make.standfirstRevised('Standfirst'), 2)];
    expect(prepared.applyBatch(batch)).toMatchObject({ kind: 'applied', applied: 1 });
    const doc = JSON.parse(
      db.sql
        .prepare(`SELECT doc FROM "${tableName('articles', generation, 'summaries')}" WHERE key = ?`)
        .pluck()
        .get(ARTICLE) as string,
    ) as {
      revision: number;
      headline: string;
      standfirst: string;
    };
    expect(doc).toMatchObject({ revision: 2, headline: 'By the other writer', standfirst: 'Standfirst' });
    expect(db.generation('articles', generation)).toMatchObject({ events: 3, checkpoint: '3' });
    // Prepared again, with nobody in between: written as UTF-8 bytes, stored as the same text a string would be.
    expect(prepared.applyBatch([recorded(make.headlineRevised('Prepared ж'), 3)])).toMatchObject({ kind: 'applied', applied: 1 });
    const summary = db.sql
      .prepare(`SELECT doc FROM "${tableName('articles', generation, 'summaries')}" WHERE key = ?`)
      .pluck()
      .get(ARTICLE);
    expect(JSON.parse(summary as string)).toMatchObject({ headline: 'Prepared ж' });
    const stored = db.sql
      .prepare(`SELECT typeof(doc) FROM "${tableName('articles', generation, 'summaries')}" WHERE key = ?`)
      .pluck()
      .get(ARTICLE);
    expect(stored).toBe('text');
  });
});

describe('ProjectionFailure', () => {
  it('a failure stored before failures had a kind reads back as a failure at an event', () => {
    const stored = { message: 'boom', position: '7', eventId: 'e', eventType: 'ArticleDrafted', streamId: 's', revision: '0' };
    expect(parseFailure(JSON.stringify(stored))).toEqual({ kind: 'event', ...stored });
    expect(describeProjectionFailure(parseFailure(JSON.stringify(stored)))).toBe('failed at position 7: boom');
  });

  it('a stopped thread is a failure of its own: why and where, and no event', () => {
    const failure = threadStopped('projections', 'it exited with code 1', { commit: 41n, prepare: 41n });
    expect(failure).toEqual({
      kind: 'thread-stopped',
      thread: 'projections',
      reason: 'it exited with code 1',
      message: 'The projections thread stopped: it exited with code 1',
      position: '41',
    });
    expect(parseFailure(JSON.stringify(failure))).toEqual(failure);
    expect(describeProjectionFailure(failure)).toBe('The projections thread stopped: it exited with code 1');
  });
});
