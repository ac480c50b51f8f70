/**
 * The worst case of each read and command at API.md's maximum sizes, one at a time, with GET
 * /health fired at a steady rate throughout (open loop: one every 10 ms whatever the answers, so
 * a stalled event loop shows in the latencies instead of in fewer samples). Reports each
 * operation's time and the /health p50 / p99 / max while it ran, beside /health on an idle server.
 *
 * `node -r ts-node/register/transpile-only bench/worst-case.ts [--root DIR]` (after `npm run build`), or as part of
 * `npm run bench`. `--root` runs the server built in another checkout (its dist/), e.g. an older
 * commit's worktree, so that two builds can be compared on the same machine one after the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SEARCH_WORDS } from '../src/read-models/api/queries/search-quotes.query';
import { api, BenchServer, percentile, ROOT, startServer } from './lib/server';

export interface WorstCase {
  name: string;
  /** Each run of the operation, in ms. */
  runsMs: number[];
  health: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
}

export interface WorstCaseResult {
  idleHealth: WorstCase['health'];
  cases: WorstCase[];
}

const BLOCKS = 500;
const BLOCK_CHARS = 20_000;
/** Words that never repeat, so a rewrite is the word diff's worst case (every word changed). */
const words = (seed: string, chars: number) => {
  let text = '';
  for (let i = 0; text.length < chars; i++) text += `${seed}${i.toString(36)} `;
  return text.slice(0, chars);
};
const cyrillic = (n: number) => 'ж'.repeat(n);

/** Fires GET /health every `everyMs` until stopped; the latencies of the answers that came back. */
function healthProbe(server: BenchServer, everyMs = 10): { stop(): Promise<number[]> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  const { hostname, port } = new URL(server.url);
  const fire = () => {
    const sent = performance.now();
    const done = new Promise<void>((resolve) => {
      const req = request({ host: hostname, port, path: '/health', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - sent);
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end();
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const timer = setInterval(fire, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      agent.destroy();
      return latencies.sort((a, b) => a - b);
    },
  };
}

function summary(latencies: number[]): WorstCase['health'] {
  return { samples: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1] ?? NaN };
}

async function timed(name: string, server: BenchServer, runs: number, operation: (run: number) => Promise<unknown>): Promise<WorstCase> {
  const probe = healthProbe(server);
  const runsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await operation(run);
    runsMs.push(performance.now() - started);
  }
  return { name, runsMs, health: summary(await probe.stop()) };
}

export async function worstCases(log: (line: string) => void = () => undefined, runs = 3, root = ROOT): Promise<WorstCaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'newsroom-worst-'));
  const server = await startServer(dir, {}, [], root);
  try {
    const idle = healthProbe(server);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleHealth = summary(await idle.stop());
    const cases: WorstCase[] = [];
    const add = async (name: string, operation: (run: number) => Promise<unknown>, times = runs) => {
      log(`  ${name}`);
      cases.push(await timed(name, server, times, operation));
    };

    const maxBody = (text: (i: number) => string) => Array.from({ length: BLOCKS }, (_, i) => ({ id: `p${i}`, type: 'paragraph', text: text(i) }));
    const article = {
      headline: cyrillic(300),
      standfirst: cyrillic(600),
      body: maxBody(() => cyrillic(BLOCK_CHARS)),
      byline: Array.from({ length: 20 }, () => cyrillic(200)),
    };
    let id = '';
    let revision = 0;
    let position = '';
    await add('POST /api/articles: 500 blocks of 20,000 Cyrillic characters (18 MB)', async () => {
      const created = await api<{ articleId: string; revision: number; position: string }>(server, 'POST', '/api/articles', article);
      ({ articleId: id, revision, position } = created);
    });
    await add('PUT .../body: the whole maximum body rewritten', async (run) => {
      const edited = await api<{ revision: number; position: string }>(
        server,
        'PUT',
        `/api/articles/${id}/body`,
        { body: maxBody((i) => words(`r${run}b${i}x`, BLOCK_CHARS)) },
        revision,
      );
      ({ revision, position } = edited);
    });
    await api(server, 'GET', `/api/articles/${id}?minPosition=${position}`);
    await add('GET /api/articles/{id}: the maximum article', () => api(server, 'GET', `/api/articles/${id}`));
    await add('GET .../revisions/{n}: the maximum article', () => api(server, 'GET', `/api/articles/${id}/revisions/${revision}`));
    await add('GET .../diff: 500 maximum blocks rewritten whole (word-diff budget)', () =>
      api(server, 'GET', `/api/articles/${id}/diff?from=${revision - 1}&to=${revision}`),
    );
    await add('GET .../blame: the maximum article', () => api(server, 'GET', `/api/articles/${id}/blame`));
    await add('GET .../history?limit=500', () => api(server, 'GET', `/api/articles/${id}/history?limit=500`));

    const small = await api<{ articleId: string; revision: number }>(server, 'POST', '/api/articles', {
      headline: 'Ten long paragraphs',
      body: maxBody((i) => words(`a${i}x`, BLOCK_CHARS)).slice(0, 10),
    });
    const rewritten = await api<{ revision: number }>(
      server,
      'PUT',
      `/api/articles/${small.articleId}/body`,
      { body: maxBody((i) => words(`b${i}y`, BLOCK_CHARS)).slice(0, 10) },
      small.revision,
    );
    await add('GET .../diff: 10 paragraphs of 20,000 characters rewritten whole', () =>
      api(server, 'GET', `/api/articles/${small.articleId}/diff?from=0&to=${rewritten.revision}`),
    );

    await api(server, 'POST', `/api/articles/${id}/publish`, { reason: 'Bench' }, revision);
    revision++;
    await add('POST .../corrections: a maximum body and headline', async (run) => {
      const corrected = await api<{ revision: number }>(
        server,
        'POST',
        `/api/articles/${id}/corrections`,
        {
          kind: 'correction',
          note: cyrillic(2_000),
          headline: cyrillic(299) + run,
          body: maxBody((i) => words(`c${run}b${i}z`, BLOCK_CHARS)),
        },
        revision,
      );
      revision = corrected.revision;
    });
    // The most a search may hold: MAX_SEARCH_WORDS distinct words filling the 1,000-character query.
    const longWords = Array.from({ length: MAX_SEARCH_WORDS }, (_, i) => `ж${i.toString(36)}`.padEnd(Math.floor(1_000 / MAX_SEARCH_WORDS) - 1, 'ж')).join(' ');
    await add(`GET /api/quotes?q=: ${MAX_SEARCH_WORDS} distinct words, 1,000 characters`, () =>
      api(server, 'GET', `/api/quotes?q=${encodeURIComponent(longWords)}`),
    );
    await add('GET /api/articles?limit=500', () => api(server, 'GET', '/api/articles?limit=500'));
    return { idleHealth, cases };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const rootAt = process.argv.indexOf('--root');
  worstCases((line) => process.stderr.write(`${line}\n`), 3, rootAt > 0 ? process.argv[rootAt + 1] : ROOT)
    .then(({ idleHealth, cases }) => {
      const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
      console.log('| operation | runs (ms) | /health p50 / p99 / max (ms) |');
      console.log('| --- | ---: | ---: |');
      console.log(`| idle server | | ${ms(idleHealth.p50Ms)} / ${ms(idleHealth.p99Ms)} / ${ms(idleHealth.maxMs)} |`);
      for (const c of cases)
        console.log(`| ${c.name} | ${c.runsMs.map((r) => r.toFixed(0)).join(', ')} | ${ms(c.health.p50Ms)} / ${ms(c.health.p99Ms)} / ${ms(c.health.maxMs)} |`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
