import { join } from 'node:path';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { eventStoreContract, StoreFixture } from '../event-store/event-store.contract';
import { tempDir } from '../support/temp-dir';
import { startEsdbTestServer } from './esdb-test-server';

/** A fresh protocol test server (a test double of EventStoreDB, see esdb-test-server.ts) per test. */
function throughTestServer(batchAppend: boolean): () => Promise<StoreFixture> {
  return async () => {
    const dir = tempDir('newsroom-esdb-');
    const server = await startEsdbTestServer({ file: join(dir.path, 'events.sqlite'), batchAppend });
    const store = await EventStoreDbEventStore.connect(server.url);
    return {
      store,
      dispose: async () => {
        await store.close();
        await server.stop();
        dir.remove();
      },
    };
  };
}

// Appends go through BatchAppend, as they do against a 24.10 node...
eventStoreContract('EventStoreDB via the protocol test server', throughTestServer(true));
// ...and through the plain Append call that servers without BatchAppend get.
eventStoreContract('EventStoreDB via the protocol test server, without BatchAppend', throughTestServer(false));
