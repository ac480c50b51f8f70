import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { articleStreamId } from '../../src/articles/domain/article.events';
import type { AppConfig } from '../../src/config/app-config';
import type { ReadAllOptions } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { Ledger } from '../../src/ledger/ledger';
import { SigningKey } from '../../src/ledger/signing-key';
import { tempDir } from '../support/temp-dir';

/**
 * The ledger's catch-up reads the log in batches, each read and parsed synchronously: between
 * batches it gives up a turn of the event loop, so that a log of many maximum-size articles
 * after the last checkpoint does not hold every request until it has all been read.
 */
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
      const readAll = store.readAll.bind(store);
      jest.spyOn(store, 'readAll').mockImplementation((options: ReadAllOptions) => {
        turnsAtRead.push(turns);
        return readAll(options);
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
});
