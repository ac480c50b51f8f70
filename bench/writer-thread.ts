/**
 * The embedded store with its commits on a writer thread (this tree) against a store that commits
 * on the event loop (another checkout's src/, e.g. main's), in one run: durable appends per second
 * with 1 and with 64 concurrent appenders, the latency of one append at a time, and what the
 * appends leave of the event loop (perf_hooks: event-loop utilization, and the delay of a timer
 * sampled every 1 ms). Runs alternate between the two stores, `rounds` times.
 *
 * Usage: node -r ts-node/register/transpile-only bench/writer-thread.ts <other checkout> [seconds] [rounds]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventStore } from '../src/event-store/event-store.port';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';

const base = resolve(process.argv[2] ?? '/tmp/writer-base');
const seconds = Number(process.argv[3] ?? 5);
const rounds = Number(process.argv[4] ?? 2);
const payload = { text: 'German Chancellor Friedrich Merz '.repeat(10) };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BaseStore = require(join(base, 'src/event-store/sqlite-event-store')).SqliteEventStore as new (file: string) => EventStore;
const variants: Array<[string, (file: string) => EventStore]> = [
  ['on the loop (base)', (file) => new BaseStore(file)],
  ['writer thread (this tree)', (file) => new SqliteEventStore(file)],
];

interface Sample {
  rate: number;
  latencyP50: number;
  latencyP99: number;
  elu: number;
  delayP50: number;
  delayP99: number;
  delayMax: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function run(open: (file: string) => EventStore, dir: string, appenders: number): Promise<Sample> {
  const store = open(join(dir, `${randomUUID()}.sqlite`));
  // Warm: the writer thread started, the file's pages and statements in place.
  await store.appendToStream('warm', [{ id: randomUUID(), type: 'Bench', data: payload, metadata: {} }], 'no_stream');
  const latencies: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const eluBefore = performance.eventLoopUtilization();
  delay.enable();
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: appenders }, async (_, w) => {
      for (let revision = -1n; Date.now() < end; revision++) {
        const started = performance.now();
        await store.appendToStream(`bench-${w}`, [{ id: randomUUID(), type: 'Bench', data: payload, metadata: {} }], revision < 0n ? 'no_stream' : revision);
        latencies.push(performance.now() - started);
        n++;
      }
    }),
  );
  delay.disable();
  const elu = performance.eventLoopUtilization(eluBefore).utilization;
  await store.close();
  latencies.sort((a, b) => a - b);
  return {
    rate: n / seconds,
    latencyP50: quantile(latencies, 0.5),
    latencyP99: quantile(latencies, 0.99),
    elu,
    delayP50: delay.percentile(50) / 1e6,
    delayP99: delay.percentile(99) / 1e6,
    delayMax: delay.max / 1e6,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'newsroom-bench-writer-'));
  try {
    console.log(`base: ${base}; ${seconds} s per run, ${rounds} rounds, alternating`);
    console.log('| store | appenders | round | appends/s | append p50 ms | append p99 ms | loop utilization | loop delay p50 ms | p99 ms | max ms |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const appenders of [1, 64]) {
      for (let round = 1; round <= rounds; round++) {
        for (const [name, open] of variants) {
          const s = await run(open, dir, appenders);
          console.log(
            `| ${name} | ${appenders} | ${round} | ${s.rate.toFixed(0)} | ${s.latencyP50.toFixed(2)} | ${s.latencyP99.toFixed(2)} | ` +
              `${(s.elu * 100).toFixed(0)}% | ${s.delayP50.toFixed(2)} | ${s.delayP99.toFixed(2)} | ${s.delayMax.toFixed(2)} |`,
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
