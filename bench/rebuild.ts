import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { generateLog } from './lib/generate-log';
import { ROOT } from './lib/server';

export interface RebuildResult {
  events: number;
  generateSeconds: number;
  rebuildSeconds: number;
  rebuildEventsPerSecond: number;
  peakRssMb: number;
  scanEventsPerSecond: number;
}

/** The baseline: a plain scan of the same log, JSON.parse of every event's data and metadata. */
function plainScan(file: string): number {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  let n = 0;
  for (const row of db.prepare('SELECT data, metadata FROM events ORDER BY position').iterate() as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    n++;
  }
  db.close();
  return n / ((performance.now() - started) / 1000);
}

/** Runs the rebuild CLI (built, in its own process) on the data dir; returns its time and peak RSS. */
function runRebuildCli(dataDir: string): Promise<{ seconds: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/read-models/rebuild.cli.js')], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /peak RSS (\d+) MB/.exec(out);
      if (code !== 0 || !rss) return reject(new Error(`rebuild exited ${code}: ${out.slice(-500)}`));
      resolve({ seconds, peakRssMb: Number(rss[1]) });
    });
  });
}

/** Generates a log of `total` events over `articles` articles, then rebuilds every read model from it. */
export async function rebuildBench(dataDir: string, total: number, articles: number, log: (line: string) => void): Promise<RebuildResult> {
  const file = join(dataDir, 'events.sqlite');
  const store = new SqliteEventStore(file);
  const generating = performance.now();
  let reported = 0;
  const events = await generateLog(store, total, articles, (done) => {
    if (done - reported >= total / 10) log(`  generated ${(reported = done)} of ${total} events`);
  });
  await store.close();
  const generateSeconds = (performance.now() - generating) / 1000;
  const scanEventsPerSecond = plainScan(file);
  const { seconds, peakRssMb } = await runRebuildCli(dataDir);
  return { events, generateSeconds, rebuildSeconds: seconds, rebuildEventsPerSecond: events / seconds, peakRssMb, scanEventsPerSecond };
}
