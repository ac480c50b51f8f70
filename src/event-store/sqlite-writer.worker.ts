/**
 * The embedded store's writer thread (see SqliteEventStore): it owns the store's only write
 * connection and runs the group commits, so that COMMIT and its fsync never hold the server's event
 * loop. It imports nothing but better-sqlite3 and Node's own modules: under jest (swc) and ts-node the
 * store starts it from this source transpiled once per process (see writer-thread.ts), and such
 * code cannot import another TypeScript file.
 *
 * Messages in (worker.postMessage, handled in order): WriterRequest. Group commits are answered on
 * the parent port (BatchReply); calls (CallRequest) on `replies`, after which `signal[0]` is set to the
 * call's `seq` and notified, so that the store can wait for them synchronously (Atomics.wait).
 */
import Database from 'better-sqlite3';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';

/** What the store passes as workerData. */
export interface WriterData {
  file: string;
  /** busy_timeout of the write connection (ms). */
  busyTimeoutMs: number;
  /** Where calls are answered (receiveMessageOnPort on the other end). */
  replies: MessagePort;
  /**
   * Int32Array over a SharedArrayBuffer: [0] the seq of the last call answered; [1] the commit hook's
   * outcome (0 running, 1 done, 2 failed); [2] 1 while this thread waits for the hook.
   */
  signal: Int32Array;
}

/** One append of a group: its events' data and metadata already JSON text. Revisions are bigints. */
export interface WireAppend {
  streamId: string;
  expected: 'no_stream' | 'any' | 'stream_exists' | bigint;
  events: Array<{ id: string; type: string; dataText: string; metaText: string }>;
}

/** An error the writer met, as plain data: `code` is SQLite's (e.g. "SQLITE_FULL") when it is SQLite's. */
export interface WireError {
  name: string;
  message: string;
  code: string | null;
}

/** One append's outcome; revisions and positions are bigints. */
export type WireOutcome =
  | { ok: true; nextExpectedRevision: bigint; position: bigint }
  | { ok: false; wrong: { streamId: string; expected: WireAppend['expected']; actual: bigint | 'no_stream' } }
  | { ok: false; error: WireError };

export type WriterRequest =
  { type: 'batch'; id: number; recordedAt: string; appends: WireAppend[]; hook: boolean } | (CallRequest & { seq: number }) | { type: 'close' };

/** Synchronous calls: a pragma's simple value, a checkpoint's row, or a probe write (busy_timeout 100 ms). */
export type CallRequest = { type: 'pragma'; pragma: string } | { type: 'checkpoint'; mode: 'FULL' | 'PASSIVE' } | { type: 'probe'; value: string };

/** The answer to the call numbered `seq`. */
export type CallReply = { seq: number } & ({ ok: true; value: unknown } | { ok: false; error: WireError });

export type BatchReply =
  | { type: 'committed'; id: number; outcomes: WireOutcome[] }
  | { type: 'failed'; id: number; error: WireError }
  | { type: 'hook'; id: number }
  | { type: 'ready' }
  | { type: 'open-failed'; error: WireError };

/** A refused expected revision: not a storage fault, so it fails its own append only. */
class WrongRevision extends Error {
  constructor(readonly wrong: { streamId: string; expected: WireAppend['expected']; actual: bigint | 'no_stream' }) {
    super('wrong expected revision');
  }
}

function wireError(error: unknown): WireError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown };
  const code = typeof e?.code === 'string' && e.code.startsWith('SQLITE_') ? e.code : null;
  return { name: typeof e?.name === 'string' ? e.name : 'Error', message: typeof e?.message === 'string' ? e.message : String(error), code };
}

function run(port: MessagePort, data: WriterData): void {
  let db: Database.Database;
  try {
    db = new Database(data.file, { fileMustExist: true });
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${data.busyTimeoutMs}`);
  } catch (error) {
    port.postMessage({ type: 'open-failed', error: wireError(error) } satisfies BatchReply);
    return;
  }
  const statements = {
    lastRevision: db.prepare<[string], { revision: bigint | null }>('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
    insert: db.prepare<[string, bigint, string, string, string, string, string]>(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventAt: db.prepare<[string, bigint], { event_id: string; position: bigint }>('SELECT event_id, position FROM events WHERE stream_id = ? AND revision = ?'),
    revisionOfEvent: db.prepare<[string, string], { revision: bigint }>('SELECT revision FROM events WHERE stream_id = ? AND event_id = ?'),
  };
  for (const statement of Object.values(statements)) statement.safeIntegers(true);
  const writeProbe = db.prepare<[string]>("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('write_probe', ?)");

  /**
   * EventStoreDB's idempotence rule: events whose ids already stand at the place the writer
   * expected (or, for ANY/STREAM_EXISTS, anywhere in the stream in the same order) are not
   * written again, and the append succeeds with the original result.
   */
  function alreadyAppended(append: WireAppend, current: bigint | null): WireOutcome | null {
    if (current === null) return null;
    const { streamId, events, expected } = append;
    let first: bigint;
    if (expected === 'no_stream') first = 0n;
    else if (typeof expected === 'bigint') first = expected + 1n;
    else {
      const found = statements.revisionOfEvent.get(streamId, events[0].id);
      if (!found) return null;
      first = found.revision;
    }
    // Nothing stands at the expected place yet: this is not a retry.
    if (current < first) return null;
    let position = 0n;
    for (let i = 0; i < events.length; i++) {
      const stored = statements.eventAt.get(streamId, first + BigInt(i));
      if (!stored || stored.event_id !== events[i].id) return null;
      position = stored.position;
    }
    return { ok: true, nextExpectedRevision: first + BigInt(events.length) - 1n, position };
  }

  function appendOne(append: WireAppend, recordedAt: string): WireOutcome {
    const { streamId, events, expected } = append;
    const current = statements.lastRevision.get(streamId)?.revision ?? null;
    const idempotent = alreadyAppended(append, current);
    if (idempotent) return idempotent;
    const actual = current === null ? ('no_stream' as const) : current;
    const refused =
      (expected === 'no_stream' && current !== null) ||
      (expected === 'stream_exists' && current === null) ||
      (typeof expected === 'bigint' && expected !== current);
    if (refused) throw new WrongRevision({ streamId, expected, actual });
    let revision = current ?? -1n;
    let position = 0n;
    for (const event of events) {
      revision++;
      const info = statements.insert.run(streamId, revision, event.id, event.type, event.dataText, event.metaText, recordedAt);
      position = BigInt(info.lastInsertRowid);
    }
    return { ok: true, nextExpectedRevision: revision, position };
  }

  /** Hands the commit to the store's duringCommit hook (tests only) and waits for it. */
  function hook(id: number): void {
    Atomics.store(data.signal, 1, 0);
    Atomics.store(data.signal, 2, 1);
    port.postMessage({ type: 'hook', id } satisfies BatchReply);
    Atomics.wait(data.signal, 1, 0);
    Atomics.store(data.signal, 2, 0);
    if (Atomics.load(data.signal, 1) !== 1) throw new Error('the duringCommit hook failed');
  }

  /** Commits every append of the group in one transaction: one fsync for the whole group. */
  function commit(request: Extract<WriterRequest, { type: 'batch' }>): BatchReply {
    const outcomes: WireOutcome[] = [];
    try {
      // BEGIN IMMEDIATE: the write lock is taken first, so busy_timeout applies while another
      // connection holds it. A DEFERRED transaction reads first, and SQLite does not wait on the
      // upgrade from a read to a write lock: it fails at once with SQLITE_BUSY.
      // https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
      db.transaction(() => {
        for (const append of request.appends) {
          // A savepoint per append: one refused append leaves the others of the group intact.
          try {
            outcomes.push(db.transaction(() => appendOne(append, request.recordedAt))());
          } catch (error) {
            // A storage fault fails the whole group: SQLite may have rolled the transaction back
            // already (https://www.sqlite.org/lang_transaction.html, "Response To Errors").
            if (wireError(error).code !== null) throw error;
            outcomes.push(error instanceof WrongRevision ? { ok: false, wrong: error.wrong } : { ok: false, error: wireError(error) });
          }
        }
        if (request.hook) hook(request.id);
      }).immediate();
    } catch (error) {
      return { type: 'failed', id: request.id, error: wireError(error) };
    }
    // COMMIT has returned: a read the store starts once it gets this message sees the group.
    return { type: 'committed', id: request.id, outcomes };
  }

  function call(request: CallRequest & { seq: number }): CallReply {
    const { seq } = request;
    try {
      if (request.type === 'pragma') return { seq, ok: true, value: db.pragma(request.pragma, { simple: true }) };
      if (request.type === 'checkpoint') return { seq, ok: true, value: (db.pragma(`wal_checkpoint(${request.mode})`) as unknown[])[0] };
      const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
      db.pragma('busy_timeout = 100');
      try {
        db.transaction(() => writeProbe.run(request.value)).immediate();
      } finally {
        db.pragma(`busy_timeout = ${busyTimeout}`);
      }
      return { seq, ok: true, value: null };
    } catch (error) {
      return { seq, ok: false, error: wireError(error) };
    }
  }

  port.on('message', (request: WriterRequest) => {
    if (request.type === 'batch') port.postMessage(commit(request));
    else if (request.type === 'close') {
      db.close();
      port.close();
    } else {
      data.replies.postMessage(call(request));
      Atomics.store(data.signal, 0, request.seq);
      Atomics.notify(data.signal, 0);
    }
  });
  port.postMessage({ type: 'ready' } satisfies BatchReply);
}

if (parentPort) run(parentPort, workerData as WriterData);
