import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { eventStoreContract } from '../event-store/event-store.contract';

/**
 * The contract suite against a REAL EventStoreDB named by EVENTSTORE_URL: `npm run test:esdb`
 * (see docs/eventstoredb.md). Not part of `npm test`, which has no server to talk to.
 */
const url = process.env.EVENTSTORE_URL;
if (!url) {
  throw new Error('npm run test:esdb needs EVENTSTORE_URL, e.g. EVENTSTORE_URL="esdb://localhost:2113?tls=false" ' + 'after `docker compose up -d eventstore`');
}

eventStoreContract(`EventStoreDB at ${url}`, async () => {
  const store = await EventStoreDbEventStore.connect(url);
  // Every test writes to fresh streams; a real server keeps them, as it keeps everything.
  return { store, dispose: () => store.close() };
});
