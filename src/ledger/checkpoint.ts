/**
 * Signed checkpoints (issue 15 §2), in the shape of RFC 9162 signed tree heads: a Merkle tree
 * (merkle.ts, RFC 9162 §2.1) over every article stream's head, its size, root and time, signed
 * with Ed25519 (node:crypto).
 *
 * - A head is `{ stream, revision, hash }`: the stream id (`article-<uuid>`), its last revision (a
 *   number, first event = 0) and that event's chain hash (event-chain.ts). Its leaf is the UTF-8
 *   of its RFC 8785 canonical JSON; leaves are ordered by stream id (UTF-16 code units, which for
 *   these ASCII ids is byte order).
 * - What is signed is RFC 9162 §4.10's TreeHeadDataV2 in TLS encoding (RFC 8446 §3): uint64
 *   timestamp (ms since the Unix epoch), uint64 tree_size, root_hash as opaque<32..2^8-1> (one
 *   length byte, then 32 bytes), and an empty sth_extensions<0..2^16-1> (two zero bytes): 51 bytes.
 * - logPosition says where in the log the heads were taken (every event at or before it); it is not
 *   signed but cannot lie: only the heads at that point give the signed root.
 */
import { randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import type { JsonObject } from '../event-store/event-store.port';
import { canonicalJson } from './canonical-json';
import type { ChainHash } from './event-chain';
import { inclusionPath, leafHash, merkleRoot } from './merkle';
import type { SigningKey } from './signing-key';

/** The stream the checkpoints are recorded in, one CheckpointSigned event each. */
export const LEDGER_STREAM = 'ledger-checkpoints';
export const CHECKPOINT_SIGNED = 'CheckpointSigned';

/** One article stream's head. */
export interface StreamHead {
  readonly stream: string;
  /** The stream's last revision, a number (first event = 0). */
  readonly revision: number;
  readonly hash: ChainHash;
}

/** A checkpoint as GET /api/ledger/checkpoints serves it. */
export interface Checkpoint {
  checkpointId: string;
  /** base64 SHA-256 of the signing key's DER SubjectPublicKeyInfo (GET /api/ledger/key's keyId). */
  logId: string;
  /** How many heads (article streams) the tree has. */
  treeSize: number;
  /** MTH of the heads, 64 hex digits. */
  rootHash: string;
  /** When it was signed: milliseconds since the Unix epoch (RFC 9162 TreeHeadDataV2.timestamp). */
  timestamp: number;
  /** The same instant, ISO-8601. */
  issuedAt: string;
  /** The log position (formatPosition) the heads were taken at: every event at or before it. */
  logPosition: string;
  /** base64 of the 51 signed bytes (TreeHeadDataV2), for convenience: a checker rebuilds them. */
  treeHead: string;
  /** base64 Ed25519 signature (RFC 8032) over treeHead. */
  signature: string;
}

/** The CheckpointSigned event's data: the checkpoint and the heads that changed since the checkpoint before it. */
export interface CheckpointEventData extends Checkpoint {
  /** Heads new or changed since the previous checkpoint of the ledger stream, by stream id. */
  changedHeads: StreamHead[];
}

/** The bytes of one head's leaf: UTF-8 of its canonical JSON. */
export function headLeaf(head: StreamHead): Buffer {
  return Buffer.from(canonicalJson({ hash: head.hash, revision: head.revision, stream: head.stream }), 'utf8');
}

/** Heads in tree order (by stream id). */
export function orderedHeads(heads: Iterable<StreamHead>): StreamHead[] {
  return [...heads].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}

/** The heads' tree: ordered heads, their leaf hashes and the root. */
export interface HeadTree {
  heads: StreamHead[];
  leafHashes: Buffer[];
  root: Buffer;
}

export function headTree(heads: Iterable<StreamHead>): HeadTree {
  const ordered = orderedHeads(heads);
  const leafHashes = ordered.map((head) => leafHash(headLeaf(head)));
  return { heads: ordered, leafHashes, root: merkleRoot(leafHashes) };
}

/** The inclusion path (RFC 9162 §2.1.3.1) of leaf `index`, hex, nearest sibling first. */
export function headPath(tree: HeadTree, index: number): string[] {
  return inclusionPath(index, tree.leafHashes).map((hash) => hash.toString('hex'));
}

/** TreeHeadDataV2 (RFC 9162 §4.10) in TLS encoding: what a checkpoint signs. Throws RangeError for a root that is not 32 bytes. */
export function treeHeadBytes(timestamp: number, treeSize: number, rootHash: Buffer): Buffer {
  if (rootHash.length !== 32) throw new RangeError('A root hash is 32 bytes');
  const bytes = Buffer.alloc(8 + 8 + 1 + 32 + 2);
  bytes.writeBigUInt64BE(BigInt(timestamp), 0);
  bytes.writeBigUInt64BE(BigInt(treeSize), 8);
  bytes.writeUInt8(32, 16);
  rootHash.copy(bytes, 17);
  bytes.writeUInt16BE(0, 49);
  return bytes;
}

/** A new checkpoint over `tree`, signed now. */
export function signCheckpoint(key: SigningKey, tree: HeadTree, logPosition: string, now: Date = new Date()): Checkpoint {
  const timestamp = now.getTime();
  const treeHead = treeHeadBytes(timestamp, tree.heads.length, tree.root);
  return {
    checkpointId: randomUUID(),
    logId: key.keyId,
    treeSize: tree.heads.length,
    rootHash: tree.root.toString('hex'),
    timestamp,
    issuedAt: now.toISOString(),
    logPosition,
    treeHead: treeHead.toString('base64'),
    signature: sign(null, treeHead, key.privateKey).toString('base64'),
  };
}

/**
 * Whether `checkpoint`'s signature holds for its own timestamp, treeSize and rootHash under
 * `publicKey` (the treeHead field is not trusted: the bytes are rebuilt). Never throws.
 */
export function signatureHolds(checkpoint: Pick<Checkpoint, 'timestamp' | 'treeSize' | 'rootHash' | 'signature'>, publicKey: KeyObject): boolean {
  try {
    if (!/^[0-9a-f]{64}$/.test(checkpoint.rootHash)) return false;
    const bytes = treeHeadBytes(checkpoint.timestamp, checkpoint.treeSize, Buffer.from(checkpoint.rootHash, 'hex'));
    return verify(null, bytes, publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The checkpoint part of a CheckpointSigned event's data (what the API serves). */
export function checkpointOf(data: CheckpointEventData | Checkpoint): Checkpoint {
  const { checkpointId, logId, treeSize, rootHash, timestamp, issuedAt, logPosition, treeHead, signature } = data;
  return { checkpointId, logId, treeSize, rootHash, timestamp, issuedAt, logPosition, treeHead, signature };
}

/** A CheckpointSigned event's data as stored, or null when it is not shaped like one (ledger:verify names it). */
export function checkpointEventData(data: unknown): CheckpointEventData | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const d = data as Partial<Record<keyof CheckpointEventData, unknown>>;
  const strings = ['checkpointId', 'logId', 'rootHash', 'issuedAt', 'logPosition', 'treeHead', 'signature'] as const;
  if (!strings.every((field) => typeof d[field] === 'string')) return null;
  if (!Number.isSafeInteger(d.treeSize) || !Number.isSafeInteger(d.timestamp) || !Array.isArray(d.changedHeads)) return null;
  const heads = d.changedHeads as unknown[];
  const headsOk = heads.every((h) => {
    const head = h as Partial<Record<keyof StreamHead, unknown>>;
    return !!head && typeof head.stream === 'string' && Number.isSafeInteger(head.revision) && typeof head.hash === 'string';
  });
  return headsOk ? (data as CheckpointEventData) : null;
}

/** The event data of a checkpoint. */
export function checkpointEvent(checkpoint: Checkpoint, changedHeads: StreamHead[]): JsonObject {
  return { ...checkpoint, changedHeads: changedHeads.map(({ stream, revision, hash }) => ({ stream, revision, hash })) } as unknown as JsonObject;
}
