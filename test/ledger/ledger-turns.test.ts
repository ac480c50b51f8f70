import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { articleStreamId } from '../../src/articles/domain/article.events';
import type { AppConfig } from '../../src/config/app-config';
import type { ReadAllOptions } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { carriedHash, withChain } from '../../src/ledger/event-chain';
import { Ledger } from '../../src/ledger/ledger';
import { SigningKey } from '../../src/ledger/signing-key';
import { tempDir } from '../support/temp-dir';

/**
 * The ledger's catch-up reads the log in batches, each read and parsed synchronously: between
 * batches it gives up a turn of the event loop, so that a log of many maximum-size articles
 * after the last checkpoint does not hold every request until it has all been read.
 */
const config = { checkpointIntervalMs: 0 } as AppConfig;
const newKey = () => new SigningKey(generateKeyPairSync('ed25519').privateKey);

describe('the ledger reading the log', () => {
  it('gives up a turn of the event loop between the batches of its catch-up', async () => {
    const dir = tempDir('newsroom-ledger-turns-');
    const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    try {
      // 2,500 events: three batches of at most 1,000.
      for (let i = 0; i < 25; i++) {
        const events = Array.from({ length: 100 }, (_, n) => ({
          id: randomUUID(),
          type: 'ArticleDrafted',
          data: { headline: `Merz ${i}.${n}` },
          metadata: {},
        }));
        await store.appendToStream(articleStreamId(randomUUID()), events, 'no_stream');
      }
      let turns = 0;
      let counting = true;
      const tick = () => counting && (turns++, setImmediate(tick));
      setImmediate(tick);
      const turnsAtRead: number[] = [];
      const readAllMetadata = store.readAllMetadata.bind(store);
      jest.spyOn(store, 'readAllMetadata').mockImplementation((options: ReadAllOptions) => {
        turnsAtRead.push(turns);
        return readAllMetadata(options);
      });
      const ledger = new Ledger(store, new SigningKey(generateKeyPairSync('ed25519').privateKey), { checkpointIntervalMs: 0 } as AppConfig);
      const checkpoint = await ledger.checkpointNow();
      counting = false;
      expect(checkpoint.treeSize).toBe(25);
      expect(turnsAtRead.length).toBeGreaterThanOrEqual(3);
      // Every read after the first comes at least one turn after the one before it.
      for (let i = 1; i < turnsAtRead.length; i++) expect(turnsAtRead[i]).toBeGreaterThan(turnsAtRead[i - 1]);
      await ledger.onModuleDestroy();
    } finally {
      jest.restoreAllMocks();
      await store.close();
      dir.remove();
    }
  });

  it('reads chained events without their data, an unchained one with it, and signs the root a whole read gives', async () => {
    const dir = tempDir('newsroom-ledger-metadata-');
    const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    try {
      const articles = [randomUUID(), randomUUID()];
      // Article 0: a legacy event (no chain), then chained ones; article 1 chained throughout, one large.
      await store.appendToStream(
        articleStreamId(articles[0]),
        [{ id: randomUUID(), type: 'ArticleDrafted', data: { headline: 'Olaf Merz' }, metadata: {} }],
        'no_stream',
      );
      // A checkpoint in the log already: the catch-up folds it, read with its data.
      await new Ledger(store, newKey(), config).checkpointNow();
      let previous: string | null = carriedHash((await store.readStream(articleStreamId(articles[0])))[0], null);
      for (const [i, headline] of ['Friedrich Merz', 'Friedrich Merz in Ankara'].entries()) {
        const chained = withChain('HeadlineRevised', { headline }, { n: i }, previous);
        previous = chained.hash;
        await store.appendToStream(
          articleStreamId(articles[0]),
          [{ id: randomUUID(), type: 'HeadlineRevised', data: { headline }, metadata: chained.metadata }],
          'any',
        );
      }
      let other: string | null = null;
      for (const body of ['ж'.repeat(3_000_000), 'short']) {
        const chained = withChain('BodyRevised', { body }, {}, other);
        other = chained.hash;
        await store.appendToStream(
          articleStreamId(articles[1]),
          [{ id: randomUUID(), type: 'BodyRevised', data: { body }, metadata: chained.metadata }],
          'any',
        );
      }

      const readAll = jest.spyOn(store, 'readAll');
      const readStream = jest.spyOn(store, 'readStream');
      const ledger = new Ledger(store, newKey(), config);
      const checkpoint = await ledger.checkpointNow();
      expect(readAll).not.toHaveBeenCalled();
      // Read again with their data: the legacy event and the earlier checkpoint only (the ledger's own stream is read at signing too).
      const reread = readStream.mock.calls.filter(([stream]) => stream !== 'ledger-checkpoints');
      expect(reread).toEqual([[articleStreamId(articles[0]), { fromRevision: 0n, maxCount: 1 }]]);
      jest.restoreAllMocks();

      // A store without readAllMetadata (as EventStoreDB): read with readAll, the same root.
      const plain = new Proxy(store, {
        get: (target, name) => {
          if (name === 'readAllMetadata') return undefined;
          const value = Reflect.get(target, name, target) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      const whole = await new Ledger(plain as SqliteEventStore, newKey(), config).checkpointNow();
      expect(whole.rootHash).toBe(checkpoint.rootHash);
      expect(checkpoint.treeSize).toBe(2);
    } finally {
      jest.restoreAllMocks();
      await store.close();
      dir.remove();
    }
  });
});
