/**
 * The one reader of stored article events, for the write side, the projections and the audit
 * alike: upcast to today's shape, checked against today's schema, metadata read once. One strict
 * policy: an event of an article stream that this code cannot read (an unknown type, a schema
 * version newer than this code, data that does not match its schema) is an UnreadableEventError,
 * never skipped, so that no decision, read model or audit is made from part of a stream.
 */
import { formatPosition, JsonObject, JsonValue, RecordedEvent } from '../event-store/event-store.port';
import {
  ARTICLE_EVENT_SCHEMA_VERSIONS,
  ARTICLE_STREAM_PREFIX,
  ArticleEvent,
  checkedArticleEvent,
  isArticleEventType,
  MalformedEventError,
} from './domain/article.events';
import { upcast } from './domain/article.upcasters';
import { nfcShared } from '../text';
import { storedHash } from '../ledger/event-chain';

/** Who did something, as the event's metadata names them. */
export interface Actor {
  readonly id: string;
  readonly name: string;
}

/** An article event as every reader sees it: in today's shape, with its place in the log and its metadata. */
export interface StoredArticleEvent {
  readonly articleId: string;
  readonly eventId: string;
  /** The event's revision in its article stream, a number (first event = 0). */
  readonly revision: number;
  /** The event's global log position, as text (formatPosition). */
  readonly position: string;
  /** The schema version the event was stored with; `event` is upcast to today's. */
  readonly schemaVersion: number;
  /** metadata.occurredAt (ISO-8601), or the store's own time for an event written without it. */
  readonly occurredAt: string;
  readonly actor: Actor;
  readonly reason: string | null;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** metadata.traceparent: the W3C traceparent of the request that appended it, or null. */
  readonly traceparent: string | null;
  /** The Idempotency-Key of the request that appended it, if it had one. */
  readonly idempotencyKey: string | null;
  /**
   * metadata.chain.hash: the event's hash in its stream's chain (src/ledger/event-chain.ts, 64 hex
   * digits); null for an event written before the chain, or one whose chain member is malformed
   * (never a reason to refuse the event here: `npm run ledger:verify` names it).
   */
  readonly chainHash: string | null;
  readonly event: ArticleEvent;
}

/** An event of an article stream this code cannot read; names where it stands and why. */
export class UnreadableEventError extends Error {
  constructor(
    readonly recorded: Pick<RecordedEvent, 'streamId' | 'revision' | 'position' | 'type' | 'id'>,
    readonly why: string,
  ) {
    super(`${recorded.type} at position ${formatPosition(recorded.position)} (revision ${recorded.revision} of ${recorded.streamId}) cannot be read: ${why}`);
    this.name = 'UnreadableEventError';
  }
}

/** Streams `article-<uuid>` hold articles; every other stream (idempotency claims, say) is no article's. */
export function isArticleStream(streamId: string): boolean {
  return streamId.startsWith(ARTICLE_STREAM_PREFIX);
}

/**
 * Reads a recorded event of an article stream (see isArticleStream), its texts in NFC. Throws UnreadableEventError
 * for an unknown type, an ArticleDrafted anywhere but at revision 0 (or another event there),
 * metadata that is not a JSON object, a schemaVersion that is not a positive integer or is newer
 * than ARTICLE_EVENT_SCHEMA_VERSIONS, or data that does not match its type's schema once upcast.
 */
export function readArticleEvent(recorded: RecordedEvent): StoredArticleEvent {
  // A frozen event (the SQLite store shares the events it read lately between its readers, see
  // SqliteEventReader) cannot change: it is read once, however many readers it reaches.
  if (!Object.isFrozen(recorded)) return readUnshared(recorded);
  let read = alreadyRead.get(recorded);
  if (!read) alreadyRead.set(recorded, (read = readUnshared(recorded)));
  return read;
}

/** Frozen recorded events → what readArticleEvent made of them (only those it could read). */
const alreadyRead = new WeakMap<RecordedEvent, StoredArticleEvent>();

function readUnshared(recorded: RecordedEvent): StoredArticleEvent {
  const { type } = recorded;
  if (!isArticleEventType(type)) throw new UnreadableEventError(recorded, `"${type}" is no article event type this code knows`);
  // An article's stream opens with its ArticleDrafted, which no other event of it may be (the
  // draft is appended with expected revision no_stream): anything else is a broken stream.
  if ((type === 'ArticleDrafted') !== (recorded.revision === 0n)) {
    const why = type === 'ArticleDrafted' ? 'the article was drafted already' : 'the stream does not open with ArticleDrafted';
    throw new UnreadableEventError(recorded, why);
  }
  const metadata = metadataOf(recorded);
  const schemaVersion = schemaVersionOf(recorded, metadata);
  if (schemaVersion > ARTICLE_EVENT_SCHEMA_VERSIONS[type]) {
    throw new UnreadableEventError(recorded, `schema version ${schemaVersion} is newer than this code reads (${ARTICLE_EVENT_SCHEMA_VERSIONS[type]})`);
  }
  let event: ArticleEvent;
  try {
    event = checkedArticleEvent(upcast(type, schemaVersion, recorded.data));
    // Text appended before requests were normalised (no textForm mark) may be in any normal form:
    // every reader sees it in NFC (UAX #15), as it sees new text, so that equal text compares equal.
    if (metadata.textForm !== 'NFC') event = nfcShared(event);
  } catch (error) {
    if (error instanceof MalformedEventError) throw new UnreadableEventError(recorded, error.problems.join('; '));
    throw new UnreadableEventError(recorded, (error as Error).message);
  }
  return {
    articleId: recorded.streamId.slice(ARTICLE_STREAM_PREFIX.length),
    eventId: recorded.id,
    revision: Number(recorded.revision),
    position: formatPosition(recorded.position),
    schemaVersion,
    // The store's own time is the fallback, so that a replay gives the same documents.
    occurredAt: text(metadata.occurredAt) ?? recorded.recordedAt,
    actor: actorOf(metadata.actor),
    reason: text(metadata.reason),
    correlationId: text(metadata.$correlationId),
    causationId: text(metadata.$causationId),
    traceparent: text(metadata.traceparent),
    idempotencyKey: text(metadata.idempotencyKey),
    chainHash: storedHash(metadata),
    event,
  };
}

/** Metadata is a JSON object; none at all (null) reads as {}, as from a tool that writes none. */
function metadataOf(recorded: RecordedEvent): JsonObject {
  const metadata: unknown = recorded.metadata;
  if (metadata === null || metadata === undefined) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new UnreadableEventError(recorded, 'its metadata is not a JSON object');
  return metadata as JsonObject;
}

/** metadata.schemaVersion: a positive integer, or absent (events written before versions were recorded are version 1). */
function schemaVersionOf(recorded: RecordedEvent, metadata: JsonObject): number {
  const version = metadata.schemaVersion;
  if (version === undefined) return 1;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new UnreadableEventError(recorded, `metadata.schemaVersion must be a positive integer, not ${JSON.stringify(version)}`);
  }
  return version;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/** Metadata written by hand or by older code may lack an actor: it reads as "unknown" rather than failing. */
function actorOf(value: JsonValue | undefined): Actor {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { id, name } = value as JsonObject;
    if (typeof id === 'string' && typeof name === 'string') return { id, name };
  }
  return { id: 'unknown', name: 'unknown' };
}
