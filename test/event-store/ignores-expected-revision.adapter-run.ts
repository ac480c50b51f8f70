import { join } from 'node:path';
import { EventStore, ExpectedRevision } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { tempDir } from '../support/temp-dir';
import { eventStoreContract } from './event-store.contract';

/**
 * A deliberately wrong adapter: it appends whatever revision the writer expected. Only run by
 * contract-can-fail.test.ts, which checks that the contract suite catches it.
 */
eventStoreContract('adapter that ignores the expected revision', async () => {
  const dir = tempDir('newsroom-broken-');
  const real = new SqliteEventStore(join(dir.path, 'events.sqlite'));
  const broken: EventStore = Object.assign(Object.create(real) as EventStore, {
    appendToStream: (stream: string, events: Parameters<EventStore['appendToStream']>[1], _expected: ExpectedRevision) =>
      real.appendToStream(stream, events, 'any'),
  });
  return {
    store: broken,
    dispose: async () => {
      await real.close();
      dir.remove();
    },
  };
});
