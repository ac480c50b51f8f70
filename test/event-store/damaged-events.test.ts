import { join } from 'node:path';
import { DamagedEventError } from '../../src/event-store/event-store.errors';
import { RecordedEvent, START } from '../../src/event-store/event-store.port';
import { checkStore } from '../../src/event-store/store-check.cli';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { damageEventJson, damagePageHolding } from '../support/damage';
import { spawnTs } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';

const MARKER = 'MARKER-of-the-damaged-page';

/** 300 events in 30 streams of 10; the event at position 150 carries MARKER in its data. */
async function writeLog(file: string): Promise<void> {
  const store = new SqliteEventStore(file);
  for (let n = 1; n <= 300; n++) {
    const stream = `s-${n % 30}`;
    const text = n === 150 ? MARKER : `event ${n} `.repeat(20);
    await store.appendToStream(
      stream,
      [{ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'Written', data: { n, text }, metadata: {} }],
      'any',
    );
  }
  // Closing the last connection checkpoints the WAL into the file, where the damage goes.
  await store.close();
}

async function readWholeLog(store: SqliteEventStore): Promise<{ events: RecordedEvent[]; error: unknown }> {
  const events: RecordedEvent[] = [];
  const subscription = store.subscribeToAll({ after: START });
  try {
    for await (const event of subscription) {
      events.push(event);
      if (events.length === 300) break;
    }
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

function runCheck(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string }> {
  const cli = spawnTs('src/event-store/store-check.cli.ts', args, env);
  let stdout = '';
  cli.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => cli.on('exit', (code) => resolve({ code, stdout })));
}

describe('damaged events in the embedded store', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let store: SqliteEventStore | null = null;
  beforeEach(async () => {
    dir = tempDir('newsroom-damaged-');
    file = join(dir.path, 'events.sqlite');
    await writeLog(file);
  });
  afterEach(async () => {
    await store?.close();
    store = null;
    dir.remove();
  });

  it('an event whose data is not JSON is named by its position; the events before it are delivered', async () => {
    damageEventJson(file, 120);
    store = new SqliteEventStore(file);
    expect(store.quickCheck()).toEqual([]);

    const { events, error } = await readWholeLog(store);
    expect(events.map((e) => Number(e.position.commit))).toEqual(Array.from({ length: 119 }, (_, i) => i + 1));
    expect(error).toBeInstanceOf(DamagedEventError);
    expect(error).toMatchObject({ position: 120n, where: { streamId: 's-0', revision: 3n } });
    await expect(store.readAll({ after: START, maxCount: 500 })).rejects.toMatchObject({ position: 120n });
    await expect(store.readStream('s-0')).rejects.toThrow(/position 120 \(s-0 revision 3\) cannot be read: its data is not valid JSON/);
    expect(await store.readStream('s-1')).toHaveLength(10);
  });

  it('a damaged page is named by the first position it holds; quick_check and store:check find it', async () => {
    const page = damagePageHolding(file, MARKER);
    store = new SqliteEventStore(file);
    expect(store.quickCheck().join('\n')).toMatch(new RegExp(`page ${page}|Page ${page}|malformed|corrupt`, 'i'));

    const { events, error } = await readWholeLog(store);
    expect(error).toBeInstanceOf(DamagedEventError);
    const damaged = (error as DamagedEventError).position;
    expect(damaged).toBeLessThanOrEqual(150n);
    expect(events.map((e) => e.position.commit)).toEqual(Array.from({ length: Number(damaged) - 1 }, (_, i) => BigInt(i + 1)));
    // A stream read finds its first unreadable event through the index (150 is the marker's, in s-0).
    await expect(store.readStream('s-0')).rejects.toMatchObject({ position: 150n, where: null });
    await store.close();
    store = null;

    const report = checkStore(file);
    expect(report.integrity.length).toBeGreaterThan(0);
    expect(report.unreadable.map((d) => d.position)).toContain(150n);
    expect(report.unreadable[0].position).toBe(damaged);
    expect(report.eventsRead + report.unreadable.length).toBe(300);
  });

  it('npm run store:check exits 1 naming the unreadable positions, 0 on a sound store, 2 without one', async () => {
    const sound = await runCheck([], { DATA_DIR: dir.path });
    expect(sound).toEqual({ code: 0, stdout: `${file}: integrity_check ok; 300 events read up to position 300; 0 unreadable\n` });

    damageEventJson(file, 42, 'metadata');
    const damaged = await runCheck([file]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(/^unreadable: The event at position 42 \(s-12 revision 1\) cannot be read: its metadata is not valid JSON/m);
    expect(damaged.stdout).toMatch(/299 events read up to position 300; 1 unreadable: 42$/m);

    expect((await runCheck([join(dir.path, 'nothing.sqlite')])).code).toBe(2);
  }, 60_000);
});
