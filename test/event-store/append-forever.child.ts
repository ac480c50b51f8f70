import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';

/**
 * Child process for the kill -9 test: 32 concurrent writers append to their own streams
 * forever and print "ack <stream> <revision> <eventId>" once each append is acknowledged.
 */
const store = new SqliteEventStore(process.argv[2]);

async function writer(n: number): Promise<never> {
  const stream = `durable-${n}`;
  for (let revision = 0n; ; revision++) {
    const id = randomUUID();
    const expected = revision === 0n ? ('no_stream' as const) : revision - 1n;
    await store.appendToStream(stream, [{ id, type: 'Written', data: { revision: Number(revision) }, metadata: {} }], expected);
    process.stdout.write(`ack ${stream} ${revision} ${id}\n`);
  }
}

for (let n = 0; n < 32; n++) void writer(n);
