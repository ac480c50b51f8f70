import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionRuntime } from '../../src/read-models/engine/projection-runtime';
import { BarDisplay } from '../../src/read-models/engine/rebuild-display';
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

      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^quotes: generation ${before + 1} is live \\((\\d+)/\\1 events\\)$`)));
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

  /** Runs the CLI to its exit; resolves with its exit code and what it printed. */
  function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const cli = spawnTs('src/read-models/rebuild.cli.ts', args, env);
    let stdout = '';
    let stderr = '';
    cli.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => cli.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('--help prints the usage and exits 0, without taking it for a projection or touching DATA_DIR', async () => {
    const dir = tempDir('newsroom-rebuild-cli-');
    try {
      const dataDir = join(dir.path, 'never-created');
      for (const args of [['--help'], ['quotes', '-h']]) {
        const { code, stdout, stderr } = await run(args, { DATA_DIR: dataDir });
        expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
        expect(stdout).toMatch(/^Usage: npm run projections:rebuild -- \[articles\|quotes\|corrections\|as_of \.\.\.\]\n/);
        expect(stdout).toMatch(/Exit codes: 0 /);
      }
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      dir.remove();
    }
  }, 60_000);

  it.each([
    ['a DATA_DIR that does not exist', 'missing'],
    ['an empty DATA_DIR', 'empty'],
  ])(
    'refuses %s with exit code 2 and creates no store there',
    async (_, name) => {
      const dir = tempDir('newsroom-rebuild-cli-');
      try {
        const dataDir = join(dir.path, name);
        if (name === 'empty') mkdirSync(dataDir);
        const { code, stdout, stderr } = await run([], { DATA_DIR: dataDir, EVENTSTORE_URL: '' });
        expect(code).toBe(2);
        expect(stderr).toContain(`No event store at ${join(dataDir, 'events.sqlite')}: DATA_DIR must name the server's data directory`);
        expect(stdout).not.toMatch(/Rebuilt/);
        expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(false);
        expect(existsSync(join(dataDir, 'read-models.sqlite'))).toBe(false);
      } finally {
        dir.remove();
      }
    },
    60_000,
  );

  it("counts progress in events of the log, up to the log's head", async () => {
    const dir = tempDir('newsroom-rebuild-cli-');
    const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    try {
      await seedStories(store, 68);
      // The embedded store numbers events 1, 2, 3...: the head's position is the number of events.
      const events = Number((await store.headPosition()).commit);
      expect(events).toBeGreaterThanOrEqual(68);
      await store.close();
      const { code, stdout } = await run(['articles', 'quotes'], { DATA_DIR: dir.path });
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`Rebuilding articles, quotes from ${events} events (the log's head is at position ${events})`);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^articles: generation \\d+ is live \\(${events}/${events} events\\)$`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^quotes: generation \\d+ is live \\(${events}/${events} events\\)$`)));
      expect(lines[lines.length - 1]).toMatch(new RegExp(`^Rebuilt articles, quotes: ${events} events each in `));
    } finally {
      await store.close();
      dir.remove();
    }
  }, 60_000);

  it('the progress bars end at N/N events, N the events the new generation processed', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    Object.assign(out, { isTTY: true, columns: 200 });
    const display = new BarDisplay(out);
    display.started(['quotes'], 68);
    display.swapped('quotes', 2, 68);
    display.stop();
    expect(text).toContain('quotes: generation 2 is live (68/68 events)');
    expect(text).toMatch(/ quotes \|\S+\| 68\/68 events \| done \|/);
    expect(text).not.toMatch(/\b1\/1 events/);
  });

  it('exits non-zero when the rebuild fails (a file that is not a store)', async () => {
    const dir = tempDir('newsroom-rebuild-cli-');
    try {
      writeFileSync(join(dir.path, 'events.sqlite'), 'not an SQLite database, only text standing in for one\n'.repeat(100));
      const { code, stdout, stderr } = await run([], { DATA_DIR: dir.path });
      expect(code).toBe(1);
      expect(stderr).toMatch(/not a database/);
      expect(stdout).not.toMatch(/^Rebuilt/m);
    } finally {
      dir.remove();
    }
  }, 60_000);
});
