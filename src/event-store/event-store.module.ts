import { Global, Inject, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EventStoreCorruptError } from './event-store.errors';
import { EVENT_STORE, EventStore } from './event-store.port';
import { ServerLock } from './server-lock';
import { ReadOnlySqliteEventStore } from './read-only-sqlite-event-store';
import { SqliteEventStore } from './sqlite-event-store';
import { sqliteCode } from './sqlite-errors';
import { unusableStoreFile } from './store-file';
import { HEALTHY, isStoreHealth, STORE_HEALTH } from './store-health';

/** The lock a server holds on its embedded store (null on EventStoreDB). */
export const SERVER_LOCK = Symbol('SERVER_LOCK');

/** The embedded store's file in DATA_DIR. */
export function eventsFile(dataDir: string): string {
  return join(dataDir, 'events.sqlite');
}

/**
 * Opens the configured store: EventStoreDB when EVENTSTORE_URL is set, else the embedded one,
 * watching `lock` (the server's) when given: it stops writing should the lock's file go.
 */
export async function openEventStore(config: Pick<AppConfig, 'dataDir' | 'eventStoreUrl'>, lock: ServerLock | null = null): Promise<EventStore> {
  if (config.eventStoreUrl) {
    // Loaded lazily so that only the EventStoreDB adapter's folder imports its client.
    const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store');
    return EventStoreDbEventStore.connect(config.eventStoreUrl);
  }
  return new SqliteEventStore(eventsFile(config.dataDir), lock ? { lock } : {});
}

/**
 * The configured store for a thread that only reads it (the projections and rebuild workers):
 * EventStoreDB as openEventStore connects to it, else a ReadOnlySqliteEventStore (no writer
 * thread; appends rejected with ReadOnlyEventStoreError) on the embedded store's file, which the
 * server's (or the rebuild CLI's) SqliteEventStore must hold open. Throws what opening throws.
 */
export async function openEventStoreForReading(config: Pick<AppConfig, 'dataDir' | 'eventStoreUrl'>): Promise<EventStore> {
  if (config.eventStoreUrl) return openEventStore(config);
  return new ReadOnlySqliteEventStore(eventsFile(config.dataDir));
}

/**
 * The store as the server opens it: the embedded one only under DATA_DIR's lock (taken by the
 * SERVER_LOCK provider) and only once SQLite's quick_check finds the file sound; a damaged file
 * is refused with EventStoreCorruptError rather than served.
 */
export async function openServerStore(config: AppConfig, lock: ServerLock | null, logger = new Logger('EventStore')): Promise<EventStore> {
  try {
    let store: EventStore;
    try {
      store = await openEventStore(config, lock);
    } catch (error) {
      // SQLite cannot even open the file (truncated, not a database): the same advice as quick_check's.
      if (config.eventStoreUrl || sqliteCode(error) === null) throw error;
      const why = unusableStoreFile(eventsFile(config.dataDir), error).message;
      throw new EventStoreCorruptError(`${why}. Refusing to start: run \`npm run store:check\`, then \`npm run store:restore -- <backup>\`.`, {
        cause: error,
      });
    }
    if (!(store instanceof SqliteEventStore)) return store;
    const started = Date.now();
    const problems = store.quickCheck();
    if (problems.length > 0) {
      await store.close();
      throw new EventStoreCorruptError(
        `${store.file} fails SQLite's quick_check: ${problems.slice(0, 5).join('; ')}. Refusing to start: run ` +
          '`npm run store:check` to find the damaged events, then `npm run store:restore -- <backup>`.',
      );
    }
    logger.log(`${store.file}: quick_check ok in ${Date.now() - started} ms`);
    return store;
  } catch (error) {
    lock?.release();
    throw error;
  }
}

@Global()
@Module({
  providers: [
    {
      provide: SERVER_LOCK,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.eventStoreUrl ? null : ServerLock.acquire(config.dataDir)),
    },
    {
      provide: EVENT_STORE,
      inject: [APP_CONFIG, SERVER_LOCK],
      useFactory: (config: AppConfig, lock: ServerLock | null) => openServerStore(config, lock),
    },
    {
      provide: STORE_HEALTH,
      inject: [EVENT_STORE],
      useFactory: (store: EventStore) => (isStoreHealth(store) ? store : HEALTHY),
    },
  ],
  exports: [EVENT_STORE, STORE_HEALTH],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(SERVER_LOCK) private readonly lock: ServerLock | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    this.lock?.release();
  }
}
