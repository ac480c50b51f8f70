/**
 * A small, independent verifier of the newsroom's inclusion proofs, written from the definitions
 * (RFC 9162 §2.1.1 leaf and node hashes, §2.1.3.2 verifying an inclusion path, §4.10 the signed
 * TreeHeadDataV2, RFC 8785 canonical JSON, RFC 8032 Ed25519) and node:crypto alone. It imports
 * nothing from src/: it checks the product's proofs the way a third party would.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** RFC 8785 for JSON values: keys sorted by UTF-16 code units, ECMAScript serialisation of strings and numbers. */
export function jcs(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${jcs(value[key])}`).join(',')}}`;
}

const sha256 = (...parts: Buffer[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

interface ProofEvent {
  revision: number;
  type: string;
  data: Json;
  metadata: { [key: string]: Json };
  previousHash: string | null;
  hash: string;
}

export interface Proof {
  stream: string;
  revision: number;
  events: ProofEvent[];
  head: { stream: string; revision: number; hash: string };
  leafIndex: number;
  treeSize: number;
  inclusionPath: string[];
  checkpoint: { treeSize: number; rootHash: string; timestamp: number; signature: string };
}

/** Why the proof fails, or null when the revision is in the signed checkpoint. */
export function checkProof(proof: Proof, publicKeyPem: string): string | null {
  // 1. The chain: each event's hash from its content and its predecessor's hash, up to the head.
  let previous: string | null = proof.events[0]?.previousHash ?? null;
  if (proof.events[0]?.revision !== proof.revision) return 'the chain does not start at the revision';
  for (const [i, e] of proof.events.entries()) {
    if (e.revision !== proof.revision + i) return `the chain skips at revision ${e.revision}`;
    if (e.previousHash !== previous) return `revision ${e.revision} does not follow the event before it`;
    const hash = sha256(Buffer.from(jcs({ type: e.type, data: e.data, metadata: e.metadata, previousHash: previous }), 'utf8')).toString('hex');
    if (hash !== e.hash) return `revision ${e.revision}: its content does not give its hash`;
    previous = hash;
  }
  const last = proof.events[proof.events.length - 1];
  if (proof.head.stream !== proof.stream || proof.head.revision !== last.revision || proof.head.hash !== previous) return 'the chain does not end at the head';
  // 2. RFC 9162 §2.1.3.2: from the head's leaf hash along the path to a root.
  const leaf = Buffer.from(jcs({ hash: proof.head.hash, revision: proof.head.revision, stream: proof.head.stream }), 'utf8');
  let r = sha256(Buffer.of(0), leaf);
  const treeSize = proof.checkpoint.treeSize;
  if (proof.leafIndex >= treeSize) return 'the leaf is outside the tree';
  let fn = proof.leafIndex;
  let sn = treeSize - 1;
  for (const hex of proof.inclusionPath) {
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return 'the path is too long';
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.of(1), p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else {
      r = sha256(Buffer.of(1), r, p);
    }
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  if (sn !== 0 || r.toString('hex') !== proof.checkpoint.rootHash) return 'the path does not lead to the signed root';
  // 3. RFC 9162 §4.10: the signature over TreeHeadDataV2 (uint64 timestamp, uint64 tree_size, opaque root_hash<32..2^8-1>, empty extensions).
  const head = Buffer.alloc(51);
  head.writeBigUInt64BE(BigInt(proof.checkpoint.timestamp), 0);
  head.writeBigUInt64BE(BigInt(treeSize), 8);
  head[16] = 32;
  Buffer.from(proof.checkpoint.rootHash, 'hex').copy(head, 17);
  if (!verify(null, head, createPublicKey(publicKeyPem), Buffer.from(proof.checkpoint.signature, 'base64'))) return 'the signature does not hold';
  return null;
}
