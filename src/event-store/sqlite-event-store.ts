import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { WrongExpectedRevisionError } from './event-store.errors';
import {
  AllSubscription,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  JsonObject,
  JsonValue,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  START,
  SubscribeToAllOptions,
} from './event-store.port';

interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

interface PendingAppend {
  streamId: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

const SUBSCRIPTION_BATCH = 512;

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL, so a commit is
 * on disk (the WAL is fsynced) before any append is acknowledged. Appends that arrive while a
 * commit is running are committed together in the next transaction (group commit): one fsync
 * for many concurrent requests. Reads use a second, read-only connection; WAL readers never
 * block the writer.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'embedded';
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly appended = new EventEmitter();
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private commits = 0;
  private closed = false;

  private readonly statements: {
    lastRevision: Database.Statement<[string], { revision: bigint | null }>;
    insert: Database.Statement<[string, bigint, string, string, string, string, string]>;
    eventAt: Database.Statement<[string, bigint], { event_id: string; position: bigint }>;
    revisionOfEvent: Database.Statement<[string, string], { revision: bigint }>;
    readStream: Database.Statement<[string, bigint, number], EventRow>;
    readAll: Database.Statement<[bigint, number], EventRow>;
    head: Database.Statement<[], { position: bigint | null }>;
    readerLastRevision: Database.Statement<[string], { revision: bigint | null }>;
  };

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.writer = new Database(file);
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma('synchronous = FULL');
    this.writer.pragma('busy_timeout = 5000');
    this.writer.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position    INTEGER PRIMARY KEY,
        stream_id   TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        event_id    TEXT NOT NULL,
        type        TEXT NOT NULL,
        data        TEXT NOT NULL,
        metadata    TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (stream_id, revision)
      );
      CREATE INDEX IF NOT EXISTS events_by_stream_and_id ON events (stream_id, event_id);
    `);
    this.reader = new Database(file, { readonly: true });
    this.reader.pragma('busy_timeout = 5000');
    const columns = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';
    this.statements = {
      lastRevision: this.writer.prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
      insert: this.writer.prepare(
        `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      eventAt: this.writer.prepare('SELECT event_id, position FROM events WHERE stream_id = ? AND revision = ?'),
      revisionOfEvent: this.writer.prepare('SELECT revision FROM events WHERE stream_id = ? AND event_id = ?'),
      readStream: this.reader.prepare(
        `SELECT ${columns} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      readAll: this.reader.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      head: this.reader.prepare('SELECT max(position) AS position FROM events'),
      readerLastRevision: this.reader.prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
    };
    for (const statement of Object.values(this.statements)) statement.safeIntegers(true);
    this.appended.setMaxListeners(0);
  }

  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('The event store is closed'));
    if (events.length === 0) return Promise.reject(new Error('appendToStream needs at least one event'));
    // Serialise now, so that a value JSON cannot hold fails this append alone, before the batch.
    const serialised = events.map((e) => ({ ...e, dataText: JSON.stringify(e.data), metaText: JSON.stringify(e.metadata) }));
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ streamId, events: serialised, expected: expectedRevision, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every pending append in one transaction: one fsync for the whole group. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    const recordedAt = new Date().toISOString();
    try {
      this.writer.transaction(() => {
        for (const append of batch) {
          // A savepoint per append: one refused append leaves the others of the group intact.
          try {
            outcomes.push({ ok: true, result: this.writer.transaction(() => this.appendOne(append, recordedAt))() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      for (const append of batch) append.reject(error);
      return;
    }
    this.commits++;
    batch.forEach((append, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
    this.appended.emit('appended');
  }

  private appendOne(append: PendingAppend, recordedAt: string): AppendResult {
    const { streamId, events, expected } = append;
    const current = this.statements.lastRevision.get(streamId)?.revision ?? null;
    const idempotent = this.alreadyAppended(append, current);
    if (idempotent) return idempotent;
    const actual = current === null ? ('no_stream' as const) : current;
    const refused =
      (expected === 'no_stream' && current !== null) ||
      (expected === 'stream_exists' && current === null) ||
      (typeof expected === 'bigint' && expected !== current);
    if (refused) throw new WrongExpectedRevisionError(streamId, expected, actual);
    let revision = current ?? -1n;
    let position = 0n;
    for (const event of events as Array<EventToAppend & { dataText: string; metaText: string }>) {
      revision++;
      const info = this.statements.insert.run(
        streamId,
        revision,
        event.id,
        event.type,
        event.dataText,
        event.metaText,
        recordedAt,
      );
      position = BigInt(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position: { commit: position, prepare: position } };
  }

  /**
   * EventStoreDB's idempotence rule: events whose ids already stand at the place the writer
   * expected (or, for ANY/STREAM_EXISTS, anywhere in the stream in the same order) are not
   * written again, and the append succeeds with the original result.
   */
  private alreadyAppended(append: PendingAppend, current: bigint | null): AppendResult | null {
    if (current === null) return null;
    const { streamId, events, expected } = append;
    let first: bigint;
    if (expected === 'no_stream') first = 0n;
    else if (typeof expected === 'bigint') first = expected + 1n;
    else {
      const found = this.statements.revisionOfEvent.get(streamId, events[0].id);
      if (!found) return null;
      first = found.revision;
    }
    // Nothing stands at the expected place yet: this is not a retry.
    if (current < first) return null;
    let position = 0n;
    for (let i = 0; i < events.length; i++) {
      const stored = this.statements.eventAt.get(streamId, first + BigInt(i));
      if (!stored || stored.event_id !== events[i].id) return null;
      position = stored.position;
    }
    return { nextExpectedRevision: first + BigInt(events.length) - 1n, position: { commit: position, prepare: position } };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const rows = this.statements.readStream.all(streamId, options.fromRevision ?? 0n, options.maxCount ?? -1);
    return rows.map(toRecordedEvent);
  }

  async streamRevision(streamId: string): Promise<bigint | null> {
    return this.statements.readerLastRevision.get(streamId)?.revision ?? null;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.readAllNow(options.after ?? START, options.maxCount);
  }

  private readAllNow(after: Position, maxCount: number): RecordedEvent[] {
    return this.statements.readAll.all(after.commit, maxCount).map(toRecordedEvent);
  }

  async headPosition(): Promise<Position> {
    const position = this.statements.head.get()?.position ?? null;
    return position === null ? START : { commit: position, prepare: position };
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    let closed = false;
    let wake: (() => void) | null = null;
    const onAppend = () => wake?.();
    const close = async () => {
      closed = true;
      this.appended.off('appended', onAppend);
      this.appended.off('closed', onAppend);
      onAppend();
    };
    this.appended.on('appended', onAppend);
    this.appended.on('closed', onAppend);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    async function* events(): AsyncGenerator<RecordedEvent> {
      let after = options.after ?? START;
      try {
        while (!closed && !store.closed) {
          // Note the commit count before reading: a commit after the read is never missed.
          const seen = store.commits;
          const batch = store.readAllNow(after, SUBSCRIPTION_BATCH);
          for (const event of batch) {
            if (closed) return;
            yield event;
            after = event.position;
          }
          if (batch.length < SUBSCRIPTION_BATCH && store.commits === seen && !closed) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        }
      } finally {
        await close();
      }
    }
    const iterable = events();
    return { [Symbol.asyncIterator]: () => iterable, close };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let appends already accepted reach the disk before the connections close.
    if (this.pending.length > 0) this.flush();
    this.closed = true;
    this.appended.emit('closed');
    this.reader.close();
    this.writer.close();
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: row.revision,
    position: { commit: row.position, prepare: row.position },
    data: JSON.parse(row.data) as JsonValue,
    metadata: JSON.parse(row.metadata) as JsonObject,
    recordedAt: row.recorded_at,
  };
}
