import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MERZ_RIGHT, MERZ_WRONG } from '../support/seed-article';
import { startTestApp, TestApp } from '../support/test-app';
import { tempDir } from '../support/temp-dir';
import { Ledger } from '../../src/ledger/ledger';
import { checkProof, type Proof } from './support/rfc9162-verifier';
import { playSeedArticle, SeedLife } from '../support/seed-life';

type Json = Record<string, unknown>;

/** The seed article's life, its chain in the store, a checkpoint on demand, the key, and proofs a third party checks. */
describe('the ledger (e2e, embedded store)', () => {
  const dir = tempDir('newsroom-ledger-e2e-');
  // Checkpoints on demand only: the test decides when one is made.
  const env = { LEDGER_CHECKPOINT_INTERVAL_SECONDS: '0' };
  let t: TestApp;
  let seed: SeedLife;
  let publicKeyPem: string;

  beforeAll(async () => {
    t = await startTestApp({ dataDir: dir.path, env });
    seed = await playSeedArticle(t);
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const get = (path: string) => t.http.get(path).set('Authorization', t.auth('reporter'));

  it('chains every event of the article stream to the one before it', async () => {
    const events = await t.eventStore.readStream(`article-${seed.articleId}`);
    expect(events).toHaveLength(seed.corrected + 1);
    let previous: string | null = null;
    for (const event of events) {
      const chain = event.metadata.chain as { previous: string | null; hash: string };
      expect(chain.previous).toBe(previous);
      expect(chain.hash).toMatch(/^[0-9a-f]{64}$/);
      previous = chain.hash;
    }
  });

  it('serves the public key as PEM and JWK, from a development key file only its owner can read', async () => {
    const key = (await get('/api/ledger/key').expect(200)).body as Json;
    expect(key).toMatchObject({
      algorithm: 'Ed25519',
      publicKeyPem: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/),
      jwk: { kty: 'OKP', crv: 'Ed25519' },
    });
    publicKeyPem = key.publicKeyPem as string;
    expect(statSync(join(dir.path, 'ledger-signing-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('has no proof before a checkpoint covers the revision, and 404s for a revision the article does not have', async () => {
    const none = await get(`/api/articles/${seed.articleId}/revisions/${seed.published}/proof`).expect(404);
    // The test app signs only on demand (LEDGER_CHECKPOINT_INTERVAL_SECONDS=0), and the problem says so, not "within 0 s".
    expect(none.body.detail).toMatch(/No checkpoint covers revision .*: checkpoints are signed only on demand \(POST \/api\/ledger\/checkpoints\)$/);
    await get(`/api/articles/${seed.articleId}/revisions/99/proof`).expect(404);
    await get(`/api/articles/${seed.articleId}/revisions/x/proof`).expect(400);
    expect((await get('/api/ledger/checkpoints').expect(200)).body).toEqual({ items: [], nextCursor: null });
  });

  it('signs a checkpoint on demand for the standards desk (not for a reporter), and serves it latest first', async () => {
    await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('reporter')).expect(403);
    // The request takes no fields: one exact schema, as every command's.
    const unknown = await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('standards')).send({ foo: 1 }).expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'foo', message: 'is not a field of this request' }]);
    const first = (await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('standards')).expect(201)).body as Json;
    expect(first).toMatchObject({
      treeSize: 1,
      rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      timestamp: expect.any(Number),
      signature: expect.any(String),
    });
    const second = (await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('admin')).expect(201)).body as Json;
    const list = (await get('/api/ledger/checkpoints?limit=1').expect(200)).body as { items: Json[]; nextCursor: string };
    expect(list.items).toEqual([second]);
    const older = (await get(`/api/ledger/checkpoints?limit=1&cursor=${list.nextCursor}`).expect(200)).body;
    expect(older).toEqual({ items: [first], nextCursor: null });
    await get('/api/ledger/checkpoints?limit=0').expect(400);
  });

  it('proves the published revision ("Olaf Merz") and the whole stream, checked by an independent RFC 9162 verifier', async () => {
    const proof = (await get(`/api/articles/${seed.articleId}/revisions/${seed.published}/proof`).expect(200)).body as Proof;
    expect(checkProof(proof, publicKeyPem)).toBeNull();
    expect(proof.events.map((e) => e.revision)).toEqual([seed.published, seed.published + 1, seed.corrected]);
    // The proof of revision 0 holds every event: what readers saw at any revision can be rebuilt and checked.
    const whole = (await get(`/api/articles/${seed.articleId}/revisions/0/proof`).expect(200)).body as Proof;
    expect(checkProof(whole, publicKeyPem)).toBeNull();
    expect(JSON.stringify(whole.events[0].data)).toContain(MERZ_WRONG);
    expect(JSON.stringify(whole.events[whole.events.length - 2].data)).toContain(MERZ_RIGHT);

    // A proof whose content was changed, or whose signature is another's, fails.
    const edited = structuredClone(whole);
    edited.events[0].data = JSON.parse(JSON.stringify(edited.events[0].data).replace(MERZ_WRONG, MERZ_RIGHT));
    expect(checkProof(edited, publicKeyPem)).toMatch(/revision 0: its content does not give its hash/);
    const resigned = { ...proof, checkpoint: { ...proof.checkpoint, signature: Buffer.alloc(64, 7).toString('base64') } };
    expect(checkProof(resigned, publicKeyPem)).toBe('the signature does not hold');
  });

  it('proves against a tree of many streams, and a newer revision only once a checkpoint covers it', async () => {
    const other = await playSeedArticle(t);
    const headline = await t.http
      .put(`/api/articles/${seed.articleId}/headline`)
      .set('Authorization', t.auth('editor'))
      .set('If-Match', `"${seed.last.revision}"`)
      .send({ headline: 'Merz meets Zelenskyy', reason: 'Sharper' })
      .expect(200);
    await get(`/api/articles/${seed.articleId}/revisions/${headline.body.revision}/proof`).expect(404);
    const checkpoint = (await t.http.post('/api/ledger/checkpoints').set('Authorization', t.auth('standards')).expect(201)).body as Json;
    expect(checkpoint.treeSize).toBe(2);
    for (const [id, revision] of [
      [seed.articleId, headline.body.revision],
      [other.articleId, other.published],
    ] as const) {
      const proof = (await get(`/api/articles/${id}/revisions/${revision}/proof`).expect(200)).body as Proof;
      expect(proof.checkpoint).toEqual(checkpoint);
      expect(checkProof(proof, publicKeyPem)).toBeNull();
    }
    seed.last = headline.body;
  });

  it('keeps an idempotent repeat out of the chain: nothing appended, no hash changed', async () => {
    const send = () =>
      t.http
        .put(`/api/articles/${seed.articleId}/standfirst`)
        .set('Authorization', t.auth('editor'))
        .set('If-Match', `"${seed.last.revision}"`)
        .set('Idempotency-Key', 'ledger-standfirst-1')
        .send({ standfirst: 'A new standfirst', reason: 'Clearer' });
    const first = await send().expect(200);
    const before = await t.eventStore.readStream(`article-${seed.articleId}`);
    const again = await send().expect(200);
    expect(again.body).toEqual(first.body);
    const after = await t.eventStore.readStream(`article-${seed.articleId}`);
    expect(after.map((e) => e.metadata.chain)).toEqual(before.map((e) => e.metadata.chain));
    const last = after[after.length - 1].metadata.chain as { previous: string };
    expect(last.previous).toBe((after[after.length - 2].metadata.chain as { hash: string }).hash);
  });

  it('signs at the interval only when a head changed since the last checkpoint', async () => {
    const ledger = t.app.get(Ledger);
    const signed = await ledger.tick();
    // The idempotent edit above changed a head since the last checkpoint; then nothing did.
    expect(signed).toMatchObject({ treeSize: 2 });
    expect(await ledger.tick()).toBeNull();
    expect((await get('/api/ledger/checkpoints?limit=1').expect(200)).body.items).toEqual([signed]);
  });

  it('signs on its own at the configured interval', async () => {
    const dataDir = tempDir('newsroom-ledger-interval-');
    const timed = await startTestApp({ dataDir: dataDir.path, removeDataDirOnClose: true, env: { LEDGER_CHECKPOINT_INTERVAL_SECONDS: '1' } });
    try {
      const life = await playSeedArticle(timed);
      // Waits for the interval's checkpoint to reach the log (no assertion on how long it takes).
      const subscription = timed.eventStore.subscribeToAll({ after: { commit: BigInt(life.last.position), prepare: BigInt(life.last.position) } });
      let signed: Json | undefined;
      try {
        for await (const recorded of subscription) {
          if (recorded.streamId === 'ledger-checkpoints') {
            signed = recorded.data as Json;
            break;
          }
        }
      } finally {
        await subscription.close();
      }
      // On a slow machine the seed article's life spans more than one interval, so earlier
      // checkpoints may cover part of it; each one was signed because a head had changed.
      const items = (await timed.http.get('/api/ledger/checkpoints').set('Authorization', timed.auth('reporter')).expect(200)).body.items as Json[];
      expect(items[0]).toMatchObject({ checkpointId: signed!.checkpointId, treeSize: 1 });
      expect(new Set(items.map((item) => item.rootHash)).size).toBe(items.length);
      await timed.http.get(`/api/articles/${life.articleId}/revisions/0/proof`).set('Authorization', timed.auth('reporter')).expect(200);
    } finally {
      await timed.close();
    }
  }, 30_000);

  it('keeps its checkpoints and proofs across a restart: they are events of the log', async () => {
    const before = (await get('/api/ledger/checkpoints').expect(200)).body;
    await t.close({ keepData: true });
    t = await startTestApp({ dataDir: dir.path, env });
    expect((await get('/api/ledger/checkpoints').expect(200)).body).toEqual(before);
    expect((await get('/api/ledger/key').expect(200)).body.publicKeyPem).toBe(publicKeyPem);
    const proof = (await get(`/api/articles/${seed.articleId}/revisions/${seed.published}/proof`).expect(200)).body as Proof;
    expect(proof.checkpoint).toEqual(before.items[0]);
    expect(checkProof(proof, publicKeyPem)).toBeNull();
    // The projections read past the CheckpointSigned events of ledger-checkpoints (no article's) to the head of the log.
    const head = (await t.eventStore.headPosition()).commit.toString();
    expect((await t.eventStore.readAll({ after: { commit: BigInt(head) - 1n, prepare: BigInt(head) - 1n }, maxCount: 1 }))[0].streamId).toBe(
      'ledger-checkpoints',
    );
    await get(`/api/articles/${seed.articleId}?minPosition=${head}`).expect(200);
    expect((await t.http.get('/health').expect(200)).body.status).toBe('ok');
  });
});
