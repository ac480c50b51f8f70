import Database from 'better-sqlite3';
import { UnusableStoreFileError } from './store-file';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { basename, dirname } from 'node:path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { ensurePrivateDir, ensurePrivateFile } from '../common/data-dir';
import { EventStoreReplacedError, EventStoreUnavailableError, WrongExpectedRevisionError } from './event-store.errors';
import { AllSubscription, AppendResult, EventStore, EventToAppend, ExpectedRevision, SubscribeToAllOptions } from './event-store.port';
import { SqliteEventReader } from './sqlite-event-reader';
import { SqliteLogReads } from './sqlite-log-reads';
import { subscribeToLog } from './sqlite-log-subscription';
import { FaultTracker, FileIdentity, WatchedFile } from './fault-tracker';
import { StoreFault } from './store-health';
import { faultReasonOf, sqliteCode, toStoreError } from './sqlite-errors';
import { StoreCondition, StoreHealth } from './store-health';
import type { BatchReply, CallReply, CallRequest, WireAppend, WireError, WireOutcome } from './sqlite-writer.worker';
import { startWriterThread } from './writer-thread';

interface PendingAppend {
  append: WireAppend;
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

/** How long a synchronous call to the writer thread may wait before it is given up (ms): a guard against a lost thread. */
const CALL_TIMEOUT_MS = 120_000;

/** A SQLite error from the writer thread, rebuilt for toStoreError and faultReasonOf (which read its `code`). */
function rebuilt(error: WireError): Error {
  return Object.assign(new Error(error.message), { name: error.name, code: error.code ?? undefined });
}

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is
 * on disk (the WAL is fsynced) before any append is acknowledged. Appends that arrive while a
 * commit is running are committed together in the next transaction (group commit): one fsync
 * for many concurrent requests. The only write connection and the group commits live on a
 * thread of their own (sqlite-writer.worker): COMMIT and its fsync never hold the event loop, and
 * an append is acknowledged only once that thread reports its group committed. Reads use a
 * second, read-only connection on the caller's thread; WAL readers never block the writer, and a
 * read started after the writer's COMMIT returned sees it.
 *
 * Storage faults fail loudly: a group whose commit fails (disk full, read-only, I/O error, lock
 * timeout, corruption) rejects every append of the group with the port's error for it (see
 * toStoreError), and condition() reports the fault until the next commit succeeds. The store
 * watches the files it depends on (events.sqlite, its -wal and -shm; see FaultTracker): one that
 * is replaced or removed under the running store stops every later write (EventStoreReplacedError,
 * until a restart). They are checked before each group is sent to the writer thread, so nothing is
 * written to a file nobody would read again, and again once it reports the commit, before any
 * append of the group is acknowledged: a -wal unlinked during the commit holds the group only
 * until the process ends.
 */
export class SqliteEventStore extends SqliteLogReads implements EventStore, StoreHealth {
  readonly kind = 'embedded';
  private readonly writer: Worker;
  /** Where the writer thread answers synchronous calls, and the flags it raises for them (see call()). */
  private readonly replies: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(12));
  private calls = 0;
  protected readonly reader: SqliteEventReader;
  private readonly appended = new EventEmitter();
  private readonly name: string;
  private readonly faults: FaultTracker;
  private readonly storeId: string;
  private pending: PendingAppend[] = [];
  /** The group the writer thread is committing: one at a time, so that later appends gather into the next. */
  private inFlight: { id: number; batch: PendingAppend[] } | null = null;
  private batches = 0;
  private flushScheduled = false;
  private commits = 0;
  /** Wakes from another connection (wakeSubscriptions): counted with commits, so a subscription never sleeps past one. */
  private wakes = 0;
  /** Set by close(): new appends are refused; those already accepted are still committed. */
  private closing: Promise<void> | null = null;
  private closed = false;
  /** Why the writer thread is gone, once it is (it ended without close()). */
  private lost: Error | null = null;
  private drained: (() => void) | null = null;
  private duringCommit: (() => void | Promise<void>) | null = null;
  /** While the duringCommit hook runs, the writer thread waits for it: no synchronous call may be made. */
  private hookRunning = false;
  /** The name of DATA_DIR's lock file when the store watches it (SqliteEventStoreOptions.lock). */
  private readonly lockName: string | null;
  /** Whether the -wal was copied into the database once a file was found replaced. */
  private rescued = false;
  private rescueAttempts = 0;
  private readonly watchTimer: NodeJS.Timeout;
  private readonly probeIntervalMs: number;
  /** When probe() last tried a write (ms since the epoch). */
  private lastProbe = 0;

  /**
   * Opens (or creates) the store at `file` and starts its writer thread. Throws
   * UnusableStoreFileError when the file is an SQLite database of another kind, and SQLite's error
   * when it cannot be opened at all. Appends made before the thread is up wait for it.
   */
  constructor(
    readonly file: string,
    options: SqliteEventStoreOptions = {},
  ) {
    super();
    this.name = basename(file);
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    // The schema is made here, on this thread, so that a file that is not an event store fails the
    // constructor; the writer thread then opens its own connection to it.
    const setup = new Database(file);
    try {
      this.refuseOtherDatabases(setup, file);
      setup.pragma('journal_mode = WAL');
      setup.pragma(`busy_timeout = ${busyTimeoutMs}`);
      setup.exec(`
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
      setup.prepare("INSERT OR IGNORE INTO store_meta (key, value) VALUES ('store_id', ?)").run(randomUUID());
      this.storeId = (setup.prepare("SELECT value FROM store_meta WHERE key = 'store_id'").get() as { value: string }).value;
      this.reader = new SqliteEventReader(new Database(file, { readonly: true }), this.name);
      this.reader.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      // The reader's first read opens the -wal and -shm, and keeps them while the setup connection
      // closes: the last connection to close would checkpoint and delete them. The schema's
      // version only (page 1): a damaged events table is quick_check's to report (openServerStore).
      this.reader.db.pragma('schema_version');
    } finally {
      setup.close();
    }
    // In WAL mode the -wal and -shm exist from the first read until the last connection closes.
    const watched: WatchedFile[] = [{ path: file }, { path: `${file}-wal` }, { path: `${file}-shm` }];
    this.lockName = options.lock ? basename(options.lock.file) : null;
    if (options.lock) {
      const consequence = 'this server no longer holds DATA_DIR, and another one may have started on it';
      watched.push({ path: options.lock.file, identity: options.lock.identity, consequence });
    }
    this.faults = new FaultTracker(watched);
    const { port1, port2 } = new MessageChannel();
    this.replies = port2;
    this.writer = startWriterThread({ file, busyTimeoutMs, replies: port1, signal: this.signal });
    this.writer.on('message', (reply: BatchReply) => this.onReply(reply));
    this.writer.on('error', (error) => this.lose(error));
    this.writer.on('exit', (code) => this.lose(new Error(`the writer thread exited (code ${code})`)));
    // Referenced only while appends wait for it (see flush): an idle store does not keep the process alive.
    this.writer.unref();
    this.appended.setMaxListeners(0);
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    // Also between commits: an idle server notices a replaced file (and saves its -wal) within a second.
    this.watchTimer = setInterval(() => this.checkFiles(), options.watchIntervalMs ?? 1000).unref();
  }

  /**
   * Appends `events` (at least one) to `streamId` if it stands at `expectedRevision` (a bigint
   * revision, or 'no_stream' / 'stream_exists' / 'any'). Resolves once the writer thread has
   * committed the group holding it (fsynced). Rejects with WrongExpectedRevisionError (nothing
   * written), EventStoreFullError, EventStoreUnavailableError (EventStoreReplacedError when a
   * store file was replaced), EventStoreCorruptError, or an Error when the store is closed.
   */
  appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new Error('The event store is closed'));
    if (this.lost) return Promise.reject(this.lostError());
    if (events.length === 0) return Promise.reject(new Error('appendToStream needs at least one event'));
    // Serialise now, so that a value JSON cannot hold fails this append alone, before the batch.
    const wire = events.map((e) => ({ id: e.id, type: e.type, dataText: JSON.stringify(e.data), metaText: JSON.stringify(e.metadata) }));
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ append: { streamId, events: wire, expected: expectedRevision }, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends every pending append to the writer thread as one group, unless a group is being committed. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inFlight || this.pending.length === 0) return this.settleIdle();
    const batch = this.pending;
    this.pending = [];
    if (this.lost) {
      for (const pending of batch) pending.reject(this.lostError());
      return this.settleIdle();
    }
    const before = this.checkFiles();
    if (before) {
      this.refuse(batch, before, 'nothing was written');
      return this.settleIdle();
    }
    const id = ++this.batches;
    this.inFlight = { id, batch };
    this.writer.ref();
    this.writer.postMessage({ type: 'batch', id, recordedAt: new Date().toISOString(), appends: batch.map((p) => p.append), hook: this.duringCommit !== null });
  }

  /** Nothing in flight and nothing pending: the thread need not keep the process alive, and close() may go on. */
  private settleIdle(): void {
    if (this.inFlight || this.pending.length > 0) return;
    this.writer.unref();
    this.drained?.();
  }

  private onReply(reply: BatchReply): void {
    if (reply.type === 'ready') return;
    if (reply.type === 'open-failed') return this.lose(toStoreError(rebuilt(reply.error), this.name) as Error);
    if (reply.type === 'hook') return this.runHook();
    const flight = this.inFlight;
    if (!flight || flight.id !== reply.id) return;
    this.inFlight = null;
    if (reply.type === 'failed') this.failed(flight.batch, reply.error);
    else this.committed(flight.batch, reply.outcomes);
    // Appends that arrived during the commit go into the next group at once.
    this.flush();
  }

  private failed(batch: readonly PendingAppend[], wire: WireError): void {
    const error = rebuilt(wire);
    const code = sqliteCode(error);
    const reason = faultReasonOf(code);
    if (code !== null && reason !== null) this.faults.note(reason, code, this.name);
    const mapped = toStoreError(error, this.name);
    for (const pending of batch) pending.reject(mapped);
  }

  private committed(batch: readonly PendingAppend[], outcomes: readonly WireOutcome[]): void {
    // Checked again before acknowledging: a file replaced during the commit may hold the group
    // only until this process ends. Its appends are refused, though this process may read them.
    const after = this.checkFiles();
    if (after) return this.refuse(batch, after, 'the write is not acknowledged');
    this.faults.cleared();
    this.commits++;
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok)
        pending.resolve({ nextExpectedRevision: outcome.nextExpectedRevision, position: { commit: outcome.position, prepare: outcome.position } });
      else if ('wrong' in outcome) pending.reject(new WrongExpectedRevisionError(outcome.wrong.streamId, outcome.wrong.expected, outcome.wrong.actual));
      else pending.reject(rebuilt(outcome.error));
    });
    // The writer's COMMIT returned before it answered: the reader sees the group from here on.
    this.appended.emit('appended');
  }

  /** The writer thread waits inside its transaction until the duringCommit hook (tests only) has run. */
  private runHook(): void {
    const done = (ok: boolean) => {
      this.hookRunning = false;
      Atomics.store(this.signal, 1, ok ? 1 : 2);
      Atomics.notify(this.signal, 1);
    };
    this.hookRunning = true;
    try {
      const result = this.duringCommit?.();
      if (result instanceof Promise)
        result.then(
          () => done(true),
          () => done(false),
        );
      else done(true);
    } catch {
      done(false);
    }
  }

  /** The writer thread ended without close(): every append waiting for it, and every later one, is refused. */
  private lose(error: unknown): void {
    if (this.lost || this.closed) return;
    this.lost = error instanceof Error ? error : new Error(String(error));
    // For /health until a restart: no commit can clear it, and probe() does not try.
    this.faults.note('unavailable', 'WRITER_THREAD_LOST', this.name, 'restart the server');
    const waiting = [...(this.inFlight?.batch ?? []), ...this.pending];
    this.inFlight = null;
    this.pending = [];
    for (const pending of waiting) pending.reject(this.lostError());
    this.settleIdle();
  }

  private lostError(): Error {
    if (this.lost instanceof EventStoreUnavailableError) return this.lost;
    return new EventStoreUnavailableError(`${this.name} cannot be written: its writer thread failed (${this.lost?.message})`, { cause: this.lost });
  }

  /**
   * A synchronous call to the writer thread (a pragma, a checkpoint, a probe write): this thread
   * waits for the answer (Atomics.wait), after the group the writer may be committing. Only for
   * rare work (faults, /health's probe, tests), never for an append.
   */
  private call(request: CallRequest): unknown {
    if (this.closed) throw new Error('The event store is closed');
    if (this.lost) throw this.lostError();
    const seq = ++this.calls;
    this.writer.postMessage({ ...request, seq });
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    for (let answered = Atomics.load(this.signal, 0); answered !== seq; answered = Atomics.load(this.signal, 0)) {
      // The writer may be waiting inside a commit for the duringCommit hook (tests only), which only
      // this thread can run: it would answer only after the hook, so the call is given up.
      if (Atomics.load(this.signal, 2) === 1) throw new Error('The writer thread waits for the duringCommit hook: it cannot be called meanwhile');
      if (Date.now() > deadline) throw new EventStoreUnavailableError(`${this.name}: its writer thread did not answer within ${CALL_TIMEOUT_MS} ms`);
      Atomics.wait(this.signal, 0, answered, 50);
    }
    // Answers to calls given up earlier come first: skipped.
    for (let message = receiveMessageOnPort(this.replies); message; message = receiveMessageOnPort(this.replies)) {
      const reply = message.message as CallReply;
      if (reply.seq !== seq) continue;
      if (!reply.ok) throw rebuilt(reply.error);
      return reply.value;
    }
    throw new EventStoreUnavailableError(`${this.name}: its writer thread answered nothing`);
  }

  /**
   * The watched files' fault, or null. When a store file is first found replaced, every commit still in
   * the -wal the writer's connection has open is copied into the events.sqlite it has open (a FULL
   * checkpoint, https://www.sqlite.org/pragma.html#pragma_wal_checkpoint) and that file fsynced:
   * a -wal unlinked under the server would otherwise take every acknowledged commit since the last
   * checkpoint with it when the process ends. The fault's detail says whether that worked.
   */
  private checkFiles(): StoreFault | null {
    if (this.closed) return this.faults.recorded();
    const fault = this.faults.checkFiles();
    // A lost lock leaves the store's files in place: nothing to save, and a second server may be
    // writing, which a full checkpoint would wait for. While the duringCommit hook runs (tests
    // only), the writer cannot be called: the next check copies.
    if (fault && !this.rescued && !this.hookRunning && this.faults.replacement?.file !== this.lockName) {
      // The first try waits for readers (FULL, up to the busy timeout); a reader in another process
      // may hold pages longer, so each later check (every second, each /health) copies what it can
      // without waiting (PASSIVE) until every page is in: a partial copy alone leaves a file whose
      // pages come from two moments.
      const mode = this.rescueAttempts++ === 0 ? 'FULL' : 'PASSIVE';
      try {
        const result = this.call({ type: 'checkpoint', mode }) as { busy: number; log: number; checkpointed: number };
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
    for (const pending of batch) pending.reject(error);
  }

  /**
   * A new file becomes an event store; an SQLite database that has tables but no events table
   * (another application's, a read-models file, a damaged store whose schema was lost) is not
   * taken over: adding the event tables to it would give it a new identity and an empty log that
   * the read models then follow. Throws UnusableStoreFileError naming the file.
   */
  private refuseOtherDatabases(db: Database.Database, file: string): void {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    if (tables.length > 0 && !tables.some((t) => t.name === 'events')) {
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
    // One look at the files per call: checkFiles records what it finds (and saves the -wal).
    this.checkFiles();
    return this.faults.recordedCondition();
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
    let checked = this.faults.recorded() === null;
    const fault = this.faults.recorded() ?? this.checkFiles();
    const probed = fault !== null && fault.reason !== 'replaced' && fault.reason !== 'corrupt' && !this.lost;
    if (probed && !this.closed && Date.now() - this.lastProbe >= this.probeIntervalMs) {
      this.lastProbe = Date.now();
      try {
        // On the writer thread, after the group it may be committing: this thread waits for it.
        this.call({ type: 'probe', value: new Date().toISOString() });
        checked = true;
        if (!this.checkFiles()) this.faults.cleared();
      } catch (error) {
        const code = sqliteCode(error);
        const reason = faultReasonOf(code);
        if (code === null || reason === null) throw error;
        this.faults.note(reason, code, this.name);
      }
    }
    // A replaced file is noticed at once, as by condition(), with no second look if one was just taken.
    if (!checked) this.checkFiles();
    return this.faults.recordedCondition();
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
   * raising it again gives the space back. Both apply to the writer thread's connection before it
   * commits anything more. `duringCommit` runs on this thread while the writer thread holds the
   * next group commits' transaction open, after their rows are written (e.g. to unlink the -wal
   * mid-commit); the writer waits until it returns, or until the promise it returns settles (it
   * rolls the group back if it throws or rejects). null removes it. https://www.sqlite.org/pragma.html
   */
  injectFaultForTests(fault: { readOnly?: boolean; maxPageCount?: number; duringCommit?: (() => void | Promise<void>) | null }): void {
    if (fault.readOnly !== undefined) this.call({ type: 'pragma', pragma: `query_only = ${fault.readOnly ? 1 : 0}` });
    if (fault.maxPageCount !== undefined) this.call({ type: 'pragma', pragma: `max_page_count = ${Math.floor(fault.maxPageCount)}` });
    if (fault.duringCommit !== undefined) this.duringCommit = fault.duringCommit;
  }

  /** The file's page count now (PRAGMA page_count, on the writer's connection), for the tests that fill it up. */
  pageCount(): number {
    return this.call({ type: 'pragma', pragma: 'page_count' }) as number;
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

  /** See subscribeToLog: catch-up, then each commit of this store object or wake (wakeSubscriptions). */
  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    return subscribeToLog(
      {
        reader: this.reader,
        signals: this.appended,
        ticks: () => this.commits + this.wakes,
        closed: () => this.closed,
        replaced: () => this.faults.recorded()?.reason === 'replaced',
      },
      options,
    );
  }

  /**
   * Refuses new appends, waits until every append already accepted is committed (and acknowledged)
   * or rejected, then ends the writer thread (which closes its connection) and the reader.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Let appends already accepted reach the disk before the connections close.
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      this.flush();
    });
    this.drained = null;
    clearInterval(this.watchTimer);
    const exited = new Promise<void>((resolve) => this.writer.once('exit', () => resolve()));
    this.closed = true;
    this.appended.emit('closed');
    // The reader first: the last connection to close checkpoints the -wal into the file and
    // removes it, and only the writer's connection can.
    this.reader.db.close();
    if (!this.lost) {
      // Referenced until it has closed its connection: the caller awaits that.
      this.writer.ref();
      this.writer.postMessage({ type: 'close' });
      await exited;
    }
  }
}
