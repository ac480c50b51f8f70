/**
 * Command and audit latency on an article with a short and with a long history, in one run:
 * PUT headline over HTTP (If-Match) and GET diff, on articles of 10, 1,000 and 10,000 revisions.
 * The long history is appended straight to the event store (with the metadata commands write),
 * so setup takes seconds. Usage: node -r ts-node/register/transpile-only bench/audit-latency.ts
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.setup';
import { ARTICLE_EVENT_SCHEMA_VERSIONS, ArticleEvent, BodyBlock } from '../src/articles/domain/article.events';
import { sha256Hex } from '../src/auth/users';
import { loadConfig } from '../src/config/app-config';
import { EVENT_STORE, EventStore, EventToAppend } from '../src/event-store/event-store.port';

// 1,000 sits between the two sizes asked for, to show the growth is linear.
const SIZES = [10, 1_000, 10_000];
const COMMANDS = 30;
const DIFFS = 10;
const BATCH = 500;
const TOKEN = 'bench-editor-token';
const EDITOR = { id: 'u-bench-editor', name: 'Bench Editor' };

const paragraph = (i: number, take: number): BodyBlock => ({
  id: `b-${i}`,
  type: 'paragraph',
  text: `Paragraph ${i}, take ${take}: German Chancellor Friedrich Merz spoke with allies after the talks in Istanbul ended without a ceasefire.`,
});

/** Revision n of the long history: a headline or a one-paragraph body edit, alternately. */
function eventAt(articleId: string, n: number, blocks: number): ArticleEvent {
  const body = Array.from({ length: blocks }, (_, i) => paragraph(i, 0));
  if (n === 0) {
    const data = { articleId, headline: 'Take 0', standfirst: 'A standfirst.', body, byline: [EDITOR.name], draftedAt: new Date(0).toISOString() };
    return { type: 'ArticleDrafted', data };
  }
  if (n % 2 === 1) return { type: 'HeadlineRevised', data: { headline: `Take ${n}` } };
  return { type: 'BodyRevised', data: { body: body.map((block, i) => (i === n % blocks ? paragraph(i, n) : block)) } };
}

async function seedArticle(store: EventStore, revisions: number): Promise<string> {
  const articleId = randomUUID();
  for (let from = 0; from < revisions; from += BATCH) {
    const events: EventToAppend[] = [];
    for (let n = from; n < Math.min(from + BATCH, revisions); n++) {
      const event = eventAt(articleId, n, 20);
      const metadata = {
        $correlationId: `bench-${n}`,
        $causationId: randomUUID(),
        actor: EDITOR,
        reason: `Bench revision ${n}`,
        occurredAt: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
        schemaVersion: ARTICLE_EVENT_SCHEMA_VERSIONS[event.type],
      };
      events.push({ id: randomUUID(), type: event.type, data: event.data as unknown as EventToAppend['data'], metadata });
    }
    await store.appendToStream(`article-${articleId}`, events, from === 0 ? 'no_stream' : BigInt(from - 1));
  }
  return articleId;
}

async function timed(request: () => Promise<Response>): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await request();
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const percentile = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
const fmt = (ms: number) => ms.toFixed(1);

async function measure(base: string, store: EventStore, revisions: number) {
  const id = await seedArticle(store, revisions);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  let revision = revisions - 1;
  const put = () =>
    fetch(`${base}/api/articles/${id}/headline`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json', 'If-Match': `"${revision}"` },
      body: JSON.stringify({ headline: `Bench headline ${revision + 1}` }),
    });
  const commands: number[] = [];
  for (let i = 0; i < COMMANDS; i++) {
    commands.push(await timed(put));
    revision++;
  }
  const diff = (from: number) => () => fetch(`${base}/api/articles/${id}/diff?from=${from}&to=${revision}`, { headers: auth });
  const whole: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < DIFFS; i++) {
    whole.push(await timed(diff(0)));
    last.push(await timed(diff(revision - 1)));
  }
  const [cold, ...warm] = commands;
  return {
    revisions,
    commandFirstMs: cold,
    commandP50Ms: percentile(warm, 50),
    commandP95Ms: percentile(warm, 95),
    diffWholeP50Ms: percentile(whole, 50),
    diffWholeP95Ms: percentile(whole, 95),
    diffLastP50Ms: percentile(last, 50),
  };
}

export type LongStreamRow = Awaited<ReturnType<typeof measure>>;

/** Measures every size in one run, on one in-process server. */
export async function measureLongStreams(sizes = SIZES): Promise<LongStreamRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'newsroom-audit-bench-'));
  let app: INestApplication | null = null;
  try {
    const usersFile = join(dir, 'users.json');
    writeFileSync(usersFile, JSON.stringify([{ ...EDITOR, roles: ['reporter', 'editor'], tokenSha256: sha256Hex(TOKEN) }]));
    app = await createApp(loadConfig({ DATA_DIR: dir, NEWSROOM_USERS_FILE: usersFile }), { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const store = app.get<EventStore>(EVENT_STORE);
    const rows: LongStreamRow[] = [];
    for (const size of sizes) rows.push(await measure(`http://127.0.0.1:${port}`, store, size));
    return rows;
  } finally {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = await measureLongStreams();
  console.log('| revisions | PUT headline, first (ms) | PUT p50 | PUT p95 | diff 0→last p50 | diff 0→last p95 | diff last-1→last p50 |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.revisions.toLocaleString('en')} | ${fmt(r.commandFirstMs)} | ${fmt(r.commandP50Ms)} | ${fmt(r.commandP95Ms)} ` +
        `| ${fmt(r.diffWholeP50Ms)} | ${fmt(r.diffWholeP95Ms)} | ${fmt(r.diffLastP50Ms)} |`,
    );
  }
  console.log(`(${COMMANDS} commands and ${DIFFS} diffs of each kind per size; a 20-paragraph body; embedded store)`);
}

if (require.main === module) void main();
