import { EventStore } from '../event-store.port';

/** Placeholder until the EventStoreDB adapter lands (issue 6): refuses to start, loudly. */
export const EventStoreDbEventStore = {
  connect(url: string): Promise<EventStore> {
    return Promise.reject(new Error(`EVENTSTORE_URL=${url}: the EventStoreDB adapter is not built yet`));
  },
};
