import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { ProjectionRuntime } from '../src/read-models/engine/projection-runtime';
import { PROJECTIONS } from '../src/read-models/projections.registry';
import { generateLog } from './lib/generate-log';

/**
 * How long a replaced log takes to be noticed (issue 16). A log of 2×HALF events is followed to
 * its head; the log is then restored from a backup taken at HALF and HALF/50 events are written
 * to it; a restart then measures SQLite's quick_check, the time until every projection is found
 * stale, and the rebuild from the restored log. Last, the file is moved away under a running
 * store, and /health's check (condition()) is timed.
 *
 *   node -r ts-node/register/transpile-only bench/replaced-log.ts [HALF=50000]
 */
async function main(half: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'newsroom-bench-replaced-'));
  const file = join(dir, 'events.sqlite');
  const readModels = join(dir, 'read-models.sqlite');
  try {
    let store = new SqliteEventStore(file);
    await generateLog(store, half, Math.ceil(half / 50));
    await store.close();
    copyFileSync(file, join(dir, 'backup.sqlite'));
    store = new SqliteEventStore(file);
    await generateLog(store, half, Math.ceil(half / 50));
    let runtime = new ProjectionRuntime({ store, file: readModels, projections: PROJECTIONS });
    await runtime.start();
    await runtime.waitFor(await store.headPosition(), 600_000);
    const before = (await store.headPosition()).commit;
    await runtime.close();
    await store.close();

    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    copyFileSync(join(dir, 'backup.sqlite'), file);
    store = new SqliteEventStore(file);
    await generateLog(store, Math.ceil(half / 50), 10);
    const head = await store.headPosition();
    await store.close();

    const started = performance.now();
    store = new SqliteEventStore(file);
    const problems = store.quickCheck();
    const checked = performance.now();
    runtime = new ProjectionRuntime({ store, file: readModels, projections: PROJECTIONS });
    const noticed: number[] = [];
    runtime.events.on('stale', () => noticed.push(performance.now()));
    await runtime.start();
    const ready = performance.now();
    await runtime.waitFor(head, 600_000);
    const rebuilt = performance.now();
    await runtime.close();

    renameSync(file, `${file}.moved`);
    const beforeCheck = performance.now();
    const condition = store.condition();
    const afterCheck = performance.now();
    await store.close();

    const ms = (from: number, to: number) => `${(to - from).toFixed(1)} ms`;
    process.stdout.write(
      [
        `read models at position ${before}; log restored to position ${head.commit} (${head.commit - BigInt(half)} written after the restore)`,
        `quick_check of ${head.commit} events: ${problems.length === 0 ? 'ok' : problems.join('; ')} in ${ms(started, checked)}`,
        `every projection found stale (${noticed.length}) ${ms(checked, Math.max(...noticed))} after the runtime started; start() resolved after ${ms(checked, ready)}`,
        `rebuilt from the restored log in ${ms(ready, rebuilt)}`,
        `file moved away under a running store: /health says "${condition.status}" (${condition.status === 'degraded' ? condition.reason : ''}), checked in ${ms(beforeCheck, afterCheck)}`,
      ].join('\n') + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main(Number(process.argv[2] ?? 50_000));
