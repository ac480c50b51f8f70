/**
 * The hash chain of an article stream (issue 15 §2). Every event appended to an article stream
 * carries `metadata.chain = { previous, hash }`:
 *
 *   hash = hex(SHA-256(UTF-8(JCS({ type, data, metadata, previousHash }))))
 *
 * where JCS is RFC 8785 canonical JSON (canonical-json.ts), `metadata` is the event's metadata
 * without its `chain` member, and `previousHash` is the chain hash of the event before it in the
 * stream (null for revision 0). `previous` repeats previousHash so that a checker can tell an
 * event altered (its content no longer gives its hash) from one moved, inserted or left out (its
 * hash holds, but it names another predecessor).
 *
 * Events written before the chain existed carry no `chain`: their hash is computed the same way
 * from what they hold (the "legacy prefix" of a stream). The first chained event of such a stream
 * names that computed hash as its previous, so from then on the prefix is sealed too.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue, RecordedEvent } from '../event-store/event-store.port';
import { canonicalJson } from './canonical-json';
import { sha256HexInTurns } from '../common/in-turns';

/** The metadata member that holds the chain. */
export const CHAIN_FIELD = 'chain';

/** A SHA-256 as 64 lowercase hex digits. */
export type ChainHash = string;

/** `metadata.chain` as stored. */
export interface ChainLink {
  /** The chain hash of the event before this one in its stream; null at revision 0. */
  readonly previous: ChainHash | null;
  readonly hash: ChainHash;
}

/** What the chain hash of an event is taken over (before canonicalisation). */
export interface ChainInput {
  readonly type: string;
  readonly data: JsonValue;
  /** The event's metadata without its `chain` member. */
  readonly metadata: JsonObject;
  readonly previousHash: ChainHash | null;
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/** The chain hash of `input` (see the module comment). Throws TypeError for a value JSON cannot hold. */
export function chainHash(input: ChainInput): ChainHash {
  const { type, data, metadata, previousHash } = input;
  return createHash('sha256').update(canonicalJson({ type, data, metadata, previousHash }), 'utf8').digest('hex');
}

/** The metadata without its `chain` member: what the hash covers. */
export function unchainedMetadata(metadata: JsonObject | null | undefined): JsonObject {
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return {};
  if (!(CHAIN_FIELD in metadata)) return metadata;
  const { [CHAIN_FIELD]: _chain, ...rest } = metadata;
  return rest;
}

/** metadata.chain when it is well formed; null when the event has none (written before the chain); 'malformed' otherwise. */
export function storedLink(metadata: JsonObject | null | undefined): ChainLink | null | 'malformed' {
  const value = metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata[CHAIN_FIELD] : undefined;
  if (value === undefined) return null;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'malformed';
  const { previous, hash } = value as { previous?: unknown; hash?: unknown };
  if (typeof hash !== 'string' || !HEX_HASH.test(hash)) return 'malformed';
  if (previous !== null && (typeof previous !== 'string' || !HEX_HASH.test(previous))) return 'malformed';
  return { previous, hash };
}

/** The chain input of a recorded event, given the hash of the event before it in its stream. */
export function chainInputOf(recorded: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>, previousHash: ChainHash | null): ChainInput {
  return { type: recorded.type, data: recorded.data, metadata: unchainedMetadata(recorded.metadata), previousHash };
}

/**
 * The chain hash a reader carries on from a recorded event: its stored `chain.hash`, or for an
 * event without one (written before the chain), the hash computed from its content and
 * `previousHash`. It does not check a stored hash (`npm run ledger:verify` does).
 */
export function carriedHash(recorded: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>, previousHash: ChainHash | null): ChainHash {
  return storedHash(recorded.metadata) ?? chainHash(chainInputOf(recorded, previousHash));
}

/**
 * The chain hash an event's metadata carries (its well-formed `chain.hash`), or null when it has
 * none or a malformed one: then carriedHash computes it from the event's content, data included.
 */
export function storedHash(metadata: JsonObject | null | undefined): ChainHash | null {
  const link = storedLink(metadata);
  return link && link !== 'malformed' ? link.hash : null;
}

/**
 * The metadata to append: `metadata` with its `chain` member, the hash taken over type, data,
 * metadata and `previousHash`. Throws TypeError for a value JSON cannot hold.
 */
export function withChain(type: string, data: JsonValue, metadata: JsonObject, previousHash: ChainHash | null): { metadata: JsonObject; hash: ChainHash } {
  const bare = unchainedMetadata(metadata);
  const hash = chainHash({ type, data, metadata: bare, previousHash });
  return { metadata: { ...bare, [CHAIN_FIELD]: { previous: previousHash, hash } }, hash };
}

/**
 * withChain's result, with the hash taken a piece per turn of the event loop when the canonical
 * text is long (sha256HexInTurns): the same metadata and hash. Used on the request path, where one
 * maximum-size article must not hold the event loop for the whole of its hash. Throws (rejects
 * with) TypeError for a value JSON cannot hold.
 */
export async function withChainInTurns(
  type: string,
  data: JsonValue,
  metadata: JsonObject,
  previousHash: ChainHash | null,
): Promise<{ metadata: JsonObject; hash: ChainHash }> {
  const bare = unchainedMetadata(metadata);
  const hash = await sha256HexInTurns(canonicalJson({ type, data, metadata: bare, previousHash }));
  return { metadata: { ...bare, [CHAIN_FIELD]: { previous: previousHash, hash } }, hash };
}
