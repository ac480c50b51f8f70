/**
 * What a maximum-size article (500 blocks of 20,000 Cyrillic characters: 10 million UTF-16 code
 * units, 20 MB of UTF-8) costs the event loop in the UTF-8 steps of a write, done whole and a
 * piece per turn (src/common/in-turns.ts): for each, the total time and the longest time the event
 * loop was held in one go (the most any other request waits behind it). Each figure is the median
 * of 5 runs after one warm-up. Prints numbers; asserts nothing.
 * Usage: node -r ts-node/register/transpile-only bench/large-write-pieces.ts
 */
import { createHash } from 'node:crypto';
import { sha256HexInTurns, utf8TextInTurns } from '../src/common/in-turns';

const text = JSON.stringify({
  headline: 'ж'.repeat(300),
  body: Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, type: 'paragraph', text: 'ж'.repeat(20_000) })),
});
const bytes = Buffer.from(text, 'utf8');

/** Total ms and the longest ms between two turns of the event loop, while `work` runs. */
async function held(work: () => unknown): Promise<{ totalMs: number; longestMs: number }> {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  last = started;
  await work();
  const totalMs = performance.now() - started;
  longest = Math.max(longest, performance.now() - last);
  running = false;
  return { totalMs, longestMs: longest };
}

/** The median of 5 runs of `work` on a fresh input from `input` (made before the clock starts), after one warm-up. */
async function median<T>(input: () => T, work: (value: T) => unknown): Promise<{ totalMs: number; longestMs: number }> {
  const runs = [];
  for (let i = 0; i < 6; i++) {
    const value = input();
    const run = await held(() => work(value));
    if (i > 0) runs.push(run);
  }
  const mid = (values: number[]) => values.sort((a, b) => a - b)[2];
  return { totalMs: mid(runs.map((r) => r.totalMs)), longestMs: mid(runs.map((r) => r.longestMs)) };
}

async function main(): Promise<void> {
  // A new string for each run, joined from the blocks' JSON the way a serialiser joins them (a
  // rope, as canonicalJson returns): V8 flattens a rope the first time its characters are read, and
  // keeps the flat form, which would hide that cost from every run after the first.
  const pieces = text.match(/.{1,20000}/gsu)!;
  const rope = () => pieces.reduce((joined, piece) => joined + piece, '');
  const whole = () => bytes;
  const rows: Array<[string, { totalMs: number; longestMs: number }]> = [
    ['decode the body: toString', await median(whole, (b) => b.toString('utf8'))],
    ['decode the body: utf8TextInTurns', await median(whole, (b) => utf8TextInTurns(b))],
    ["chain hash: update(text, 'utf8')", await median(rope, (t) => createHash('sha256').update(t, 'utf8').digest('hex'))],
    ['chain hash: sha256HexInTurns', await median(rope, (t) => sha256HexInTurns(t))],
  ];
  console.log(`| step (${bytes.length} bytes of UTF-8) | total (ms) | longest hold of the event loop (ms) |`);
  console.log('| --- | ---: | ---: |');
  for (const [name, r] of rows) console.log(`| ${name} | ${r.totalMs.toFixed(1)} | ${r.longestMs.toFixed(1)} |`);
}

void main();
