import { createPublicKey, KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { withChain } from '../../src/ledger/event-chain';
import { verifyLedger, type LedgerReport } from '../../src/ledger/ledger-verify';
import { reportLines } from '../../src/ledger/ledger-verify.cli';
import { readLinesUntil, spawnTs } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp } from '../support/test-app';
import { playSeedArticle, SeedLife } from '../support/seed-life';
import { EventRow, rowAt, swapRows, tamperedCopy } from './support/tamper';

type Json = Record<string, unknown>;

/**
 * Tampering with a copy of the embedded store, as someone holding the SQLite file could: each
 * change is caught and named (stream, revision, position) by ledger:verify; the untouched copy passes.
 */
describe('ledger:verify on a tampered copy of the embedded store', () => {
  const base = tempDir('newsroom-ledger-base-');
  const copies: Array<{ remove(): void }> = [];
  let seed: SeedLife;
  let stream: string;
  let publicKey: KeyObject;
  /** The second checkpoint, as an outsider saved it from GET /api/ledger/checkpoints. */
  let saved: Json;

  beforeAll(async () => {
    const env = { LEDGER_CHECKPOINT_INTERVAL_SECONDS: '0' };
    const t: TestApp = await startTestApp({ dataDir: base.path, env });
    try {
      seed = await playSeedArticle(t);
      stream = `article-${seed.articleId}`;
      await playSeedArticle(t);
      await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('standards')).expect(201);
      const edit = await t.http
        .put(`/api/articles/${seed.articleId}/headline`)
        .set('Authorization', t.auth('editor'))
        .set('If-Match', `"${seed.last.revision}"`)
        .send({ headline: 'Merz meets Zelenskyy', reason: 'Sharper' })
        .expect(200);
      seed.last = edit.body;
      saved = (await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('standards')).expect(201)).body;
    } finally {
      await t.close({ keepData: true });
    }
    publicKey = createPublicKey(readFileSync(join(base.path, 'ledger-signing-key.pem')));
  });
  afterAll(() => {
    for (const copy of copies) copy.remove();
    base.remove();
  });

  /** verifyLedger on a copy of the base store changed by `change`. */
  async function verifyCopy(change: Parameters<typeof tamperedCopy>[2], outsider?: Json): Promise<{ report: LedgerReport; dir: string }> {
    const dir = tempDir('newsroom-ledger-copy-');
    copies.push(dir);
    tamperedCopy(base.path, dir.path, change);
    const store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    try {
      const report = await verifyLedger(store, { publicKey, outsider: outsider as never });
      return { report, dir: dir.path };
    } finally {
      await store.close();
    }
  }

  it('passes the untouched copy', async () => {
    const { report } = await verifyCopy(() => undefined);
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ articleStreams: 2, checkpoints: 2, unchainedEvents: 0, chainedEvents: 2 * (seed.corrected + 1) + 1 });
  });

  it('names an event one byte of whose data was changed', async () => {
    let row!: EventRow;
    const { report } = await verifyCopy((db) => {
      row = rowAt(db, stream, 1);
      expect(row.data).toContain('Istanbul');
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('Istanbul', 'Istanbum'), row.position);
    });
    expect(report.findings).toEqual([
      { kind: 'altered', stream, revision: 1, position: String(row.position), detail: expect.stringMatching(/no longer give its hash/) },
    ]);
  });

  it('names an event that was dropped', async () => {
    let next!: EventRow;
    const { report } = await verifyCopy((db) => {
      next = rowAt(db, stream, 3);
      db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 2').run(stream);
    });
    expect(report.findings).toEqual([{ kind: 'removed', stream, revision: 3, position: String(next.position), detail: 'revision 2 is missing before it' }]);
  });

  it('names the head of a stream that was dropped, which only the checkpoint knew', async () => {
    const { report } = await verifyCopy((db) => {
      db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = ?').run(stream, seed.last.revision);
    });
    expect(report.findings).toEqual([
      {
        kind: 'removed',
        stream,
        revision: seed.last.revision,
        position: null,
        detail: expect.stringMatching(`revision ${seed.last.revision} is missing, though checkpoint`),
      },
    ]);
  });

  it('names two events that were swapped', async () => {
    let second!: EventRow;
    const { report } = await verifyCopy((db) => {
      second = rowAt(db, stream, 2);
      swapRows(db, second, rowAt(db, stream, 3));
    });
    expect(report.findings[0]).toEqual({
      kind: 'reordered-or-inserted',
      stream,
      revision: 2,
      position: String(second.position),
      detail: expect.stringMatching(/reordered, inserted or removed here/),
    });
    // What follows in the same stream is named too (each event there no longer follows the one before it), and nothing else.
    expect(report.findings.map((f) => [f.kind, f.stream, f.revision])).toEqual([
      ['reordered-or-inserted', stream, 2],
      ['reordered-or-inserted', stream, 3],
      ['reordered-or-inserted', stream, 4],
    ]);
  });

  it('names a checkpoint whose signature was replaced', async () => {
    let ledgerRow!: EventRow;
    const { report } = await verifyCopy((db) => {
      ledgerRow = rowAt(db, 'ledger-checkpoints', 0);
      const other = JSON.parse(rowAt(db, 'ledger-checkpoints', 1).data) as Json;
      const data = { ...(JSON.parse(ledgerRow.data) as Json), signature: other.signature };
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), ledgerRow.position);
    });
    expect(report.findings).toEqual([
      {
        kind: 'checkpoint',
        stream: 'ledger-checkpoints',
        revision: 0,
        position: String(ledgerRow.position),
        detail: expect.stringMatching(/its signature does not hold/),
      },
    ]);
  });

  it('seals events written before the chain: they count as unchained, and a change to them shows at the first chained event', async () => {
    // The seed article as older code wrote it: no chain links, then one chained event after them.
    const dir = tempDir('newsroom-ledger-legacy-');
    copies.push(dir);
    const t = await startTestApp({ dataDir: dir.path, env: { LEDGER_CHECKPOINT_INTERVAL_SECONDS: '0' } });
    const legacy = await playSeedArticle(t);
    await t.close({ keepData: true });
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir.path, 'events.sqlite'));
    db.prepare("UPDATE events SET metadata = json_remove(metadata, '$.chain')").run();
    db.close();
    const again = await startTestApp({ dataDir: dir.path, env: { LEDGER_CHECKPOINT_INTERVAL_SECONDS: '0' } });
    await again.http
      .put(`/api/articles/${legacy.articleId}/headline`)
      .set('Authorization', again.auth('editor'))
      .set('If-Match', `"${legacy.last.revision}"`)
      .send({ headline: 'Merz meets Zelenskyy', reason: 'Sharper' })
      .expect(200);
    await again.http.post('/api/ledger/checkpoints').set('Authorization', again.auth('standards')).expect(201);
    const proof = (await again.http.get(`/api/articles/${legacy.articleId}/revisions/0/proof`).set('Authorization', again.auth('reporter')).expect(200)).body;
    expect(proof.events).toHaveLength(legacy.last.revision + 2);
    await again.close({ keepData: true });
    const key = createPublicKey(readFileSync(join(dir.path, 'ledger-signing-key.pem')));
    const legacyStream = `article-${legacy.articleId}`;

    const check = async (from: string) => {
      const store = new SqliteEventStore(join(from, 'events.sqlite'));
      try {
        return await verifyLedger(store, { publicKey: key });
      } finally {
        await store.close();
      }
    };
    const intact = await check(dir.path);
    expect(intact).toMatchObject({ findings: [], unchainedEvents: legacy.last.revision + 1, chainedEvents: 1 });

    const changed = tempDir('newsroom-ledger-legacy-changed-');
    copies.push(changed);
    tamperedCopy(dir.path, changed.path, (copy) => {
      const row = rowAt(copy, legacyStream, 1);
      copy.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('Istanbul', 'Istanbum'), row.position);
    });
    const report = await check(changed.path);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'altered', stream: legacyStream, revision: legacy.last.revision + 1, detail: expect.stringMatching(/unchained event/) }),
    ]);
  });

  it("catches a log rewritten with the newsroom's own key against a checkpoint an outsider saved", async () => {
    // The newsroom changes what the article said, recomputes every later hash, drops its old
    // checkpoints: its own log then looks whole. The checkpoint an outsider kept does not.
    const forge = (db: import('better-sqlite3').Database) => {
      let previous: string | null = (JSON.parse(rowAt(db, stream, 0).metadata) as { chain: { hash: string } }).chain.hash;
      for (let revision = 1; revision <= seed.last.revision; revision++) {
        const row = rowAt(db, stream, revision);
        const data = JSON.parse(revision === 1 ? row.data.replace('Istanbul', 'Ankara') : row.data) as Json;
        const chained = withChain(row.type, data as never, JSON.parse(row.metadata) as never, previous);
        db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(JSON.stringify(data), JSON.stringify(chained.metadata), row.position);
        previous = chained.hash;
      }
      db.prepare("DELETE FROM events WHERE stream_id = 'ledger-checkpoints'").run();
    };
    const own = await verifyCopy(forge);
    expect(own.report.findings).toEqual([]);
    const outsider = await verifyCopy(forge, saved);
    expect(outsider.report.findings.map((f) => f.kind)).toEqual(['removed', 'checkpoint']);
    expect(outsider.report.findings[1].detail).toMatch(/today's log does not give the saved checkpoint/);

    // The same through the CLI, with the checkpoint as a file: exit code 1, the finding named.
    const file = join(outsider.dir, 'saved-checkpoint.json');
    writeFileSync(file, JSON.stringify(saved));
    const cli = spawnTs('src/ledger/ledger-verify.cli.ts', ['--checkpoint', file], { DATA_DIR: outsider.dir });
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    const lines = await readLinesUntil(cli, (line) => line.startsWith('TAMPERED') || line.startsWith('Intact'));
    expect(await exited).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^CHECKPOINT ledger-checkpoints: today's log does not give the saved checkpoint/));
    expect(lines[lines.length - 1]).toMatch(/^TAMPERED: 2 finding\(s\); first: removed ledger-checkpoints/);
  });

  it('exits 0 on the untouched copy and 2 for a wrong argument (CLI)', async () => {
    const { dir } = await verifyCopy(() => undefined);
    const run = async (args: string[]) => {
      const cli = spawnTs('src/ledger/ledger-verify.cli.ts', args, { DATA_DIR: dir });
      let out = '';
      cli.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      cli.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
      return { code, out };
    };
    const intact = await run([]);
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/^Intact: \d+ events, 2 article streams \(\d+ chained events, 0 unchained, written before the chain\), 2 checkpoints/m);
    expect((await run(['--frobnicate'])).code).toBe(2);
  });

  it('warns when the log holds no checkpoint: with nothing signed, a rewrite with recomputed hashes cannot be told from the log alone', () => {
    const report = { findings: [], events: 3, articleStreams: 1, chainedEvents: 3, unchainedEvents: 0, checkpoints: 0, keyId: 'k' } as unknown as LedgerReport;
    const lines = reportLines(report);
    expect(lines[0]).toMatch(/^WARNING: no checkpoint in the log/);
    expect(lines[1]).toMatch(/^Intact: /);
    expect(reportLines({ ...report, checkpoints: 2 })).toHaveLength(1);
  });
});
