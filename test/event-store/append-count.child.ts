import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';

/**
 * Child process for the two-writers test: `<file> <prefix> <writers> <appends>`: that many
 * concurrent writers each append `appends` events to a stream of their own, one append at a
 * time. Prints "ready" once the store is open, waits for a line on stdin (so that both
 * processes start writing together), then prints one JSON line: `{ acknowledged, failures }`,
 * with each failure's message.
 */
const [file, prefix, writers, appends] = process.argv.slice(2);
const store = new SqliteEventStore(file);
const failures: string[] = [];
let acknowledged = 0;

async function writer(n: number): Promise<void> {
  const stream = `${prefix}-${n}`;
  let revision: bigint | null = null;
  for (let i = 0; i < Number(appends); i++) {
    try {
      const result = await store.appendToStream(stream, [{ id: crypto.randomUUID(), type: 'Written', data: { i }, metadata: {} }], revision ?? 'no_stream');
      revision = result.nextExpectedRevision;
      acknowledged++;
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
}

process.stdout.write('ready\n');
process.stdin.once('data', () => {
  void Promise.all(Array.from({ length: Number(writers) }, (_, n) => writer(n))).then(async () => {
    process.stdout.write(`${JSON.stringify({ acknowledged, failures })}\n`);
    await store.close();
    process.exit(0);
  });
});
