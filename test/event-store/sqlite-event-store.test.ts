import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { tempDir } from '../support/temp-dir';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('embedded SQLite', async () => {
  const dir = tempDir('newsroom-store-');
  const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  return {
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  };
});
