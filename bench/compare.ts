/**
 * `npm run bench:compare -- <git-ref>|floor [--seconds N] [--rounds N] [--warmup N]`: the HTTP load of
 * bench/http-load.ts (64 clients PUTting bodies with If-Match, the projection-lag probe, then
 * GET /health; with --warmup, N seconds of the same load first, uncounted) against the build of
 * `<git-ref>` and the build of this checkout, taking turns (old, new, old, new, …) in one run,
 * so that both meet the same noisy machine. Prints each round and the medians, with new/old
 * ratios. Not a test: nothing here asserts.
 *
 * `floor` instead of a git ref runs bench/lib/floor-server.ts as the "old" side: the same load on a
 * server that does only what every durable command must on this stack (NestJS on Fastify, the
 * JSON body, a group-committed fsynced append on a writer thread, a JSON answer), so that the
 * ratios say what this checkout's server costs as a multiple of that floor. The floor has no
 * projection (its read model is a Map set at the acknowledgement), so its "projection lag" is a
 * plain read's round trip: those two rows get no ratio.
 *
 * The baseline is checked out with `git worktree add --detach` under the system temp directory
 * (kept between runs, keyed by commit) and installed with its own `npm ci`, since its
 * dependencies may differ (e.g. Express before Fastify); that install needs the npm registry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpLoad, LoadResult } from './http-load';
import { ROOT, startServer } from './lib/server';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const ref = args.find((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
const seconds = option('--seconds', 10);
const rounds = option('--rounds', 2);
const warmup = option('--warmup', 0);
const log = (line: string) => process.stderr.write(`${line}\n`);
const git = (...argv: string[]) => execFileSync('git', argv, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The baseline's checkout, installed and built (dist/), under the temp directory. */
function baselineCheckout(commit: string): string {
  const dir = join(tmpdir(), `newsroom-baseline-${commit.slice(0, 12)}`);
  if (!existsSync(join(dir, 'dist/src/main.js'))) {
    if (!existsSync(dir)) git('worktree', 'add', '--detach', dir, commit);
    log(`installing and building ${commit.slice(0, 12)} in ${dir}`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dir;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  if (!ref) throw new Error('usage: npm run bench:compare -- <git-ref>|floor [--seconds N] [--rounds N] [--warmup N]');
  const floor = ref === 'floor';
  const commit = floor ? 'floor' : git('rev-parse', `${ref}^{commit}`);
  const head = git('rev-parse', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const roots = { old: floor ? ROOT : baselineCheckout(commit), new: ROOT };
  const starts = {
    old: floor ? { nodeArgs: ['-r', 'ts-node/register/transpile-only'], entry: 'bench/lib/floor-server.ts' } : { nodeArgs: [], entry: undefined },
    new: { nodeArgs: [], entry: undefined },
  };
  const results: Record<'old' | 'new', LoadResult[]> = { old: [], new: [] };
  const work = mkdtempSync(join(tmpdir(), 'newsroom-compare-'));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const side of ['old', 'new'] as const) {
        const server = await startServer(mkdtempSync(join(work, `${side}-`)), {}, starts[side].nodeArgs, roots[side], starts[side].entry);
        const result = await httpLoad(server, seconds, 64, warmup).finally(() => server.stop());
        results[side].push(result);
        log(
          `round ${round} ${side}: ${result.commandsPerSecond.toFixed(0)} commands/s, ${result.cpuPerCommandUs.toFixed(0)} µs CPU each, ` +
            `p99 ${result.p99Ms} ms, lag p99 ${result.lag.p99Ms.toFixed(1)} ms; /health ${result.healthPerSecond.toFixed(0)}/s, ` +
            `${result.cpuPerHealthUs.toFixed(0)} µs CPU each; µs per command by thread (id - pid): ` +
            result.threadCpuPerCommandUs.map(({ thread, us }) => `${thread}:${us.toFixed(0)}`).join(' '),
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const figures: Array<[string, (r: LoadResult) => number, number]> = [
    ['durable commands /s, 64 clients', (r) => r.commandsPerSecond, 0],
    ['server CPU per request in the command window (µs)', (r) => r.cpuPerCommandUs, 0],
    ['command latency p50 (ms)', (r) => r.p50Ms, 1],
    ['command latency p99 (ms)', (r) => r.p99Ms, 1],
    ['projection lag p50 (ms)', (r) => r.lag.p50Ms, 1],
    ['projection lag p99 (ms)', (r) => r.lag.p99Ms, 1],
    ['GET /health /s, 64 clients', (r) => r.healthPerSecond, 0],
    ['server CPU per GET /health (µs)', (r) => r.cpuPerHealthUs, 0],
  ];
  const rows = figures.map(([name, pick, digits]) => {
    const [old, now] = [median(results.old.map(pick)), median(results.new.map(pick))];
    const ratio = floor && name.startsWith('projection lag') ? 'n/a (no projection on the floor)' : `${(now / old).toFixed(2)}x`;
    return `| ${name} | ${old.toFixed(digits)} | ${now.toFixed(digits)} | ${ratio} |`;
  });
  console.log(
    `| figure (median of ${rounds} rounds, ${seconds} s each${warmup > 0 ? ` after ${warmup} s of warm-up` : ''}) | ${floor ? 'floor' : commit.slice(0, 7)} | ${head.slice(0, 7)}${dirty ? '+' : ''} | ${floor ? 'server / floor' : 'new / old'} |`,
  );
  console.log('| --- | ---: | ---: | ---: |');
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
