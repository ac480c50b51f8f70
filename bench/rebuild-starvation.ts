/**
 * A ?minPosition read after a write, while every read model is rebuilt over a log holding a few
 * maximum-size articles (500 blocks of 20,000 four-byte characters: ~40 MB of UTF-8 each), beside
 * the same read with no rebuild. Before the rebuilds ran on a thread of their own, such a read
 * waited behind the rebuild's apply of a huge event (seconds). Not a test: nothing asserts.
 *
 * `npm run build && node -r ts-node/register/transpile-only bench/rebuild-starvation.ts [baseline-root ...]`
 * Each root (default: this checkout) is a built checkout (its dist/); every root runs on a copy of
 * the same data directory (the log, and the read models built from it), taking turns, in one run.
 * Options: --huge N (default 3) articles of ~40 MB; --rounds N (default 1).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paragraph, REPORTER, events } from '../projections/test-support/article-events';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { PROJECTIONS } from '../src/read-models/projections.registry';
import { appendArticle, seedStories } from '../test/read-models/support/seed';
import { api, BenchServer, percentile, ROOT, startServer } from './lib/server';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const roots = args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
const huge = option('--huge', 3);
const rounds = option('--rounds', 1);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The largest body API.md allows: 500 blocks of 20,000 characters, each a four-byte one. */
const maximumBody = (seed: string) => [paragraph('p0', seed), ...Array.from({ length: 499 }, (_, i) => paragraph(`p${i + 1}`, '😀'.repeat(20_000)))];

interface Latencies {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Reads answered 504 (the read models did not reach the position within 5 s). */
  timeouts: number;
}

function summary(ms: number[], timeouts: number): Latencies {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n);
  return {
    samples: ms.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    timeouts,
  };
}

/** One write (a small draft), then the read of it with ?minPosition: the read's time, or null for a 504. */
async function writeThenRead(server: BenchServer, n: number): Promise<number | null> {
  const { articleId, position } = await api<{ articleId: string; position: string }>(server, 'POST', '/api/articles', {
    headline: `Written ${n}`,
    body: [{ type: 'paragraph', text: 'Small.' }],
  });
  const started = performance.now();
  const response = await fetch(`${server.url}/api/articles/${articleId}?minPosition=${position}`, { headers: { Authorization: `Bearer ${server.token}` } });
  await response.arrayBuffer();
  if (response.status === 504) return null;
  if (!response.ok) throw new Error(`GET: ${response.status}`);
  return performance.now() - started;
}

type Status = { name: string; generation: number; status: string; rebuild?: { done: number; total: number } };

interface Run {
  idle: Latencies;
  rebuilding: Latencies;
  rebuildSeconds: number;
  slow: Array<{ atSeconds: number; ms: number | null }>;
  swappedAtSeconds: Record<string, number>;
}

async function run(root: string, dataDir: string): Promise<Run> {
  const server = await startServer(dataDir, {}, [], root);
  try {
    // The live read models were built before the copy: only the writes below are new.
    let n = 0;
    const idle: number[] = [];
    for (let i = 0; i < 30; i++) idle.push((await writeThenRead(server, n++))!);
    const started = performance.now();
    for (const { name } of PROJECTIONS) await api(server, 'POST', `/api/projections/${name}/rebuild`);
    const during: number[] = [];
    let timeouts = 0;
    const at = () => Math.round(performance.now() - started) / 1000;
    /** The reads over 250 ms, and when each projection swapped, in seconds since the rebuilds started. */
    const slow: Array<{ atSeconds: number; ms: number | null }> = [];
    const swappedAtSeconds: Record<string, number> = {};
    for (;;) {
      const ms = await writeThenRead(server, n++);
      if (ms === null) timeouts++;
      else during.push(ms);
      if (ms === null || ms > 250) slow.push({ atSeconds: at(), ms: ms && Math.round(ms) });
      const statuses = await api<Status[]>(server, 'GET', '/api/projections');
      for (const s of statuses) if (!s.rebuild && swappedAtSeconds[s.name] === undefined) swappedAtSeconds[s.name] = at();
      if (statuses.every((s) => !s.rebuild)) break;
    }
    return { idle: summary(idle, 0), rebuilding: summary(during, timeouts), rebuildSeconds: at(), slow, swappedAtSeconds };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'newsroom-starve-'));
  try {
    const template = join(work, 'template');
    log(`writing the log: 2,000 small events and ${huge} articles of ~40 MB`);
    const store = new SqliteEventStore(join(template, 'events.sqlite'));
    await seedStories(store, 2000);
    for (let i = 0; i < huge; i++) {
      const id = `00000000-0000-4000-9000-${i.toString().padStart(12, '0')}`;
      await appendArticle(store, id, REPORTER, events.drafted(id, { headline: `Huge ${i}`, body: maximumBody(`huge${i}`) }));
      await seedStories(store, 200, 10 + i);
    }
    await store.close();
    log('building the live read models once (this checkout)');
    const first = await startServer(template, {}, [], ROOT);
    for (;;) {
      const statuses = await api<Array<Status & { lagEvents: number }>>(first, 'GET', '/api/projections');
      if (statuses.every((s) => s.lagEvents === 0 && s.status === 'live')) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await first.stop();

    const sides = roots.length > 0 ? roots : [ROOT];
    for (let round = 1; round <= rounds; round++) {
      for (const root of sides) {
        const dataDir = join(work, `run-${round}-${sides.indexOf(root)}`);
        cpSync(template, dataDir, { recursive: true });
        const result = await run(root, dataDir);
        rmSync(dataDir, { recursive: true, force: true });
        const line = (l: Latencies) => `p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, max ${l.maxMs} ms over ${l.samples}, ${l.timeouts} timed out`;
        log(`round ${round} ${root}: rebuild ${result.rebuildSeconds.toFixed(1)} s`);
        log(`  no rebuild:   ${line(result.idle)}`);
        log(`  rebuilding:   ${line(result.rebuilding)}`);
        log(`  over 250 ms:  ${result.slow.map((r) => `${r.ms ?? 'timeout'} ms at ${r.atSeconds} s`).join(', ') || 'none'}`);
        log(
          `  swapped at:   ${Object.entries(result.swappedAtSeconds)
            .map(([name, s]) => `${name} ${s} s`)
            .join(', ')}`,
        );
        process.stdout.write(`${JSON.stringify({ round, root, ...result })}\n`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
