import Database from 'better-sqlite3';
import { UnusableStoreFileError } from './store-file';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { basename, dirname } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile } from '../common/data-dir';
import { EventStoreReplacedError, WrongExpectedRevisionError } from './event-store.errors';
import {
  AllSubscription,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  START,
  SubscribeToAllOptions,
} from './event-store.port';
import { SqliteEventReader } from './sqlite-event-reader';
import { FaultTracker, FileIdentity, WatchedFile } from './fault-tracker';
import { StoreFault } from './store-health';
import { faultReasonOf, sqliteCode, toStoreError } from './sqlite-errors';
import { StoreCondition, StoreHealth } from './store-health';

interface PendingAppend {
  streamId: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export interface SqliteEventStoreOptions {
  /** How long a commit waits for another connection's lock before SQLITE_BUSY (ms). Default 5000. */
  busyTimeoutMs?: number;
  /**
   * DATA_DIR's lock (ServerLock) the server holds: the store watches that its file is still the one
   * locked, and stops writing when it was deleted or replaced, since another server may then start.
   */
  lock?: { file: string; identity: FileIdentity };
  /** How often probe() may try a write while a fault is recorded (ms). Default 1000. */
  probeIntervalMs?: number;
  /** How often the store checks, between commits, that its files are still the ones it opened (ms). Default 1000. */
  watchIntervalMs?: number;
}

const SUBSCRIPTION_BATCH = 512;
/** Bytes of event text a subscription reads at once: one batch of maximum-size events must not fill the heap. */
const SUBSCRIPTION_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL, so a commit is
 * on disk (the WAL is fsynced) before any append is acknowledged. Appends that arrive while a
 * commit is running are committed together in the next transaction (group commit): one fsync
 * for many concurrent requests. Reads use a second, read-only connection; WAL readers never
 * block the writer.
 *
 * Storage faults fail loudly: a group whose commit fails (disk full, read-only, I/O error, lock
 * timeout, corruption) rejects every append of the group with the port's error for it (see
 * toStoreError), and condition() reports the fault until the next commit succeeds. The store
 * watches the files it depends on (events.sqlite, its -wal and -shm; see FaultTracker): one that
 * is replaced or removed under the running store stops every later write (EventStoreReplacedError,
 * until a restart). They are checked before each group commit, so nothing is written to a file
 * nobody would read again, and again after it, before any append of the group is acknowledged:
 * a -wal unlinked during the commit holds the group only until the process ends.
 */
export class SqliteEventStore implements EventStore, StoreHealth {
  readonly kind = 'embedded';
  private readonly writer: Database.Database;
  private readonly reader: SqliteEventReader;
  private readonly appended = new EventEmitter();
  private readonly name: string;
  private readonly faults: FaultTracker;
  private readonly storeId: string;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private commits = 0;
  /** Wakes from another connection (wakeSubscriptions): counted with commits, so a subscription never sleeps past one. */
  private wakes = 0;
  private closed = false;
  private duringCommit: (() => void) | null = null;
  /** The name of DATA_DIR's lock file when the store watches it (SqliteEventStoreOptions.lock). */
  private readonly lockName: string | null;
  /** Whether the -wal was copied into the database once a file was found replaced. */
  private rescued = false;
  private rescueAttempts = 0;
  private readonly watchTimer: NodeJS.Timeout;
  private readonly probeIntervalMs: number;
  /** When probe() last tried a write (ms since the epoch). */
  private lastProbe = 0;

  private readonly writeProbe: Database.Statement<[string]>;
  private readonly statements: {
    lastRevision: Database.Statement<[string], { revision: bigint | null }>;
    insert: Database.Statement<[string, bigint, string, string, string, string, string]>;
    eventAt: Database.Statement<[string, bigint], { event_id: string; position: bigint }>;
    revisionOfEvent: Database.Statement<[string, string], { revision: bigint }>;
  };

  constructor(
    readonly file: string,
    options: SqliteEventStoreOptions = {},
  ) {
    this.name = basename(file);
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
    this.writer = new Database(file);
    this.refuseOtherDatabases(file);
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma('synchronous = FULL');
    this.writer.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
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
      CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    // Written once, when the file is new (or predates store_meta); kept by backups and restores.
    this.writer.prepare("INSERT OR IGNORE INTO store_meta (key, value) VALUES ('store_id', ?)").run(randomUUID());
    this.storeId = (this.writer.prepare("SELECT value FROM store_meta WHERE key = 'store_id'").get() as { value: string }).value;
    // In WAL mode the -wal and -shm exist from the first read until the last connection closes.
    const watched: WatchedFile[] = [{ path: file }, { path: `${file}-wal` }, { path: `${file}-shm` }];
    this.lockName = options.lock ? basename(options.lock.file) : null;
    if (options.lock) {
      const consequence = 'this server no longer holds DATA_DIR, and another one may have started on it';
      watched.push({ path: options.lock.file, identity: options.lock.identity, consequence });
    }
    this.faults = new FaultTracker(watched);
    this.reader = new SqliteEventReader(new Database(file, { readonly: true }), this.name);
    this.reader.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.statements = {
      lastRevision: this.writer.prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
      insert: this.writer.prepare(
        `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      eventAt: this.writer.prepare('SELECT event_id, position FROM events WHERE stream_id = ? AND revision = ?'),
      revisionOfEvent: this.writer.prepare('SELECT revision FROM events WHERE stream_id = ? AND event_id = ?'),
    };
    this.writeProbe = this.writer.prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('write_probe', ?)");
    for (const statement of Object.values(this.statements)) statement.safeIntegers(true);
    this.appended.setMaxListeners(0);
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    // Also between commits: an idle server notices a replaced file (and saves its -wal) within a second.
    this.watchTimer = setInterval(() => this.checkFiles(), options.watchIntervalMs ?? 1000).unref();
  }

  appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
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
    const before = this.checkFiles();
    if (before) return this.refuse(batch, before, 'nothing was written');
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    const recordedAt = new Date().toISOString();
    try {
      // BEGIN IMMEDIATE: the write lock is taken first, so busy_timeout applies while another
      // connection holds it. A DEFERRED transaction reads first, and SQLite does not wait on the
      // upgrade from a read to a write lock: it fails at once with SQLITE_BUSY.
      // https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
      this.writer
        .transaction(() => {
          for (const append of batch) {
            // A savepoint per append: one refused append leaves the others of the group intact.
            try {
              outcomes.push({ ok: true, result: this.writer.transaction(() => this.appendOne(append, recordedAt))() });
            } catch (error) {
              // A storage fault fails the whole group: SQLite may have rolled the transaction back
              // already (https://www.sqlite.org/lang_transaction.html, "Response To Errors").
              if (sqliteCode(error) !== null) throw error;
              outcomes.push({ ok: false, error });
            }
          }
          this.duringCommit?.();
        })
        .immediate();
    } catch (error) {
      const code = sqliteCode(error);
      const reason = faultReasonOf(code);
      if (code !== null && reason !== null) this.faults.note(reason, code, this.name);
      const mapped = toStoreError(error, this.name);
      for (const append of batch) append.reject(mapped);
      return;
    }
    // Checked again before acknowledging: a file replaced during the commit may hold the group
    // only until this process ends. Its appends are refused, though this process may read them.
    const after = this.checkFiles();
    if (after) return this.refuse(batch, after, 'the write is not acknowledged');
    this.faults.cleared();
    this.commits++;
    batch.forEach((append, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
    this.appended.emit('appended');
  }

  /**
   * The watched files' fault, or null. When a store file is first found replaced, every commit still in
   * the -wal this connection has open is copied into the events.sqlite it has open (a FULL
   * checkpoint, https://www.sqlite.org/pragma.html#pragma_wal_checkpoint) and that file fsynced:
   * a -wal unlinked under the server would otherwise take every acknowledged commit since the last
   * checkpoint with it when the process ends. The fault's detail says whether that worked.
   */
  private checkFiles(): StoreFault | null {
    if (this.closed) return this.faults.recorded();
    const fault = this.faults.checkFiles();
    // A lost lock leaves the store's files in place: nothing to save, and a second server may be
    // writing, which a full checkpoint would wait for.
    if (fault && !this.rescued && this.faults.replacement?.file !== this.lockName) {
      // The first try waits for readers (FULL, up to the busy timeout); a reader in another process
      // may hold pages longer, so each later check (every second, each /health) copies what it can
      // without waiting (PASSIVE) until every page is in: a partial copy alone leaves a file whose
      // pages come from two moments.
      const mode = this.rescueAttempts++ === 0 ? 'FULL' : 'PASSIVE';
      try {
        const [result] = this.writer.pragma(`wal_checkpoint(${mode})`) as Array<{ busy: number; log: number; checkpointed: number }>;
        this.rescued = result.busy === 0 && result.log === result.checkpointed;
        this.faults.amend(
          this.rescued
            ? `every acknowledged commit was copied from the -wal into ${this.name}`
            : `only ${result.checkpointed} of ${result.log} -wal pages could be copied into ${this.name} so far (a reader holds the rest; ` +
                'tried again every second until it lets go): do not stop this server until /health says every commit was copied',
        );
      } catch (error) {
        this.faults.amend(`copying the -wal into ${this.name} failed (${sqliteCode(error) ?? (error as Error).message}); tried again every second`);
      }
    }
    return fault;
  }

  private refuse(batch: readonly PendingAppend[], fault: StoreFault, outcome: string): void {
    const error = new EventStoreReplacedError(`${fault.detail}; ${outcome}`);
    for (const append of batch) append.reject(error);
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
      const info = this.statements.insert.run(streamId, revision, event.id, event.type, event.dataText, event.metaText, recordedAt);
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

  /** Throws DamagedEventError when an event of the page cannot be read. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.reader.readStream(streamId, options.fromRevision ?? 0n, options.maxCount ?? -1, options.maxBytes);
  }

  async streamRevision(streamId: string): Promise<bigint | null> {
    return this.reader.streamRevision(streamId);
  }

  /** Throws DamagedEventError when an event of the batch cannot be read. */
  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const { events, damage } = this.reader.readAll((options.after ?? START).commit, options.maxCount, options.maxBytes);
    if (damage) throw damage;
    return events;
  }

  async headPosition(): Promise<Position> {
    const position = this.reader.head();
    return position === null ? START : { commit: position, prepare: position };
  }

  /** The id of the event at `position` (its commit, a bigint: the event's rowid), or null. */
  async eventIdAt(position: Position): Promise<string | null> {
    return this.reader.eventIdAt(position.commit);
  }

  /**
   * A new file becomes an event store; an SQLite database that has tables but no events table
   * (another application's, a read-models file, a damaged store whose schema was lost) is not
   * taken over: adding the event tables to it would give it a new identity and an empty log that
   * the read models then follow. Throws UnusableStoreFileError naming the file.
   */
  private refuseOtherDatabases(file: string): void {
    const tables = this.writer.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    if (tables.length > 0 && !tables.some((t) => t.name === 'events')) {
      this.writer.close();
      throw new UnusableStoreFileError(
        file,
        `${file} is an SQLite database but not an event store: it has tables (${tables
          .slice(0, 5)
          .map((t) => t.name)
          .join(', ')}) and no events table. Move it away, or restore a backup with npm run store:restore -- <backup>`,
        false,
      );
    }
  }

  /** The UUID written into store_meta when the file was created; a backup keeps it. */
  async identity(): Promise<string> {
    return this.storeId;
  }

  /** See StoreHealth. A replaced file is noticed here at once, even before the next append. */
  condition(): StoreCondition {
    this.checkFiles();
    return this.faults.condition();
  }

  /**
   * See StoreHealth.probe. While a fault that refuses writes (out-of-space, read-only, unavailable)
   * is recorded, and at most once per probeIntervalMs, writes the time into store_meta's
   * "write_probe" row in a transaction of its own (BEGIN IMMEDIATE, waiting at most 100 ms for a
   * lock, then fsynced like a commit). Success clears the fault; failure renews it (lastSeen). A
   * small write proves that a small commit fits: an append needing more room fails again and
   * records the fault again. Replaced files and damage are not probed: neither passes by itself.
   */
  probe(): StoreCondition {
    const fault = this.faults.recorded() ?? this.checkFiles();
    const probed = fault !== null && fault.reason !== 'replaced' && fault.reason !== 'corrupt';
    if (probed && !this.closed && Date.now() - this.lastProbe >= this.probeIntervalMs) {
      this.lastProbe = Date.now();
      const busyTimeout = this.writer.pragma('busy_timeout', { simple: true }) as number;
      this.writer.pragma('busy_timeout = 100');
      try {
        this.writer.transaction(() => this.writeProbe.run(new Date().toISOString())).immediate();
        if (!this.checkFiles()) this.faults.cleared();
      } catch (error) {
        const code = sqliteCode(error);
        const reason = faultReasonOf(code);
        if (code === null || reason === null) throw error;
        this.faults.note(reason, code, this.name);
      } finally {
        this.writer.pragma(`busy_timeout = ${busyTimeout}`);
      }
    }
    return this.condition();
  }

  /**
   * SQLite's quick_check of the whole file (https://www.sqlite.org/pragma.html#pragma_quick_check):
   * O(N), without checking that indexes match their tables. Returns the problems found; [] is ok.
   */
  quickCheck(): string[] {
    try {
      const rows = this.reader.db.pragma('quick_check') as Array<{ quick_check: string }>;
      return rows.map((row) => row.quick_check).filter((line) => line !== 'ok');
    } catch (error) {
      return [`${sqliteCode(error) ?? 'error'}: ${(error as Error).message}`];
    }
  }

  /**
   * Fault injection for the storage-fault tests only (the application never calls it).
   * `readOnly` sets PRAGMA query_only on the writer, so a commit fails with SQLITE_READONLY as on
   * a filesystem remounted read-only (the tests run as root, where chmod stops nothing, and a
   * read-only remount is refused while the file is open for writing). `maxPageCount` sets PRAGMA
   * max_page_count: a commit that needs more pages fails with SQLITE_FULL as on a full disk;
   * raising it again gives the space back. `duringCommit` runs inside the next group commits'
   * transaction, after their rows are written (e.g. to unlink the -wal mid-commit); null removes it.
   * https://www.sqlite.org/pragma.html
   */
  injectFaultForTests(fault: { readOnly?: boolean; maxPageCount?: number; duringCommit?: (() => void) | null }): void {
    if (fault.readOnly !== undefined) this.writer.pragma(`query_only = ${fault.readOnly ? 1 : 0}`);
    if (fault.maxPageCount !== undefined) this.writer.pragma(`max_page_count = ${Math.floor(fault.maxPageCount)}`);
    if (fault.duringCommit !== undefined) this.duringCommit = fault.duringCommit;
  }

  /** The file's page count now (PRAGMA page_count), for the tests that fill it up. */
  pageCount(): number {
    return this.writer.pragma('page_count', { simple: true }) as number;
  }

  /**
   * Calls `listener` after each group commit of this store object (its appends acknowledged);
   * returns the function that stops it. For waking a reader of the same file elsewhere
   * (wakeSubscriptions), such as the projections' worker thread.
   */
  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => this.appended.off('appended', listener);
  }

  /**
   * Tells this store object's live subscriptions that another connection (another thread's or
   * process's store on the same file) has committed: they read the log again now, instead of
   * waiting for an append of their own.
   */
  wakeSubscriptions(): void {
    this.wakes++;
    this.appended.emit('appended');
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
          // A replaced file stops delivery too: what was read after it may not survive the process
          // (a group refused after its commit), and the read models may belong to another server.
          if (store.faults.recorded()?.reason === 'replaced') {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            continue;
          }
          // Note the commit count before reading: a commit after the read is never missed.
          const seen = store.commits + store.wakes;
          const { events: batch, damage } = store.reader.readAll(after.commit, SUBSCRIPTION_BATCH, SUBSCRIPTION_BATCH_BYTES);
          for (const event of batch) {
            if (closed) return;
            yield event;
            after = event.position;
          }
          // Everything before the damaged event has been delivered: the subscriber stops there.
          if (damage) throw damage;
          // A batch cut short by its byte budget is not the end of the log.
          if (batch.length < SUBSCRIPTION_BATCH && store.commits + store.wakes === seen && !closed && (store.reader.head() ?? -1n) <= after.commit) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            // Woken inside the commit's turn of the event loop: read in a turn of our own, so
            // that requests waiting meanwhile are served between the commit and the reading.
            await nextTurn();
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
    clearInterval(this.watchTimer);
    this.appended.emit('closed');
    this.reader.db.close();
    this.writer.close();
  }
}
