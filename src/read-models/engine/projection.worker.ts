/**
 * The projections' worker thread (started by ProjectionHost): a ProjectionRuntime with its own
 * connections to the event store (read-only: no writer thread of its own) and the read-models file, off the request loop. It sends the
 * slots' state with every runtime event, and rebuilds, stops and closes on request. Generations
 * being rebuilt run on a thread of their own (RebuildThread, started from here on the first
 * rebuild) until they reach the head, so that the live ones here never wait behind them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEventStoreForReading } from '../../event-store/event-store.module';
import { ReadOnlySqliteEventStore } from '../../event-store/read-only-sqlite-event-store';
import { PROJECTIONS } from '../projections.registry';
import { ProjectionRuntime, RuntimeEvents } from './projection-runtime';
import { RebuildThread } from './rebuild-thread';
import { FromWorker, ProjectionWorkerData, snapshotOf, tookWake, ToWorker } from './projection-thread';

const data = workerData as ProjectionWorkerData;
const wakeFlag = new Int32Array(data.wakeFlag);
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
  const store = await openEventStoreForReading({ dataDir: data.dataDir, eventStoreUrl: data.eventStoreUrl });
  const logger = {
    log: (message: string) => send({ kind: 'log', level: 'log', message }),
    error: (message: string) => send({ kind: 'log', level: 'error', message }),
  };
  const rebuildThread = new RebuildThread({ dataDir: data.dataDir, eventStoreUrl: data.eventStoreUrl, file: data.file }, logger);
  const runtime = new ProjectionRuntime({ store, file: data.file, projections: PROJECTIONS, rebuildThread, logger });
  const slots = () => [...runtime.slots.values()].map(snapshotOf);
  for (const event of ['progress', 'stopped', 'swapped', 'failed', 'stale', 'retrying', 'catchingUp', 'leftCatchUp'] as const) {
    runtime.events.on(event, (...args: RuntimeEvents[typeof event]) => send({ kind: 'event', event, args, slots: slots() }));
  }
  port.on('message', (message: ToWorker) => {
    switch (message.kind) {
      case 'wake':
        // Before the subscriptions read the log: a commit from here on wakes them again.
        tookWake(wakeFlag);
        if (store instanceof ReadOnlySqliteEventStore) store.wakeSubscriptions();
        rebuildThread.wake();
        return;
      case 'rebuild':
        runtime.rebuild(message.name).then(
          (row) => send({ kind: 'rebuilt', id: message.id, row }),
          (error: unknown) => send({ kind: 'rebuilt', id: message.id, error: messageOf(error) }),
        );
        return;
      case 'freeze-size': {
        // For the tests of a full read-models disk: this connection may not grow the file (SQLITE_FULL).
        const pages = message.frozen ? (runtime.db.sql.pragma('page_count', { simple: true }) as number) : 1_000_000_000;
        runtime.db.sql.pragma(`max_page_count = ${pages}`);
        send({ kind: 'size-frozen' });
        return;
      }
      case 'kill-rebuild-thread':
        // For the test of a rebuild thread that dies.
        void rebuildThread.kill().then(() => send({ kind: 'rebuild-thread-killed' }));
        return;
      case 'stop':
        void runtime.stop().then(() => send({ kind: 'stopped' }));
        return;
      case 'close':
        void runtime
          .close()
          .then(() => rebuildThread.close())
          .then(() => store.close())
          .then(() => send({ kind: 'closed' }));
        return;
    }
  });
  try {
    await runtime.start();
  } catch (error) {
    send({ kind: 'start-failed', message: messageOf(error) });
    return;
  }
  send({ kind: 'started', slots: slots() });
}

main().catch((error: unknown) => send({ kind: 'start-failed', message: messageOf(error) }));
