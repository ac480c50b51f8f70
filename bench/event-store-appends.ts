/**
 * Durable appends per second of the embedded store with 1 and with 64 concurrent appenders,
 * next to a raw better-sqlite3 loop of one durable (WAL, synchronous=FULL) transaction per
 * event, all in one run. Usage: npm run bench:appends [-- seconds]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { rawDurableLoop } from './lib/raw-sqlite';

const seconds = Number(process.argv[2] ?? 5);
const payload = { text: 'German Chancellor Friedrich Merz '.repeat(10) };

async function storeRate(dir: string, appenders: number): Promise<number> {
  const store = new SqliteEventStore(join(dir, `store-${appenders}.sqlite`));
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: appenders }, async (_, w) => {
      for (let revision = -1n; Date.now() < end; revision++) {
        const event = { id: randomUUID(), type: 'Bench', data: payload, metadata: {} };
        await store.appendToStream(`bench-${w}`, [event], revision < 0n ? 'no_stream' : revision);
        n++;
      }
    }),
  );
  await store.close();
  return n / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'newsroom-bench-'));
  try {
    const raw = rawDurableLoop(dir, seconds, payload);
    const one = await storeRate(dir, 1);
    const many = await storeRate(dir, 64);
    const row = (name: string, rate: number) => `| ${name} | ${rate.toFixed(0)} | ${(rate / raw).toFixed(2)}x |`;
    console.log(`| durable appends (${seconds} s each) | per second | vs raw |`);
    console.log('| --- | ---: | ---: |');
    console.log(row('raw better-sqlite3, one transaction per event', raw));
    console.log(row('embedded store, 1 appender', one));
    console.log(row('embedded store, 64 concurrent appenders', many));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
