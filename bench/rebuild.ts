import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { generateLog } from './lib/generate-log';
import { ROOT } from './lib/server';

/** One rebuild of every read model by the rebuild CLI: events of the log per second of the whole process, and its peak RSS. */
export interface RebuildRun {
  seconds: number;
  eventsPerSecond: number;
  peakRssMb: number;
}

export interface RebuildResult {
  events: number;
  generateSeconds: number;
  /** The rebuild as `npm run projections:rebuild` runs it: catch-up mode. */
  rebuildSeconds: number;
  rebuildEventsPerSecond: number;
  peakRssMb: number;
  scanEventsPerSecond: number;
  /**
   * The same scan in stream order, as a stream-by-stream load reads the log (streamOrderScan): the
   * most a rebuild loaded that way can reach before it projects or writes anything.
   */
  streamScanEventsPerSecond: number;
  /** The same rebuild batch by batch (REBUILD_CATCH_UP=off, the path before catch-up mode), when measured. */
  batchPath?: RebuildRun;
  /** The same rebuild in catch-up mode read in log order only (REBUILD_CATCH_UP=log-order, before stream-by-stream loads), when measured. */
  logOrder?: RebuildRun;
}

const CLI = join(ROOT, 'dist/src/read-models/rebuild.cli.js');

/** Events per second of `select` (rows with data and metadata) on `file`, JSON.parse of both columns of each. */
function scan(file: string, select: string): number {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  let n = 0;
  for (const row of db.prepare(select).iterate() as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    n++;
  }
  db.close();
  return n / ((performance.now() - started) / 1000);
}

/** The baseline: a plain scan of the same log, JSON.parse of every event's data and metadata. */
function plainScan(file: string): number {
  return scan(file, 'SELECT data, metadata FROM events ORDER BY position');
}

/**
 * The plain scan's work in the order a stream-by-stream load reads the log (the events table's
 * `(stream_id, revision)` index, as SqliteEventReader.readInStreamOrder walks it). Each row is a
 * lookup in another page of the file where the plain scan reads pages in order.
 */
function streamOrderScan(file: string): number {
  return scan(file, "SELECT data, metadata FROM events WHERE (stream_id, revision) > ('', -1) ORDER BY stream_id, revision");
}

/** Runs the rebuild CLI (built, in its own process) on the data dir; returns its time and peak RSS. */
function runRebuildCli(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<{ seconds: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI], {
      cwd: ROOT,
      env: { ...process.env, ...env, DATA_DIR: dataDir },
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

/** Removes the read-models file (and its WAL), so that the next rebuild starts from nothing as the first did. */
function removeReadModels(dataDir: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `read-models.sqlite${suffix}`), { force: true });
}

/** How many events a log holds. */
function countEvents(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Generates a log of `total` events over `articles` articles (or copies the events.sqlite file
 * `existingLog` into `dataDir`, and counts its events), then rebuilds every read model from it:
 * batch by batch first (unless `batchPath` is false), in catch-up mode read in log order only
 * (with `logOrder`), then in catch-up mode as `npm run projections:rebuild` runs it, each from an
 * empty read-models file, so that they compare within one run.
 */
export async function rebuildBench(
  dataDir: string,
  total: number,
  articles: number,
  log: (line: string) => void,
  { batchPath = true, logOrder = false, existingLog }: { batchPath?: boolean; logOrder?: boolean; existingLog?: string } = {},
): Promise<RebuildResult> {
  const file = join(dataDir, 'events.sqlite');
  const generating = performance.now();
  let events: number;
  if (existingLog) {
    copyFileSync(existingLog, file);
    events = countEvents(file);
  } else {
    const store = new SqliteEventStore(file);
    let reported = 0;
    events = await generateLog(store, total, articles, (done) => {
      if (done - reported >= total / 10) log(`  generated ${(reported = done)} of ${total} events`);
    });
    await store.close();
  }
  const generateSeconds = (performance.now() - generating) / 1000;
  const scanEventsPerSecond = plainScan(file);
  const streamScanEventsPerSecond = streamOrderScan(file);
  log(
    `  plain scan + JSON.parse ${Math.round(scanEventsPerSecond)} events/s; in stream order ${Math.round(streamScanEventsPerSecond)} events/s ` +
      `(${(streamScanEventsPerSecond / scanEventsPerSecond).toFixed(2)}x)`,
  );
  const run = async (env: NodeJS.ProcessEnv): Promise<RebuildRun> => {
    removeReadModels(dataDir);
    const { seconds, peakRssMb } = await runRebuildCli(dataDir, env);
    return { seconds, eventsPerSecond: events / seconds, peakRssMb };
  };
  const batch = batchPath ? await run({ REBUILD_CATCH_UP: 'off' }) : undefined;
  if (batch) log(`  batch path: ${describe(batch, scanEventsPerSecond)}`);
  const inLogOrder = logOrder ? await run({ REBUILD_CATCH_UP: 'log-order' }) : undefined;
  if (inLogOrder) log(`  catch-up mode in log order: ${describe(inLogOrder, scanEventsPerSecond)}`);
  const catchUp = await run({});
  log(`  catch-up mode: ${describe(catchUp, scanEventsPerSecond)}`);
  return {
    events,
    generateSeconds,
    rebuildSeconds: catchUp.seconds,
    rebuildEventsPerSecond: catchUp.eventsPerSecond,
    peakRssMb: catchUp.peakRssMb,
    scanEventsPerSecond,
    streamScanEventsPerSecond,
    ...(batch ? { batchPath: batch } : {}),
    ...(inLogOrder ? { logOrder: inLogOrder } : {}),
  };
}

function describe(run: RebuildRun, scan: number): string {
  return `${Math.round(run.eventsPerSecond)} events/s (${(run.eventsPerSecond / scan).toFixed(3)}x the plain scan), ${run.seconds.toFixed(1)} s, peak RSS ${run.peakRssMb} MB`;
}

/**
 * Rebuild of every read model, batch path against catch-up mode, on generated logs (articles:
 * one per 100 events, at least 1,000, as bench/run.ts):
 *
 *   npm run build && node -r ts-node/register/transpile-only bench/rebuild.ts [events ...] [--catch-up-only] [--log-order] [--log FILE]
 *
 * Defaults to 100000 1000000. --log-order adds catch-up mode read in log order only (before
 * stream-by-stream loads); --log rebuilds a copy of an existing events.sqlite instead of
 * generating logs (generating a million events takes about ten minutes).
 */
async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const args = process.argv.slice(2);
  const logAt = args.indexOf('--log');
  const existingLog = logAt >= 0 ? args[logAt + 1] : undefined;
  if (logAt >= 0 && !existingLog) throw new Error('--log needs the path of an events.sqlite');
  const totals = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const batchPath = !args.includes('--catch-up-only');
  const logOrder = args.includes('--log-order');
  const rows: string[] = [];
  for (const total of existingLog ? [0] : totals.length > 0 ? totals : [100_000, 1_000_000]) {
    const dir = mkdtempSync(join(tmpdir(), `newsroom-rebuild-${total}-`));
    try {
      console.log(existingLog ? `the log in ${existingLog}` : `${total} events over ${Math.max(1_000, total / 100)} articles`);
      const r = await rebuildBench(dir, total, Math.max(1_000, total / 100), (line) => console.log(line), { batchPath, logOrder, existingLog });
      const scan = `plain scan + JSON.parse ${Math.round(r.scanEventsPerSecond)} events/s`;
      if (r.batchPath) rows.push(`${r.events} events, batch path:    ${describe(r.batchPath, r.scanEventsPerSecond)}; ${scan}`);
      if (r.logOrder) rows.push(`${r.events} events, catch-up mode in log order: ${describe(r.logOrder, r.scanEventsPerSecond)}; ${scan}`);
      rows.push(
        `${r.events} events, catch-up mode: ${describe({ seconds: r.rebuildSeconds, eventsPerSecond: r.rebuildEventsPerSecond, peakRssMb: r.peakRssMb }, r.scanEventsPerSecond)}; ${scan}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(rows.join('\n'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
