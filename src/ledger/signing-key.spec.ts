import { generateKeyPairSync } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir';
import { headTree, signatureHolds, signCheckpoint, treeHeadBytes } from './checkpoint';
import { devKeyFile, loadSigningKey, loadVerifyingKey } from './signing-key';

describe('the checkpoint signing key', () => {
  const dir = tempDir('newsroom-ledger-key-');
  afterAll(() => dir.remove());

  it('creates a development key 0600 in DATA_DIR once, and refuses to under NODE_ENV=production', () => {
    const dataDir = join(dir.path, 'dev');
    const key = loadSigningKey({ dataDir, ledgerKeyFile: null, production: false });
    expect(statSync(devKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    expect(loadSigningKey({ dataDir, ledgerKeyFile: null, production: false }).keyId).toBe(key.keyId);
    expect(loadVerifyingKey({ dataDir, ledgerKeyFile: null })?.equals(key.publicKey)).toBe(true);
    expect(() => loadSigningKey({ dataDir: join(dir.path, 'prod'), ledgerKeyFile: null, production: true })).toThrow(/LEDGER_SIGNING_KEY_FILE is required/);
    expect(loadVerifyingKey({ dataDir: join(dir.path, 'none'), ledgerKeyFile: null })).toBeNull();
  });

  it("uses the operator's Ed25519 key, and refuses any other kind", () => {
    const file = join(dir.path, 'operator.pem');
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const key = loadSigningKey({ dataDir: dir.path, ledgerKeyFile: file, production: true });
    expect(key.document()).toMatchObject({ algorithm: 'Ed25519', keyId: key.keyId, jwk: { kty: 'OKP', crv: 'Ed25519' } });
    const rsa = join(dir.path, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => loadSigningKey({ dataDir: dir.path, ledgerKeyFile: rsa, production: true })).toThrow(/must be an Ed25519 private key/);
  });

  it('signs TreeHeadDataV2 (RFC 9162 §4.10): 51 bytes, and a signature that holds only for its own size, root and time', () => {
    const key = loadSigningKey({ dataDir: join(dir.path, 'sign'), ledgerKeyFile: null, production: false });
    const tree = headTree([
      { stream: 'article-b', revision: 3, hash: 'b'.repeat(64) },
      { stream: 'article-a', revision: 0, hash: 'a'.repeat(64) },
    ]);
    expect(tree.heads.map((h) => h.stream)).toEqual(['article-a', 'article-b']);
    const checkpoint = signCheckpoint(key, tree, '42', new Date('2026-01-02T09:14:00.000Z'));
    const bytes = treeHeadBytes(checkpoint.timestamp, 2, tree.root);
    expect(bytes.toString('hex')).toBe(`${(1767345240000).toString(16).padStart(16, '0')}${'2'.padStart(16, '0')}20${tree.root.toString('hex')}0000`);
    expect(Buffer.from(checkpoint.treeHead, 'base64').equals(bytes)).toBe(true);
    expect(signatureHolds(checkpoint, key.publicKey)).toBe(true);
    expect(signatureHolds({ ...checkpoint, treeSize: 3 }, key.publicKey)).toBe(false);
    expect(signatureHolds({ ...checkpoint, timestamp: checkpoint.timestamp + 1 }, key.publicKey)).toBe(false);
    expect(signatureHolds({ ...checkpoint, rootHash: 'c'.repeat(64) }, key.publicKey)).toBe(false);
    expect(signatureHolds({ ...checkpoint, signature: 'not base64 at all' }, key.publicKey)).toBe(false);
  });
});
