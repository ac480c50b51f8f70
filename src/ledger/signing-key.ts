/**
 * The Ed25519 key that signs checkpoints (issue 15 §2), from node:crypto only. The operator names
 * a PKCS#8 PEM private key in LEDGER_SIGNING_KEY_FILE; without one (never under
 * NODE_ENV=production), a development key is created in DATA_DIR/ledger-signing-key.pem (mode
 * 0600), as the development users file is.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../common/data-dir';

/** The development key's file in DATA_DIR. */
export function devKeyFile(dataDir: string): string {
  return join(dataDir, 'ledger-signing-key.pem');
}

/** A public key as GET /api/ledger/key serves it. */
export interface PublicKeyDocument {
  algorithm: 'Ed25519';
  /** base64 of SHA-256 over the key's DER SubjectPublicKeyInfo: the checkpoints' logId (the shape of RFC 6962 §3.2's LogID). */
  keyId: string;
  /** The SubjectPublicKeyInfo as PEM (RFC 7468 "PUBLIC KEY"; RFC 8410 for Ed25519). */
  publicKeyPem: string;
  /** The same key as a JWK (RFC 8037: kty OKP, crv Ed25519, x). */
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

/** The key pair checkpoints are signed with. */
export class SigningKey {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(readonly privateKey: KeyObject) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`The ledger signing key must be an Ed25519 private key, not ${privateKey.asymmetricKeyType ?? privateKey.type}`);
    }
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  document(): PublicKeyDocument {
    return publicKeyDocument(this.publicKey);
  }
}

/** base64(SHA-256(DER SubjectPublicKeyInfo)) of a public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64');
}

/** The public key document of GET /api/ledger/key. */
export function publicKeyDocument(publicKey: KeyObject): PublicKeyDocument {
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
  return {
    algorithm: 'Ed25519',
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
  };
}

/**
 * The signing key: LEDGER_SIGNING_KEY_FILE's, else DATA_DIR's development key, created on first
 * start (mode 0600). Throws when the file is not an Ed25519 private key PEM, or when none is
 * configured under NODE_ENV=production.
 */
export function loadSigningKey(config: Pick<AppConfig, 'ledgerKeyFile' | 'dataDir' | 'production'>, print: (line: string) => void = () => {}): SigningKey {
  if (config.ledgerKeyFile) return new SigningKey(createPrivateKey(readFileSync(config.ledgerKeyFile)));
  if (config.production) {
    throw new Error('LEDGER_SIGNING_KEY_FILE is required when NODE_ENV=production; refusing to create a development signing key');
  }
  const file = devKeyFile(config.dataDir);
  if (existsSync(file)) return new SigningKey(createPrivateKey(readFileSync(file)));
  ensurePrivateDir(config.dataDir);
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  // The mode above is filtered by the umask; chmod makes it exactly 0600.
  chmodSync(file, PRIVATE_FILE_MODE);
  print(`No LEDGER_SIGNING_KEY_FILE: created a development checkpoint signing key in ${file}.`);
  return new SigningKey(privateKey);
}

/**
 * The public key a checker uses: `file` (a public or private key PEM) when given, else the
 * server's own (LEDGER_SIGNING_KEY_FILE or DATA_DIR's development key). null when there is none;
 * nothing is created.
 */
export function loadVerifyingKey(config: Pick<AppConfig, 'ledgerKeyFile' | 'dataDir'>, file?: string): KeyObject | null {
  const source = file ?? config.ledgerKeyFile ?? devKeyFile(config.dataDir);
  if (!existsSync(source)) {
    if (file || config.ledgerKeyFile) throw new Error(`No key file at ${source}`);
    return null;
  }
  const pem = readFileSync(source, 'utf8');
  const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${source} holds no Ed25519 key`);
  return key;
}
