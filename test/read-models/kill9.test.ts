import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionRuntime } from '../../src/read-models/engine/projection-runtime';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { readLinesUntil, spawnTs } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';
import { ledgerProjection } from './support/ledger.projection';
import { cleanBuild, fingerprint, liveDocs } from './support/read-models-file';
import { seedStories } from './support/seed';

const EVENTS = 50_000;

/** Every event in the ledger exactly once, and nothing after the checkpoint: a prefix of the log. */
function expectLedgerIsPrefix(file: string, upTo: number): void {
  const seen = liveDocs(file, 'ledger', 'seen') as Record<string, { times: number }>;
  const wrong = Object.entries(seen).filter(([position, { times }]) => times !== 1 || Number(position) > upTo);
  expect(wrong).toEqual([]);
  expect(Object.keys(seen).length).toBe(upTo);
}

describe.each(['batch', 'catch-up'])('projection runtime under kill -9, catching up %s', (mode) => {
  it('leaves every read model at a prefix of the log, and a restart finishes exactly once', async () => {
    const dir = tempDir('newsroom-rm-kill9-');
    const eventsFile = join(dir.path, 'events.sqlite');
    const readModels = join(dir.path, 'read-models.sqlite');
    let store = new SqliteEventStore(eventsFile);
    try {
      const { position: head } = await seedStories(store, EVENTS);
      await store.close();

      const child = spawnTs('test/read-models/project-forever.child.ts', [eventsFile, readModels, mode]);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await readLinesUntil(child, (line) => line.startsWith('checkpoint ') && Number(line.slice(11)) >= 10_000);
      child.kill('SIGKILL');
      await exited;

      // What the killed process left: each projection at its own committed checkpoint, mid-way.
      const db = new Database(readModels, { readonly: true });
      const checkpoints = Object.fromEntries(
        (
          db.prepare("SELECT projection, checkpoint FROM projection_generations WHERE role = 'live'").all() as Array<{ projection: string; checkpoint: string }>
        ).map((row) => [row.projection, Number(row.checkpoint)]),
      );
      db.close();
      expect(Object.keys(checkpoints).sort()).toEqual([...PROJECTIONS.map((p) => p.name), 'ledger'].sort());
      expect(checkpoints.ledger).toBeGreaterThanOrEqual(10_000);
      expect(checkpoints.ledger).toBeLessThan(Number(head.commit));
      expectLedgerIsPrefix(readModels, checkpoints.ledger);

      store = new SqliteEventStore(eventsFile);
      const runtime = new ProjectionRuntime({ store, file: readModels, projections: [...PROJECTIONS, ledgerProjection] });
      runtime.start();
      try {
        // Generous: 40,000 events to catch up on a loaded CI machine. The runtime is closed
        // whatever happens, so that a slow run fails this test instead of hanging jest.
        await runtime.waitFor(head, 240_000);
      } finally {
        await runtime.close();
      }

      expectLedgerIsPrefix(readModels, Number(head.commit));
      expect(fingerprint(readModels)).toEqual(await cleanBuild(store, dir.path, [...PROJECTIONS, ledgerProjection]));
    } finally {
      await store.close();
      dir.remove();
    }
  }, 400_000);
});
