/**
 * `npm run bench [-- --large] [-- --seconds N]`: every figure next to its baseline, measured in
 * one run on this machine; prints a markdown table and writes bench/results.json.
 * Not a test: nothing here asserts; the goals are reported, met or not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { measureLongStreams } from './audit-latency';
import { httpLoad } from './http-load';
import * as appendsBench from './lib/appends';
import { rawDurableLoop } from './lib/raw-sqlite';
import { startServer } from './lib/server';
import { rebuildBench, RebuildResult } from './rebuild';
import { asOfBench, asOfRows, AsOfResult } from './as-of';
import { worstCases } from './worst-case';

const args = process.argv.slice(2);
const large = args.includes('--large');
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 15;
const payload = { body: [{ id: 'b1', type: 'paragraph', text: 'German Chancellor Friedrich Merz spoke with allies. '.repeat(4) }] };
const log = (line: string) => process.stderr.write(`${line}\n`);
const fixed = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
// A figure with no samples (a case over before its first /health) has no ratio: "-".
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'newsroom-bench-'));
  const started = Date.now();
  try {
    log('1/6 storage: raw durable loop, embedded store, emmett-sqlite');
    const raw = rawDurableLoop(work, Math.min(seconds, 5), payload);
    const appends = {
      raw,
      embedded1: await appendsBench.embeddedAppendRate(work, 1, 5, payload),
      embedded64: await appendsBench.embeddedAppendRate(work, 64, 5, payload),
      emmett1: await appendsBench.emmettAppendRate(work, 1, 5, payload),
      emmett64: await appendsBench.emmettAppendRate(work, 64, 5, payload),
    };

    log(`2/5 HTTP: 64 clients editing their own articles for ${seconds} s, GET /health, projection lag`);
    const serverDir = mkdtempSync(join(work, 'server-'));
    const server = await startServer(serverDir);
    const load = await httpLoad(server, seconds).finally(() => server.stop());

    log('3/6 long streams: command and diff latency at 10 and 10,000 events');
    const streams = await measureLongStreams([10, 10_000]);

    log('4/6 rebuilds: generated logs of 100k and 1M events (and 5M with --large); as-of reads on each (bench/as-of.ts)');
    const scales = large ? [100_000, 1_000_000, 5_000_000] : [100_000, 1_000_000];
    const rebuilds: RebuildResult[] = [];
    const asOfs: AsOfResult[] = [];
    for (const total of scales) {
      const dir = mkdtempSync(join(work, `rebuild-${total}-`));
      rebuilds.push(await rebuildBench(dir, total, Math.max(1_000, total / 100), log));
      asOfs.push(await asOfBench(dir, rebuilds[rebuilds.length - 1].events, log));
      rmSync(dir, { recursive: true, force: true });
    }

    log('5/6 worst cases at maximum sizes, with GET /health every 10 ms');
    const worst = await worstCases(log);

    log('6/6 report');
    const [short, long] = streams;
    const at1m = rebuilds.find((r) => r.events >= 1_000_000) ?? rebuilds[rebuilds.length - 1];
    const rows = [
      [
        'durable commands over HTTP, 64 clients',
        `${fixed(load.commandsPerSecond)} /s, server CPU ${fixed(load.cpuPerCommandUs)} µs each`,
        `raw one-transaction-per-event loop ${fixed(raw)} /s`,
        ratio(load.commandsPerSecond, raw),
        '>= 1.0x',
      ],
      ['command latency p50 / p99, 64 clients', `${fixed(load.p50Ms, 1)} / ${fixed(load.p99Ms, 1)} ms`, '', '', 'p99 <= 50 ms'],
      [
        'HTTP ceiling: GET /health, 64 clients',
        `${fixed(load.healthPerSecond)} /s, server CPU ${fixed(load.cpuPerHealthUs)} µs each`,
        '',
        ratio(load.commandsPerSecond, load.healthPerSecond),
        'commands: <= 250 µs CPU each',
      ],
      [
        'projection lag p50 / p99 under that load',
        `${fixed(load.lag.p50Ms, 1)} / ${fixed(load.lag.p99Ms, 1)} ms`,
        `plain read p50 / p99 ${fixed(load.plainRead.p50Ms, 1)} / ${fixed(load.plainRead.p99Ms, 1)} ms (${load.lag.samples} samples)`,
        '',
        'p99 <= 100 ms',
      ],
      [
        'embedded store appends, 1 / 64 appenders',
        `${fixed(appends.embedded1)} / ${fixed(appends.embedded64)} /s`,
        `raw ${fixed(raw)} /s`,
        `${ratio(appends.embedded1, raw)} / ${ratio(appends.embedded64, raw)}`,
        '',
      ],
      [
        'peer: emmett-sqlite appends, 1 / 64 appenders',
        `${fixed(appends.emmett1)} / ${fixed(appends.emmett64)} /s`,
        `raw ${fixed(raw)} /s; ${appendsBench.emmettRetries} retried on SQLITE_BUSY`,
        `${ratio(appends.emmett1, raw)} / ${ratio(appends.emmett64, raw)}`,
        '',
      ],
      [
        'command p50 at 10,000 events vs 10',
        `${fixed(long.commandP50Ms, 1)} vs ${fixed(short.commandP50Ms, 1)} ms`,
        `first command ${fixed(long.commandFirstMs)} vs ${fixed(short.commandFirstMs)} ms`,
        ratio(long.commandP50Ms, short.commandP50Ms),
        '<= 1.5x',
      ],
      [
        'diff 0→last p50 at 10,000 events vs 10',
        `${fixed(long.diffWholeP50Ms, 1)} vs ${fixed(short.diffWholeP50Ms, 1)} ms`,
        '',
        ratio(long.diffWholeP50Ms, short.diffWholeP50Ms),
        'linear',
      ],
      // Each size's catch-up row, then its batch path's (when measured) right under it.
      ...rebuilds.flatMap((r) => [
        [
          `rebuild of all read models, ${fixed(r.events)} events`,
          `${fixed(r.rebuildEventsPerSecond)} /s, peak RSS ${r.peakRssMb} MB`,
          `plain scan + JSON.parse ${fixed(r.scanEventsPerSecond)} /s`,
          ratio(r.rebuildEventsPerSecond, r.scanEventsPerSecond),
          r === at1m ? '>= 0.4x, <= 300 MB' : '',
        ],
        [
          `  the same scan in stream order (what a stream-by-stream load reads first)`,
          `${fixed(r.streamScanEventsPerSecond)} /s`,
          `plain scan + JSON.parse ${fixed(r.scanEventsPerSecond)} /s`,
          ratio(r.streamScanEventsPerSecond, r.scanEventsPerSecond),
          '',
        ],
        ...(r.batchPath
          ? [
              [
                `  the same, batch by batch (before catch-up mode)`,
                `${fixed(r.batchPath.eventsPerSecond)} /s, peak RSS ${r.batchPath.peakRssMb} MB`,
                `plain scan + JSON.parse ${fixed(r.scanEventsPerSecond)} /s`,
                ratio(r.batchPath.eventsPerSecond, r.scanEventsPerSecond),
                '',
              ],
            ]
          : []),
      ]),
    ];
    for (const row of asOfs.flatMap(asOfRows)) rows.push(row);
    // A case over before the first /health was due has no samples: shown as "-".
    const ms = (n: number) => (Number.isFinite(n) ? fixed(n, 1) : '-');
    rows.push(['GET /health p50 / p99, idle server', `${ms(worst.idleHealth.p50Ms)} / ${ms(worst.idleHealth.p99Ms)} ms`, '', '', '']);
    for (const c of worst.cases) {
      rows.push([
        `worst case: ${c.name}`,
        `${c.runsMs.map((r) => fixed(r)).join(', ')} ms`,
        `GET /health meanwhile p50 / p99 ${ms(c.health.p50Ms)} / ${ms(c.health.p99Ms)} ms`,
        ratio(c.health.p99Ms, worst.idleHealth.p99Ms),
        '/health p99 <= 100 ms',
      ]);
    }
    const table = [
      '| figure | measured | baseline (same run) | ratio | goal |',
      '| --- | ---: | --- | ---: | --- |',
      ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    ].join('\n');
    console.log(table);
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
    console.log(
      `\n${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    );
    writeFileSync(
      join(__dirname, 'results.json'),
      JSON.stringify({ at: new Date().toISOString(), machine, seconds, appends, load, streams, rebuilds, asOfs, worst, table }, null, 2) + '\n',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
