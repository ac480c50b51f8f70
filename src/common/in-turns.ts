/**
 * UTF-8 work on large text a piece at a time, with a turn of the event loop before each piece, so
 * that one maximum-size article (10 million UTF-16 code units, 20 MB of UTF-8) does not hold every
 * other request for the whole of it. Issue #13's target this serves: GET /health p99 ≤ 100 ms
 * while the largest article is written. What is left in one go is making the whole string: joining
 * the decoded pieces, or flattening a serialiser's rope at the first slice, costs ~80-110 ms for
 * 20 MB on a 2-core machine (most of it the fresh memory's page faults), against ~110-150 ms for the
 * whole step done at once (`node -r ts-node/register/transpile-only bench/large-write-pieces.ts`).
 *
 * Text shorter than one piece is handled at once, with no turn: small requests pay nothing.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** UTF-16 code units (or bytes) handled per turn: ~8-15 ms of UTF-8 coding on a 2-core machine. */
export const PIECE_UNITS = 1024 * 1024;

/**
 * `text` in consecutive slices of about PIECE_UNITS code units whose concatenation is `text`. A
 * slice never ends between the two halves of a surrogate pair, so each slice encodes to exactly
 * the UTF-8 bytes it contributes to the whole (a lone surrogate becomes U+FFFD either way).
 */
export function* textSlices(text: string): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + PIECE_UNITS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    yield text.slice(start, end);
    start = end;
  }
}

/**
 * SHA-256 (FIPS 180-4) of `text`'s UTF-8 bytes as 64 lowercase hex digits: the digest
 * `createHash('sha256').update(text, 'utf8')` gives, computed a piece per turn when `text` is
 * longer than PIECE_UNITS.
 */
export async function sha256HexInTurns(text: string): Promise<string> {
  const hash = createHash('sha256');
  if (text.length <= PIECE_UNITS) return hash.update(text, 'utf8').digest('hex');
  for (const slice of textSlices(text)) {
    await nextTurn();
    hash.update(slice, 'utf8');
  }
  return hash.digest('hex');
}

/**
 * UTF-8 `bytes` decoded to text, as `bytes.toString('utf8')` gives it for valid UTF-8, a piece per
 * turn when longer than PIECE_UNITS. Each piece is decoded by toString and ends at a character
 * boundary, so ASCII stays one byte per character in memory, as toString keeps it. A byte order
 * mark is kept, as toString keeps it. For valid UTF-8 only: check first (node:buffer isUtf8),
 * since an invalid sequence may be cut differently from toString's U+FFFD replacement.
 */
export async function utf8TextInTurns(bytes: Uint8Array): Promise<string> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buffer.length <= PIECE_UNITS) return buffer.toString('utf8');
  const parts: string[] = [];
  for (let start = 0; start < buffer.length;) {
    let end = Math.min(start + PIECE_UNITS, buffer.length);
    // Back to the lead byte of the character the cut falls in (continuation bytes are 10xxxxxx).
    while (end < buffer.length && end > start && (buffer[end] & 0xc0) === 0x80) end--;
    await nextTurn();
    parts.push(buffer.toString('utf8', start, end));
    start = end;
  }
  return parts.join('');
}
