import { existsSync } from 'node:fs';
import { runCli, UsageError } from '../cli/run-cli';
import { AppConfig, loadConfig } from '../config/app-config';
import { START } from '../event-store/event-store.port';
import { eventsFile, openEventStore } from '../event-store/event-store.module';
import { eventsAfter } from './engine/log-meter';
import { ProjectionRuntime } from './engine/projection-runtime';
import { projectionStatuses } from './engine/projection-status';
import { PROJECTIONS } from './projections.registry';
import { readModelsFile } from './engine/read-model-db';
import { BarDisplay, LineDisplay, RebuildDisplay } from './engine/rebuild-display';

const USAGE = `Usage: npm run projections:rebuild -- [articles|quotes|corrections|as_of ...]

Rebuilds the named projections (all by default) from the log into new generations beside the
live ones, which keep serving, and swaps each in once it has caught up. Runs beside a server.
Reads DATA_DIR/events.sqlite (DATA_DIR defaults to ./data), or EventStoreDB when EVENTSTORE_URL
is set; refuses a DATA_DIR that holds no event store. Progress is counted in events of the log.

Rebuilds catch up in catch-up mode: one read of the log for every rebuild, documents kept in
memory and written in large transactions. REBUILD_CATCH_UP=off rebuilds batch by batch instead
(the path before catch-up mode; bench/rebuild.ts compares the two); REBUILD_CATCH_UP=log-order
keeps catch-up mode but reads the log in log order only (as before stream-by-stream loads). A rebuild whose documents
outgrow catch-up mode's cache goes on batch by batch, and says so. On the embedded store a new
generation is loaded stream by stream (each article's documents built once): its progress counts
events loaded, and a load stopped before its end starts again from the beginning.

Exit codes: 0 every rebuild swapped in; 1 a rebuild failed (e.g. at a damaged event);
2 usage or configuration (an unknown projection, no event store in DATA_DIR).`;

/**
 * Refuses (UsageError, exit 2) a DATA_DIR without events.sqlite when EVENTSTORE_URL is unset:
 * opening it would create an empty store there and "rebuild" every read model from nothing,
 * which is never what a wrong or missing DATA_DIR meant (issue 14). Nothing is created.
 */
function requireEventStore(config: AppConfig): void {
  if (config.eventStoreUrl) return;
  const file = eventsFile(config.dataDir);
  if (!existsSync(file)) {
    throw new UsageError(`No event store at ${file}: DATA_DIR must name the server's data directory (or set EVENTSTORE_URL). Nothing was created.`);
  }
}

/**
 * `npm run projections:rebuild -- [name...]`: rebuilds the named projections (all by default)
 * into new generations beside the live ones, swaps each in once it has caught up, and drops
 * the old one. A server running on the same DATA_DIR keeps serving the old generation until
 * the swap, then follows the new one. Exit code 0 when every rebuild was swapped in.
 */
async function main(names: string[]): Promise<number> {
  const unknown = names.filter((name) => !PROJECTIONS.some((p) => p.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown projection(s): ${unknown.join(', ')}. Known: ${PROJECTIONS.map((p) => p.name).join(', ')}\n`);
    return 2;
  }
  const selected = names.length > 0 ? PROJECTIONS.filter((p) => names.includes(p.name)) : PROJECTIONS;
  const config = loadConfig();
  requireEventStore(config);
  const store = await openEventStore(config);
  // It does not follow the live generations (a server may), and it polls when caught up,
  // because appends by a server in another process do not wake this process's subscription.
  const runtime = new ProjectionRuntime({
    store,
    file: readModelsFile(config.dataDir),
    projections: selected,
    followLive: false,
    pollWhenCaughtUpMs: 250,
    catchUp: process.env.REBUILD_CATCH_UP === 'off' ? false : process.env.REBUILD_CATCH_UP === 'log-order' ? { streamOrder: false } : undefined,
  });
  const display: RebuildDisplay = process.stdout.isTTY ? new BarDisplay() : new LineDisplay();
  const started = Date.now();
  const pending = new Set(selected.map((p) => p.name));
  const processed = new Map<string, number>();
  const failedNames: string[] = [];
  let failed = false;
  try {
    const finished = new Promise<void>((resolve) => {
      const settle = (name: string) => pending.delete(name) && pending.size === 0 && resolve();
      runtime.events.on('swapped', (name, generation) => {
        const events = runtime.db.generation(name, generation)?.events ?? 0;
        processed.set(name, events);
        display.swapped(name, generation, events);
        settle(name);
      });
      runtime.events.on('leftCatchUp', (name, generation, missShare) => display.leftCatchUp(name, generation, missShare));
      runtime.events.on('failed', (name, generation, failure) => {
        failed = true;
        failedNames.push(name);
        display.failed(name, generation, failure);
        settle(name);
      });
    });
    const head = await store.headPosition();
    display.started(
      selected.map((p) => p.name),
      await eventsAfter(store, START, head),
      head.commit,
    );
    await runtime.start();
    for (const projection of selected) await runtime.rebuild(projection.name);
    const refresh = setInterval(() => void projectionStatuses(runtime).then((s) => display.progress(s)), display.refreshMs);
    await finished;
    clearInterval(refresh);
  } finally {
    display.stop();
    await runtime.close();
    await store.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const events = Math.max(0, ...processed.values());
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const perProjection = Math.round(events / seconds);
  if (failed) {
    const rebuilt = processed.size > 0 ? `; rebuilt ${[...processed.keys()].join(', ')}` : '';
    process.stdout.write(`Rebuild failed: ${failedNames.join(', ')} (see the FAILED line above)${rebuilt}; peak RSS ${peakMb} MB\n`);
    return 1;
  }
  process.stdout.write(
    `Rebuilt ${[...processed.keys()].join(', ')}: ${events} events each in ` +
      `${seconds.toFixed(1)} s, ${perProjection} events/s per projection (${perProjection * processed.size} in all); ` +
      `peak RSS ${peakMb} MB\n`,
  );
  return 0;
}

runCli(USAGE, main);
