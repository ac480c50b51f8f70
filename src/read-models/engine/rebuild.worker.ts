/**
 * The rebuild thread (started by RebuildThread, see rebuild-thread.ts): runs a Projector for each
 * generation being rebuilt that the owning runtime hands it, with its own connections to the
 * event store and the read-models file, and reports everything those projectors tell their hooks.
 * Their check against the log (checkFollows) is made here; what a failed check means is the
 * runtime's business. Its writers apply each batch before taking the file's write lock
 * (GenerationWriterOptions.prepareOutsideLock), so the live generations' commits never wait
 * behind a rebuild's apply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEventStoreForReading } from '../../event-store/event-store.module';
import { EventStore } from '../../event-store/event-store.port';
import { ReadOnlySqliteEventStore } from '../../event-store/read-only-sqlite-event-store';
import { PROJECTIONS } from '../projections.registry';
import { CatchUp, DEFAULT_CATCH_UP } from './catch-up';
import { GenerationWriter } from './generation-writer';
import { checkFollows } from './log-check';
import { clearedLoadMessage, Projector, ProjectorHooks } from './projector';
import { ReadModelDb } from './read-model-db';
import type { FromRebuildThread, RebuildThreadData, RemoteState, ToRebuildThread } from './rebuild-thread';

const data = workerData as RebuildThreadData;
const port = parentPort!;
const send = (message: FromRebuildThread) => port.postMessage(message);
const stateOf = (p: Projector): RemoteState => ({ state: p.state, retrying: p.retrying, checkpoint: p.checkpoint });
const messageOf = (error: unknown) => {
  // By its message, not `instanceof Error`: an error made in another realm fails that test (see Projector.retry).
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
};

interface Context {
  store: EventStore;
  storeId: string | null;
  db: ReadModelDb;
  catchUp: CatchUp | undefined;
  projectors: Map<number, Projector>;
}

async function open(): Promise<Context> {
  const store = await openEventStoreForReading({ dataDir: data.dataDir, eventStoreUrl: data.eventStoreUrl });
  const storeId = await store.identity();
  const db = new ReadModelDb(data.file);
  const catchUp = data.catchUp === false ? undefined : new CatchUp(store, { ...DEFAULT_CATCH_UP, ...data.catchUp });
  return { store, storeId, db, catchUp, projectors: new Map() };
}

function follow(context: Context, message: Extract<ToRebuildThread, { kind: 'follow' }>): void {
  const { store, storeId, db, catchUp, projectors } = context;
  const { id, name, generation } = message;
  const projection = PROJECTIONS.find((p) => p.name === name);
  if (!projection) throw new Error(`The rebuild thread knows no projection "${name}"`);
  const hooks: ProjectorHooks = {
    committed: (projector, outcome, caughtUp) => {
      if (outcome.kind !== 'applied') projectors.delete(id);
      send({ kind: 'committed', id, outcome, caughtUp, remote: stateOf(projector) });
    },
    transientError: (projector, error, during) => send({ kind: 'retrying', id, error: messageOf(error), during, remote: stateOf(projector) }),
    catchingUp: (projector, behind) => send({ kind: 'catching-up', id, behind, remote: stateOf(projector) }),
    clearedLoad: (_projector, events) => send({ kind: 'log', level: 'log', message: clearedLoadMessage(name, generation, events) }),
    leftCatchUp: (projector, missShare) => send({ kind: 'left-catch-up', id, missShare, remote: stateOf(projector) }),
    // As ProjectionRuntime.verify does for a generation being rebuilt.
    verify: async (projector) => {
      const row = db.generation(name, generation);
      // Retired meanwhile: its next batch finds out.
      if (!row || row.role === 'retired') return true;
      const check = await checkFollows(store, row, storeId);
      if (!check.follows) {
        projectors.delete(id);
        send({ kind: 'stale', id, reason: check.reason, remote: { ...stateOf(projector), state: 'stale' } });
        return false;
      }
      if (row.storeId === null || row.lastEventId === null) db.adoptOrigin(name, generation, storeId, check.lastEventId);
      return true;
    },
  };
  const writer = new GenerationWriter(db, projection, generation, { prepareOutsideLock: true });
  const projector = new Projector(store, writer, message.checkpoint, hooks, {
    batchSize: message.batchSize,
    pollWhenCaughtUpMs: message.pollWhenCaughtUpMs,
    catchUp,
  });
  projectors.set(id, projector);
  void projector.firstCheck.then(() => send({ kind: 'checked', id }));
  projector.start();
}

async function stop(context: Context, id: number): Promise<void> {
  const projector = context.projectors.get(id);
  context.projectors.delete(id);
  await projector?.stop();
  send({ kind: 'stopped', id, ...(projector ? { remote: stateOf(projector) } : {}) });
}

async function close(context: Context): Promise<void> {
  const projectors = [...context.projectors.values()];
  context.projectors.clear();
  await Promise.all(projectors.map((projector) => projector.stop()));
  context.db.close();
  await context.store.close();
  send({ kind: 'closed' });
}

// Messages wait for the connections, in order. A failure to open them ends the thread with that
// error (an unhandled rejection): the owner fails the generations it had handed over.
const ready = open();
port.on('message', (message: ToRebuildThread) => {
  void ready.then((context) => {
    switch (message.kind) {
      case 'follow':
        return follow(context, message);
      case 'stop':
        return stop(context, message.id);
      case 'wake':
        if (context.store instanceof ReadOnlySqliteEventStore) context.store.wakeSubscriptions();
        return;
      case 'close':
        return close(context);
    }
  });
});
