import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import { AllSubscription, AppendResult, EventStore, EventToAppend, ExpectedRevision, SubscribeToAllOptions } from './event-store.port';
import { FaultTracker } from './fault-tracker';
import { SqliteEventReader } from './sqlite-event-reader';
import { SqliteLogReads } from './sqlite-log-reads';
import { toStoreError } from './sqlite-errors';
import { subscribeToLog } from './sqlite-log-subscription';

/** Thrown by ReadOnlySqliteEventStore.appendToStream: a reader was asked to write. */
export class ReadOnlyEventStoreError extends Error {
  constructor(file: string) {
    super(`${file} is open read-only here (a read models thread's store): appends go through the server's store`);
    this.name = 'ReadOnlyEventStoreError';
  }
}

/**
 * An embedded store's log, for threads that only read it (the projections and rebuild workers):
 * one read-only SQLite connection, and no writer thread, no write connection, no watch timer and
 * no -wal rescue (all the server's store's). It reads as SqliteEventStore does (same reader, same
 * subscriptions); its subscriptions read the log again when woken (wakeSubscriptions), since the
 * commits are another store object's. Appends are refused (ReadOnlyEventStoreError).
 *
 * The file must be an event store that another connection holds open (the server's, or the
 * rebuild CLI's SqliteEventStore): a read-only connection neither creates the schema nor the
 * -wal and -shm. Each time a subscription is about to read, the file, its -wal and -shm are
 * checked to be still the ones opened (three stat(2) calls): once one is replaced, delivery stops,
 * as on the server's store.
 */
export class ReadOnlySqliteEventStore extends SqliteLogReads implements EventStore {
  readonly kind = 'embedded';
  protected readonly reader: SqliteEventReader;
  private readonly signals = new EventEmitter();
  private readonly name: string;
  private readonly faults: FaultTracker;
  private readonly storeId: string;
  private wakes = 0;
  private closed = false;

  /**
   * Opens `file` read-only. Throws the port's error for SQLite's (toStoreError) when it cannot be
   * opened or read, and an Error when it holds no event store (no store_meta identity).
   */
  constructor(
    readonly file: string,
    options: { busyTimeoutMs?: number } = {},
  ) {
    super();
    this.name = basename(file);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      const row = db.prepare<[], { value: string }>("SELECT value FROM store_meta WHERE key = 'store_id'").get();
      if (!row) throw new Error(`${file} has no store identity: it is not an event store`);
      this.storeId = row.value;
      this.reader = new SqliteEventReader(db, this.name);
      // Opened by the read above, and watched from now on.
      this.faults = new FaultTracker([{ path: file }, { path: `${file}-wal` }, { path: `${file}-shm` }]);
    } catch (error) {
      db.close();
      throw toStoreError(error, this.name);
    }
    this.signals.setMaxListeners(0);
  }

  /** Always rejects with ReadOnlyEventStoreError: nothing is written through this store. */
  appendToStream(_streamId: string, _events: readonly EventToAppend[], _expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return Promise.reject(new ReadOnlyEventStoreError(this.name));
  }

  /** The UUID in the file's store_meta (see SqliteEventStore.identity). */
  async identity(): Promise<string> {
    return this.storeId;
  }

  /** Another connection has committed: the live subscriptions read the log again now. */
  wakeSubscriptions(): void {
    this.wakes++;
    this.signals.emit('appended');
  }

  /** See subscribeToLog: catch-up, then whatever each wake (wakeSubscriptions) finds. */
  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    return subscribeToLog(
      {
        reader: this.reader,
        signals: this.signals,
        ticks: () => this.wakes,
        closed: () => this.closed,
        replaced: () => this.faults.checkFiles()?.reason === 'replaced',
      },
      options,
    );
  }

  /** Ends the subscriptions and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signals.emit('closed');
    this.reader.db.close();
  }
}
