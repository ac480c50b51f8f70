import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { tempDir } from '../test/support/temp-dir';
import { seedStories } from '../test/read-models/support/seed';

/**
 * Rebuild speed and peak memory of the read models for a log of 100,000 events, measured on
 * the built rebuild CLI (the code `npm run projections:rebuild` runs), in a process of its own.
 *
 *   npm run build && node -r ts-node/register/transpile-only bench/rebuild-100k.ts [events]
 */
const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist/src/read-models/rebuild.cli.js');

function rebuild(dataDir: string, label: string, names: string[] = []): void {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, ...names], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${label}: exit ${run.status}\n${run.stdout}\n${run.stderr}`);
  const summary = run.stdout.trim().split('\n').pop();
  console.log(`${label.padEnd(34)} ${seconds.toFixed(1).padStart(5)} s wall (process) | ${summary}`);
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const count = Number(process.argv[2] ?? 100_000);
  const dir = tempDir('newsroom-bench-');
  try {
    const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    const seeding = Date.now();
    const { position } = await seedStories(store, count);
    await store.close();
    console.log(`seeded ${position.commit} events in ${((Date.now() - seeding) / 1000).toFixed(1)} s; node ${process.version}`);
    rebuild(dir.path, 'first build, all three projections');
    rebuild(dir.path, 'rebuild beside live, all three');
    rebuild(dir.path, 'rebuild beside live, articles only', ['articles']);
  } finally {
    dir.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
