import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { readLinesUntil, spawnTs } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';

describe('embedded store durability', () => {
  it('keeps every acknowledged append across kill -9 of the writing process', async () => {
    const dir = tempDir('newsroom-kill9-');
    const file = join(dir.path, 'events.sqlite');
    const child = spawnTs('test/event-store/append-forever.child.ts', [file]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let acks = 0;
    const lines = await readLinesUntil(child, (line) => line.startsWith('ack') && ++acks >= 2000);
    child.kill('SIGKILL');
    await exited;

    const store = new SqliteEventStore(file);
    try {
      const acknowledged = lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' '));
      expect(acknowledged.length).toBeGreaterThanOrEqual(2000);
      for (const [, stream, revision, id] of acknowledged) {
        const [stored] = await store.readStream(stream, { fromRevision: BigInt(revision), maxCount: 1 });
        expect(stored?.id).toBe(id);
      }
    } finally {
      await store.close();
      dir.remove();
    }
  }, 60000);
});
