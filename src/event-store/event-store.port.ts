/**
 * The EventStore port. Names and shapes follow EventStoreDB's own concepts (stream revision,
 * commit/prepare position, expected revision NO_STREAM/ANY/STREAM_EXISTS, $all) so that its
 * adapter is a thin mapping and the embedded adapter behaves the same way.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const EVENT_STORE = Symbol('EVENT_STORE');

/** What the writer believes about the stream before appending. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | bigint;

/** A position in the global log ($all). The embedded store uses commit === prepare. */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** The position before the first event: reading or subscribing "from START". */
export const START: Position = Object.freeze({ commit: -1n, prepare: -1n });

export interface EventToAppend {
  /** A UUID. Re-appending an id already at that place in the stream is a no-op. */
  readonly id: string;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: JsonObject;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly position: Position;
  readonly data: JsonValue;
  readonly metadata: JsonObject;
  /** ISO-8601 time the store recorded the event. */
  readonly recordedAt: string;
  /**
   * About how much memory the event's text took to read: the UTF-16 length of its data and
   * metadata JSON. Set by adapters that know it (the embedded store); batches are bounded by it.
   */
  readonly size?: number;
}

/**
 * An event without its data, as EventStore.readAllMetadata gives it: `size` is the UTF-16 length
 * of its metadata JSON alone.
 */
export type RecordedEventMetadata = Omit<RecordedEvent, 'data'>;

export interface AppendResult {
  /** The stream's revision after the append (its last event's revision). */
  readonly nextExpectedRevision: bigint;
  /** The position of the last event of the append. */
  readonly position: Position;
}

export interface ReadStreamOptions {
  /** First revision to read, inclusive. Default 0. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
  /**
   * Stop once this many bytes of events have been read (see RecordedEvent.size; at least one
   * event). A caller that sets it gets pages that may be short before the end of the stream: it
   * reads until a page is empty. Adapters that cannot tell an event's size ignore it.
   */
  readonly maxBytes?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position. Default START. */
  readonly after?: Position;
  /** Batch size; adapters never read the global log unbounded. */
  readonly maxCount: number;
  /** As ReadStreamOptions.maxBytes. */
  readonly maxBytes?: number;
}

/**
 * Where a read in stream order (EventStore.readInStreamOrder) goes on from: strictly after event
 * `revision` (a bigint) of stream `streamId`, in the order of stream ids, then revisions.
 */
export interface StreamCursor {
  readonly streamId: string;
  readonly revision: bigint;
}

export interface ReadInStreamOrderOptions {
  /** Only events at or before this position: the head when the read began, so that every page sees one log. */
  readonly upTo: Position;
  /** Go on strictly after this event; default: from the first stream. */
  readonly after?: StreamCursor;
  /** Events per page, at most. */
  readonly maxCount: number;
  /** As ReadStreamOptions.maxBytes. */
  readonly maxBytes?: number;
}

export interface SubscribeToAllOptions {
  /** Deliver events strictly after this position (a checkpoint). Default START. */
  readonly after?: Position;
}

/** Catch-up then live, in log order, until closed. */
export interface AllSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream, oldest first; an empty array for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The current revision of a stream, or null when it does not exist. */
  streamRevision(streamId: string): Promise<bigint | null>;
  /** One bounded batch of the global log, oldest first. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Optional: one bounded page of the log up to `options.upTo`, ordered by stream id (binary
   * order of the id's UTF-8 text), then revision: each stream's events together, oldest first.
   * Read-model rebuilds of projections whose documents each belong to one stream
   * (Projection.foreachStream) read the log this way, so that each stream's documents are built
   * in memory and written once. An empty page is the end. Adapters that have no index for this
   * order leave it out (EventStoreDB: its $all is in commit order only), and rebuilds read in log
   * order there. Throws DamagedEventError when an event of the page cannot be read.
   */
  readInStreamOrder?(options: ReadInStreamOrderOptions): Promise<RecordedEvent[]>;
  /**
   * Optional: readAll without the events' data (RecordedEventMetadata), for a reader that needs
   * only their metadata: the ledger, whose chain hashes are in it, need not read and parse an
   * article's body (up to tens of MB) to follow the log. `maxBytes` counts metadata only.
   * Adapters that cannot leave the data out leave this out, and such readers use readAll. Throws
   * DamagedEventError when an event's metadata cannot be read.
   */
  readAllMetadata?(options: ReadAllOptions): Promise<RecordedEventMetadata[]>;
  /** The position of the last event in the global log, or START when it is empty. */
  headPosition(): Promise<Position>;
  subscribeToAll(options?: SubscribeToAllOptions): AllSubscription;
  /**
   * The id of the event at exactly `position`, or null when no event stands there. With the
   * head, what a reader checks to know that its checkpoint still belongs to this log.
   */
  eventIdAt(position: Position): Promise<string | null>;
  /**
   * An id written once into the store when it was created (a UUID), so that a reader can tell
   * one log from another; null when the store has no place for one (EventStoreDB).
   */
  identity(): Promise<string | null>;
  /** A short description for /health, e.g. "embedded" or "eventstoredb". */
  readonly kind: string;
  close(): Promise<void>;
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Checkpoints and HTTP carry positions as text: "commit" or "commit/prepare" when they differ. */
export function formatPosition(p: Position): string {
  return p.commit === p.prepare ? p.commit.toString() : `${p.commit}/${p.prepare}`;
}

/**
 * A position as formatPosition writes it: "<commit>" or "<commit>/<prepare>", each a decimal
 * integer of at most 20 digits or -1 (the position before the first event), surrounding
 * whitespace ignored. Returns the Position (two bigints), or null for any other text: it never
 * throws, so that callers choose the error (400 for a query parameter, a damaged checkpoint).
 */
export function parsePosition(text: string): Position | null {
  const match = /^(-1|\d{1,20})(?:\/(-1|\d{1,20}))?$/.exec(text.trim());
  if (!match) return null;
  const commit = BigInt(match[1]);
  return { commit, prepare: match[2] === undefined ? commit : BigInt(match[2]) };
}
