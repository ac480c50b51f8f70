/**
 * RFC 9162 §2.1 Merkle tree hashes over SHA-256 (node:crypto), and the inclusion path of
 * §2.1.3.1. Hashes are 32-byte Buffers. The tree of n leaves D[n] splits at k, the largest power
 * of two smaller than n:
 *   MTH({})     = SHA-256()
 *   MTH({d0})   = SHA-256(0x00 || d0)                       (a leaf)
 *   MTH(D[n])   = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  (a node)
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.of(0x00);
const NODE_PREFIX = Buffer.of(0x01);

/** SHA-256(0x00 || leaf): the hash of one leaf's bytes (RFC 9162 §2.1.1). */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right): an interior node (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two smaller than n (n ≥ 2): where RFC 9162 §2.1.1 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`A tree of ${n} leaves has no split`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over already hashed leaves (leafHash of each), leaves [from, to). */
function subtreeRoot(hashes: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 1) return hashes[from];
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(hashes, from, from + k), subtreeRoot(hashes, from + k, to));
}

/** The Merkle tree hash MTH(D[n]) of RFC 9162 §2.1.1, given the leaves' hashes (leafHash); SHA-256() for none. */
export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return createHash('sha256').digest();
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf `index` (0-based) in the tree of
 * `leafHashes`, nearest sibling first. Throws RangeError for an index outside the tree.
 */
export function inclusionPath(index: number, leafHashes: readonly Buffer[]): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`Leaf ${index} is outside a tree of ${leafHashes.length}`);
  }
  const path: Buffer[] = [];
  const walk = (m: number, from: number, to: number): void => {
    const n = to - from;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, from, from + k);
      path.push(subtreeRoot(leafHashes, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(subtreeRoot(leafHashes, from, from + k));
    }
  };
  walk(index, 0, leafHashes.length);
  return path;
}

/**
 * The root an inclusion path leads to (RFC 9162 §2.1.3.2), or null when the path cannot belong to
 * leaf `index` of a tree of `treeSize` (too long, too short, index outside). Compare the result
 * with the signed root.
 */
export function rootFromInclusionPath(index: number, treeSize: number, leaf: Buffer, path: readonly Buffer[]): Buffer | null {
  if (index < 0 || index >= treeSize) return null;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}
