import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionRuntime } from '../../src/read-models/engine/projection-runtime';
import { PROJECTIONS } from '../../src/read-models/projections.registry';
import { readLinesUntil, spawnTs } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';
import { cleanBuild, fingerprint } from './support/read-models-file';
import { seedStories } from './support/seed';

describe('rebuild CLI', () => {
  it('rebuilds beside a running server that keeps appending; the server then follows the new generation', async () => {
    const dir = tempDir('newsroom-rebuild-cli-');
    const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    const file = join(dir.path, 'read-models.sqlite');
    // This process plays the server: it follows the live generations and appends meanwhile.
    const server = new ProjectionRuntime({ store, file, projections: PROJECTIONS });
    try {
      await seedStories(store, 4000);
      server.start();
      await server.waitFor(await store.headPosition(), 30_000);
      const before = server.db.withRole('quotes', 'live')!.generation;

      const cli = spawnTs('src/read-models/rebuild.cli.ts', ['quotes'], { DATA_DIR: dir.path });
      const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
      let writing = true;
      const writes = (async () => {
        for (let seed = 100; writing; seed++) await seedStories(store, 20, seed);
      })();
      const lines = await readLinesUntil(cli, (line) => line.startsWith('Rebuilt') || line.startsWith('Rebuild failed'));
      writing = false;
      await writes;
      expect(await exited).toBe(0);

      expect(lines).toContain(`quotes: generation ${before + 1} is live`);
      expect(lines[lines.length - 1]).toMatch(/^Rebuilt quotes: \d+ events each in [\d.]+ s, \d+ events\/s per projection .*peak RSS \d+ MB$/);
      // The server notices the swap at its next batch and follows the new generation from there.
      const { position } = await seedStories(store, 20, 999);
      await server.waitFor(position, 30_000);
      expect(server.slot('quotes')!.live!.generation).toBe(before + 1);
      expect(server.db.generations('quotes').map((g) => g.role)).toEqual(['live']);
      expect(fingerprint(file)).toEqual(await cleanBuild(store, dir.path));
    } finally {
      await server.close();
      await store.close();
      dir.remove();
    }
  }, 120_000);

  it('refuses an unknown projection name with exit code 2', async () => {
    const dir = tempDir('newsroom-rebuild-cli-');
    try {
      const cli = spawnTs('src/read-models/rebuild.cli.ts', ['nope'], { DATA_DIR: dir.path });
      let stderr = '';
      cli.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
      expect(code).toBe(2);
      expect(stderr).toMatch(/Unknown projection\(s\): nope\. Known: articles, quotes, corrections/);
    } finally {
      dir.remove();
    }
  }, 60_000);
});
