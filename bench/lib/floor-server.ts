/**
 * The floor of a durable command on this project's fixed stack: what bench/http-load.ts's load
 * costs when a command does nothing but what every durable command must, so that the real
 * server's figures can be read as a multiple of it (`npm run bench:compare -- floor`, in
 * bench/compare.ts), measured in the same run on the same machine.
 *
 * What it keeps:
 * - NestJS on @nestjs/platform-fastify (two controllers, no guards, pipes, interceptors, hooks or
 *   logging), Nest's default JSON body parser (Fastify's, secure-json-parse; the real server
 *   reads the body itself, src/http/body-reading.ts, at about the same cost), a JSON answer with
 *   an ETag;
 * - the append, as the real store does it: one row per command in an SQLite file in WAL mode with
 *   synchronous = FULL, written by a worker thread in group commits (appends gathered in a turn,
 *   one group in flight, BEGIN IMMEDIATE, one fsync per group), each command acknowledged only
 *   after its group's COMMIT, with the expected revision checked in the transaction;
 * - a read model: the article's revision and position, kept in a Map on the main thread when the
 *   commit is acknowledged, which GET answers (?minPosition is met at once: the "projection lag"
 *   bench/http-load.ts measures is then a plain read's round trip).
 * What it leaves out is everything else the real server does: authentication, validation and NFC,
 * the domain's decision, the ledger's chain hash, idempotency, the request log and metrics, CORS
 * and security headers, the store's checks of its files (a stat(2) of each before and after every
 * group, and per GET /health, whose floor is a constant answer), the real events table's other
 * columns and index (event id, type, metadata, recorded_at; a savepoint per append), the read
 * models' SQLite documents and the as-of history. It runs under ts-node (transpiled once at
 * start; the real server runs its build). No test runs this; nothing here is product code.
 *
 *   DATA_DIR=<dir> node -r ts-node/register/transpile-only bench/lib/floor-server.ts  (PORT, HOST)
 *
 * Prints `listening on http://<host>:<port>` once it serves; SIGTERM closes it (exit 0). Without
 * DATA_DIR the file goes to a new directory under the system temp directory.
 */
import 'reflect-metadata';
import { Body, Controller, Get, Headers, HttpCode, HttpException, Module, Param, Post, Put, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/** One append as the writer thread takes it: the stream, the revision it expects (-1: none yet), the event's JSON. */
interface Append {
  streamId: string;
  expected: number;
  data: string;
}

/** The writer's answer per append: the event's position (its rowid) or, for a stale expected revision, the actual one. */
type Outcome = { position: number } | { actual: number };

/** The writer thread: one connection, every group one immediate transaction, acknowledged after COMMIT (fsync). */
const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE (stream_id, revision))');
const last = db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?');
const insert = db.prepare('INSERT INTO events (stream_id, revision, data) VALUES (?, ?, ?)');
const group = db.transaction((appends) => appends.map(({ streamId, expected, data }) => {
  const actual = last.get(streamId).revision ?? -1;
  if (actual !== expected) return { actual };
  return { position: Number(insert.run(streamId, expected + 1, data).lastInsertRowid) };
}));
parentPort.on('message', (appends) => parentPort.postMessage(group.immediate(appends)));
`;

/** Group commit on the main thread, as the real store does it: appends gathered in a turn go to the writer as one group, one group in flight at a time. */
class FloorStore {
  private readonly worker: Worker;
  private pending: Array<{ append: Append; settle: (outcome: Outcome) => void }> = [];
  /** The settle functions of the group the writer is committing, in its order; null when none is. */
  private inFlight: Array<(outcome: Outcome) => void> | null = null;
  private scheduled = false;

  constructor(file: string) {
    const betterSqlite3 = require.resolve('better-sqlite3', { paths: [resolve(__dirname, '../..')] });
    this.worker = new Worker(WRITER, { eval: true, workerData: { file, betterSqlite3 } });
    this.worker.on('message', (outcomes: Outcome[]) => {
      const settles = this.inFlight!;
      this.inFlight = null;
      outcomes.forEach((outcome, i) => settles[i](outcome));
      this.flush();
    });
    // A storage error (SQLITE_BUSY, FULL, IOERR) ends the writer: the floor has no fault handling, so the run stops loudly.
    this.worker.on('error', (error) => {
      console.error(error);
      process.exit(1);
    });
    this.worker.on('exit', (code) => {
      if (this.inFlight || this.pending.length > 0) {
        console.error(`the floor's writer thread exited (${code}) with appends waiting`);
        process.exit(1);
      }
    });
    this.worker.unref();
  }

  append(append: Append): Promise<Outcome> {
    return new Promise((settle) => {
      this.pending.push({ append, settle });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.inFlight || this.pending.length === 0) return;
    const group = this.pending;
    this.pending = [];
    this.inFlight = group.map((p) => p.settle);
    this.worker.postMessage(group.map((p) => p.append));
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

const store = new FloorStore(join(process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'newsroom-floor-')), 'floor-events.sqlite'));
/** The read model: article id → its revision and position, as of the last acknowledged command. */
const articles = new Map<string, { revision: number; position: number }>();

/** If-Match: "<revision>" → the revision (a number); 428 without one, 412 for any other form. */
function ifMatchRevision(header: string | undefined): number {
  if (header === undefined) throw new HttpException({ title: 'If-Match required' }, 428);
  const match = /^"(\d+)"$/.exec(header.trim());
  if (!match) throw new HttpException({ title: 'Precondition failed' }, 412);
  return Number(match[1]);
}

async function append(articleId: string, expected: number, data: unknown, reply: FastifyReply) {
  const outcome = await store.append({ streamId: `article-${articleId}`, expected, data: JSON.stringify(data) });
  if ('actual' in outcome) throw new HttpException({ title: 'Stale revision', currentRevision: outcome.actual }, 412);
  const revision = expected + 1;
  articles.set(articleId, { revision, position: outcome.position });
  void reply.header('ETag', `"${revision}"`);
  return { articleId, revision, position: String(outcome.position) };
}

@Controller('api/articles')
class FloorController {
  @Post()
  @HttpCode(201)
  draft(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return append(randomUUID(), -1, { type: 'ArticleDrafted', body }, reply);
  }

  @Put(':id/body')
  revise(@Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return append(id, ifMatchRevision(ifMatch), { type: 'BodyRevised', body }, reply);
  }

  @Get(':id')
  read(@Param('id') id: string) {
    const article = articles.get(id);
    if (!article) throw new HttpException({ title: 'Not found' }, 404);
    return { articleId: id, ...article };
  }
}

@Controller('health')
class FloorHealthController {
  @Get()
  health() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [FloorController, FloorHealthController] })
class FloorModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter({ bodyLimit: 64 * 1024 * 1024 }), { logger: false });
  await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  const address = app.getHttpServer().address() as { address: string; port: number };
  process.stdout.write(`listening on http://${address.address}:${address.port}\n`);
  process.once('SIGTERM', () => {
    app
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
