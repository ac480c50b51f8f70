import Database from 'better-sqlite3';
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { verifyLedger, type LedgerReport } from '../../src/ledger/ledger-verify';
import { EsdbTestServer, startEsdbTestServer } from '../eventstoredb/esdb-test-server';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp } from '../support/test-app';
import { checkProof, type Proof } from './support/rfc9162-verifier';
import { playSeedArticle, SeedLife } from '../support/seed-life';
import { rowAt } from './support/tamper';

/**
 * The ledger on EventStoreDB (through the protocol test double): the write side chains events on
 * this store too, checkpoints and proofs work with its positions, and ledger:verify reading
 * through the adapter passes the untouched log and names an event changed in the server's storage.
 */
describe('the ledger on EventStoreDB (through the protocol test server)', () => {
  const dir = tempDir('newsroom-ledger-esdb-');
  const file = join(dir.path, 'esdb.sqlite');
  let esdb: EsdbTestServer;
  let t: TestApp;
  let seed: SeedLife;
  let publicKeyPem: string;

  beforeAll(async () => {
    esdb = await startEsdbTestServer({ file });
    t = await startTestApp({ env: { EVENTSTORE_URL: esdb.url, LEDGER_CHECKPOINT_INTERVAL_SECONDS: '0' } });
    seed = await playSeedArticle(t);
  });
  let appClosed = false;
  afterAll(async () => {
    if (!appClosed) await t.close();
    await esdb.stop();
    dir.remove();
  });

  const verify = async (): Promise<LedgerReport> => {
    const store = await EventStoreDbEventStore.connect(esdb.url);
    try {
      return await verifyLedger(store, { publicKey: createPublicKey(publicKeyPem) });
    } finally {
      await store.close();
    }
  };

  it('chains, checkpoints and proves the seed article, checked by an independent RFC 9162 verifier', async () => {
    const events = await t.eventStore.readStream(`article-${seed.articleId}`);
    expect(events.every((e) => typeof (e.metadata.chain as { hash?: unknown })?.hash === 'string')).toBe(true);
    publicKeyPem = (await t.http.get('/api/ledger/key').set('Authorization', t.auth('reporter')).expect(200)).body.publicKeyPem;
    const checkpoint = (await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('standards')).expect(201)).body;
    // EventStoreDB positions: commit/prepare.
    expect(checkpoint.logPosition).toMatch(/^\d+\/\d+$/);
    const proof = (await t.http.get(`/api/articles/${seed.articleId}/revisions/${seed.published}/proof`).set('Authorization', t.auth('reporter')).expect(200))
      .body as Proof;
    expect(checkProof(proof, publicKeyPem)).toBeNull();
  });

  it('passes the untouched log', async () => {
    const report = await verify();
    expect(report).toMatchObject({ findings: [], articleStreams: 1, checkpoints: 1, chainedEvents: seed.corrected + 1 });
  });

  it("names an event one byte of whose data was changed in the server's storage", async () => {
    await t.close();
    appClosed = true;
    await esdb.stop();
    const db = new Database(file);
    const row = rowAt(db, `article-${seed.articleId}`, 0);
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('Olaf Merz', 'Olaf Merk'), row.position);
    db.close();
    await esdb.start();
    const report = await verify();
    expect(report.findings).toEqual([
      {
        kind: 'altered',
        stream: `article-${seed.articleId}`,
        revision: 0,
        position: expect.stringMatching(/^\d+\/\d+$/),
        detail: expect.stringMatching(/no longer give its hash/),
      },
    ]);
  });
});
