import { comparePositions, formatPosition } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionRuntime } from '../../src/read-models/engine/projection-runtime';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { ledgerProjection } from './support/ledger.projection';

/**
 * Child process for the kill -9 test: projects the log in the events file into the read-models
 * file, printing "checkpoint <position>" (the least advanced projection) after every commit,
 * until the parent kills it. The third argument picks the path: "batch" (batch by batch) or
 * "catch-up" (catch-up mode, flushing every 5,000 events so that the kill lands between flushes).
 */
const [eventsFile, readModelsFile, mode] = process.argv.slice(2);
const runtime = new ProjectionRuntime({
  store: new SqliteEventStore(eventsFile),
  file: readModelsFile,
  projections: [...PROJECTIONS, ledgerProjection],
  batchSize: 500,
  catchUp: mode === 'catch-up' ? { flushEvents: 5_000 } : false,
});
runtime.events.on('progress', () => {
  const positions = [...runtime.slots.values()].map((slot) => slot.livePosition);
  const least = positions.reduce((a, b) => (comparePositions(a, b) <= 0 ? a : b));
  process.stdout.write(`checkpoint ${formatPosition(least)}\n`);
});
runtime.start();
