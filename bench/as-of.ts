/**
 * As-of reads (issue #15, section 1) against the same reads of today, on one generated log, in one
 * run: each figure is a ratio to its baseline. The server (built, in its own process) serves a
 * data dir whose read models the rebuild CLI has built; every request is sent one at a time, so
 * latencies are the server's own work, not queueing.
 *
 *   npm run build && node -r ts-node/register/transpile-only bench/as-of.ts [events]   # default 100,000
 *
 * `npm run bench` calls asOfBench after each rebuild figure (100k and 1M events).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuildBench } from './rebuild';
import { BenchServer, startServer } from './lib/server';

/** Median and 99th percentile of one kind of request, in milliseconds. */
export interface Latency {
  p50Ms: number;
  p99Ms: number;
}

export interface AsOfPair {
  name: string;
  asOf: Latency;
  baseline: Latency;
}

export interface AsOfResult {
  events: number;
  requestsEach: number;
  pairs: AsOfPair[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(server: BenchServer, paths: string[]): Promise<Latency> {
  const times: number[] = [];
  for (const path of paths) {
    const started = performance.now();
    const response = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${server.token}` } });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

/** The first and last occurredAt of the log (ms), and some article ids, read from the store's file. */
function logFacts(file: string, articles: number): { first: number; last: number; ids: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const time = (order: 'ASC' | 'DESC') =>
      Date.parse((db.prepare(`SELECT json_extract(metadata, '$.occurredAt') AS at FROM events ORDER BY position ${order} LIMIT 1`).get() as { at: string }).at);
    const rows = db.prepare("SELECT DISTINCT stream_id AS stream FROM events WHERE stream_id LIKE 'article-%' LIMIT ?").all(articles) as Array<{
      stream: string;
    }>;
    return { first: time('ASC'), last: time('DESC'), ids: rows.map((r) => r.stream.slice('article-'.length)) };
  } finally {
    db.close();
  }
}

/**
 * Starts the built server on `dataDir` (a log with its read models built), then times, `n`
 * requests each: the as-of article list (status=published, a page of 50) at instants spread over
 * the log against the list of today; an article as of an instant against the article of today
 * (each a different article, at the middle of the log); the corrections feed and the quotes as of
 * an instant against today's.
 */
export async function asOfBench(dataDir: string, events: number, log: (line: string) => void, n = 200): Promise<AsOfResult> {
  const { first, last, ids } = logFacts(join(dataDir, 'events.sqlite'), n);
  const instants = Array.from({ length: n }, (_, i) => new Date(first + ((last - first) * (i + 0.5)) / n).toISOString());
  const middle = new Date((first + last) / 2).toISOString();
  const server = await startServer(dataDir);
  try {
    const pairs: AsOfPair[] = [];
    const pair = async (name: string, asOf: string[], baseline: string[]) => {
      // One warm-up pass of each, so that neither side pays for the first prepared statement.
      await timed(server, [asOf[0], baseline[0]]);
      pairs.push({ name, asOf: await timed(server, asOf), baseline: await timed(server, baseline) });
      log(`  ${name}: as-of p50 ${pairs[pairs.length - 1].asOf.p50Ms.toFixed(2)} ms, today ${pairs[pairs.length - 1].baseline.p50Ms.toFixed(2)} ms`);
    };
    const list = '/api/articles?status=published&limit=50';
    await pair(
      'article list, status=published, 50 a page',
      instants.map((t) => `${list}&asOf=${t}`),
      instants.map(() => list),
    );
    await pair(
      'one article',
      ids.map((id) => `/api/articles/${id}?asOf=${middle}`),
      ids.map((id) => `/api/articles/${id}`),
    );
    await pair(
      'corrections feed, 50 a page',
      instants.map((t) => `/api/corrections?asOf=${t}`),
      instants.map(() => '/api/corrections'),
    );
    await pair(
      'quotes, 50 a page',
      instants.map((t) => `/api/quotes?asOf=${t}`),
      instants.map(() => '/api/quotes'),
    );
    return { events, requestsEach: n, pairs };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100_000);
  const work = mkdtempSync(join(tmpdir(), 'newsroom-as-of-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const rebuilt = await rebuildBench(work, total, Math.max(1_000, total / 100), log);
    log(`rebuilt ${rebuilt.events} events in ${rebuilt.rebuildSeconds.toFixed(1)} s (peak RSS ${rebuilt.peakRssMb} MB)`);
    const result = await asOfBench(work, rebuilt.events, log);
    console.log(
      asOfRows(result)
        .map((cells) => `| ${cells.join(' | ')} |`)
        .join('\n'),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Table rows for bench/run.ts's report: figure, measured, baseline, ratio, goal. */
export function asOfRows(result: AsOfResult): string[][] {
  const ms = (l: Latency) => `${l.p50Ms.toFixed(2)} / ${l.p99Ms.toFixed(2)} ms`;
  return result.pairs.map((p) => [
    `as-of read p50 / p99, ${p.name}, ${result.events.toLocaleString('en')} events`,
    ms(p.asOf),
    `the same read of today ${ms(p.baseline)}`,
    `${(p.asOf.p50Ms / p.baseline.p50Ms).toFixed(2)}x`,
    '',
  ]);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
