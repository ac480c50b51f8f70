import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JsonObject } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';

/** Runs `appenders` concurrent writers, each on its own stream, for `seconds`; events per second. */
async function appendRate(appenders: number, seconds: number, appendOne: (writer: number, revision: bigint) => Promise<unknown>) {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: appenders }, async (_, writer) => {
      for (let revision = -1n; Date.now() < end; revision++) {
        await appendOne(writer, revision);
        n++;
      }
    }),
  );
  return n / seconds;
}

/** Newsroom's embedded store: one event per append, with the expected revision. */
export async function embeddedAppendRate(dir: string, appenders: number, seconds: number, payload: JsonObject) {
  const store = new SqliteEventStore(join(dir, `embedded-${randomUUID()}.sqlite`));
  try {
    return await appendRate(appenders, seconds, (writer, revision) =>
      store.appendToStream(`bench-${writer}`, [{ id: randomUUID(), type: 'Bench', data: payload, metadata: {} }], revision < 0n ? 'no_stream' : revision),
    );
  } finally {
    await store.close();
  }
}

/**
 * The same workload through @event-driven-io/emmett-sqlite, a peer event store on SQLite. It
 * opens a connection per call and sets no busy timeout, so concurrent appends fail with
 * SQLITE_BUSY: its appends are queued one at a time, as an application would have to.
 */
export async function emmettAppendRate(dir: string, appenders: number, seconds: number, payload: JsonObject) {
  const store = getSQLiteEventStore({ fileName: join(dir, `emmett-${randomUUID()}.sqlite`), schema: { autoMigration: 'CreateOrUpdate' } });
  let queue: Promise<unknown> = Promise.resolve();
  return appendRate(appenders, seconds, (writer, revision) => {
    const append = () =>
      store.appendToStream(`bench-${writer}`, [{ type: 'Bench', data: payload }], {
        // emmett counts stream versions from 1; 0 means "no stream yet".
        expectedStreamVersion: revision + 1n,
      });
    // Even one at a time it now and then reports SQLITE_BUSY; such an append wrote nothing, so
    // it is retried (and counted) rather than ending the run.
    const attempt = async (): Promise<unknown> => {
      try {
        return await append();
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        emmettRetries++;
        return attempt();
      }
    };
    queue = queue.then(attempt, attempt);
    return queue;
  });
}

/** How many emmett-sqlite appends were retried after SQLITE_BUSY in this process. */
export let emmettRetries = 0;
