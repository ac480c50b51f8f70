import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { DamagedEventError } from './event-store.errors';
import { JsonObject, JsonValue, RecordedEvent, RecordedEventMetadata, StreamCursor } from './event-store.port';
import { faultReasonOf, sqliteCode, toStoreError } from './sqlite-errors';

export interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';
const METADATA_COLUMNS = 'position, stream_id, revision, event_id, type, metadata, recorded_at';

/** Events read before the first damaged one, and that damage (null when there was none). */
export interface ReadPrefix {
  events: RecordedEvent[];
  damage: DamagedEventError | null;
}

const isCorrupt = (error: unknown) => faultReasonOf(sqliteCode(error)) === 'corrupt';

/**
 * Characters of event text (data and metadata, as RecordedEvent.size counts them) that the log's
 * recently read events may hold in memory, parsed: each projection follows the log on its own
 * subscription, and without this each of them would read and parse every new event again (an
 * event may hold a maximum-size body: 10 million characters, about 0.2 s of JSON.parse).
 */
const RECENT_EVENT_CHARS = 48 * 1024 * 1024;

/**
 * Reads the events table of an embedded store through one connection (read-only for the store
 * and the CLIs). Every SQLite storage error is mapped to the port's errors (see toStoreError). A
 * damaged event is named by its position: an event whose JSON does not parse, or whose page
 * SQLite reports as corrupt (SQLITE_CORRUPT, https://www.sqlite.org/rescode.html#corrupt). A
 * range scan that meets a damaged page fails as a whole, so the reader then looks the rows up one
 * by one (rowid lookups touch only their own leaf page) to find the first one it cannot read.
 */
export class SqliteEventReader {
  private readonly statements: {
    streamPositions: Database.Statement<[string, bigint, number], { position: bigint }>;
    readAll: Database.Statement<[bigint, number], EventRow>;
    readAllMetadata: Database.Statement<[bigint, number], Omit<EventRow, 'data'>>;
    byStream: Database.Statement<[string, bigint, bigint, number], EventRow>;
    at: Database.Statement<[bigint], EventRow>;
    idAt: Database.Statement<[bigint], { event_id: string }>;
    head: Database.Statement<[], { position: bigint | null }>;
    lastRevision: Database.Statement<[string], { revision: bigint | null }>;
  };
  /**
   * Events read lately (of the log or of a stream), by position (a bigint), frozen, so that readers that
   * share them cannot change them for each other. The log is append-only: an event at a position
   * never changes, so nothing here goes stale.
   */
  private readonly recent = new LRUCache<bigint, RecordedEvent>({ max: 4_096, maxSize: RECENT_EVENT_CHARS, sizeCalculation: (e) => Math.max(1, e.size!) });

  constructor(
    readonly db: Database.Database,
    private readonly file: string,
  ) {
    this.statements = {
      // Answered from the (stream_id, revision) index alone, which holds the rowid: no event page.
      streamPositions: db.prepare('SELECT position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?'),
      readAll: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      // SQLite still walks a large data value's overflow pages to reach metadata, but no JavaScript string is made of it.
      readAllMetadata: db.prepare(`SELECT ${METADATA_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      // Walks the UNIQUE (stream_id, revision) index; the row-value comparison seeks in it.
      byStream: db.prepare(`SELECT ${COLUMNS} FROM events WHERE (stream_id, revision) > (?, ?) AND position <= ? ORDER BY stream_id, revision LIMIT ?`),
      at: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position = ?`),
      idAt: db.prepare('SELECT event_id FROM events WHERE position = ?'),
      head: db.prepare('SELECT max(position) AS position FROM events'),
      lastRevision: db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
    };
    for (const statement of Object.values(this.statements)) statement.safeIntegers(true);
  }

  /**
   * Events of one stream from `fromRevision`, at most `maxCount` (-1: all), and no more once
   * `maxBytes` of event text have been read (at least one event). Throws DamagedEventError.
   */
  readStream(streamId: string, fromRevision: bigint, maxCount: number, maxBytes = Infinity): RecordedEvent[] {
    try {
      const events: RecordedEvent[] = [];
      let bytes = 0;
      // Positions first, from the (stream_id, revision) index alone: an event read lately (see
      // `recent`) is not read and parsed again. Row by row, so that a budget met early leaves the
      // rest of the rows unread.
      for (const { position } of this.statements.streamPositions.all(streamId, fromRevision, maxCount)) {
        let event = this.recent.get(position);
        if (!event) {
          const row = this.statements.at.get(position);
          if (!row) break;
          this.recent.set(position, (event = shared(toRecordedEvent(row))));
        }
        events.push(event);
        bytes += event.size!;
        if (bytes >= maxBytes) break;
      }
      return events;
    } catch (error) {
      if (error instanceof DamagedEventError) throw error;
      if (!isCorrupt(error)) throw toStoreError(error, this.file);
      const positions = this.guard(() => this.statements.streamPositions.all(streamId, fromRevision, maxCount));
      return positions.map(({ position }) => this.eventAt(position, error)).filter((e) => e !== null);
    }
  }

  /**
   * Up to `maxCount` events after position `after` (a bigint; -1n before the first), and no more
   * once `maxBytes` of event text have been read (at least one event), stopping at the first
   * damaged one, which is returned as `damage`.
   */
  readAll(after: bigint, maxCount: number, maxBytes = Infinity): ReadPrefix {
    const events: RecordedEvent[] = [];
    let bytes = 0;
    const full = () => (maxCount >= 0 && events.length >= maxCount) || bytes >= maxBytes;
    // Positions are dense from 1 (see readOneByOne): the events just after `after` that another reader
    // read lately are served as they were parsed; the rest come from the table.
    const next = () => this.recent.get((after > 0n ? after : 0n) + 1n);
    for (let hit = next(); hit && !full(); hit = next()) {
      events.push(hit);
      bytes += hit.size!;
      after = hit.position.commit;
    }
    if (full()) return { events, damage: null };
    const left = maxCount < 0 ? maxCount : maxCount - events.length;
    try {
      for (const row of this.statements.readAll.iterate(after, left)) {
        let event: RecordedEvent;
        try {
          event = shared(toRecordedEvent(row));
        } catch (damage) {
          return { events, damage: damage as DamagedEventError };
        }
        this.recent.set(event.position.commit, event);
        events.push(event);
        bytes += event.size!;
        if (bytes >= maxBytes) break;
      }
    } catch (error) {
      if (!isCorrupt(error)) throw toStoreError(error, this.file);
      const last = events.length > 0 ? events[events.length - 1].position.commit : after;
      const rest = this.readOneByOne(last, maxCount - events.length, error);
      return { events: [...events, ...rest.events], damage: rest.damage };
    }
    return { events, damage: null };
  }

  /**
   * Up to `maxCount` events at or before position `upTo` (a bigint), strictly after `after` in the
   * order of stream ids (SQLite's BINARY collation), then revisions; no more once `maxBytes` of
   * event text have been read (at least one event). Frozen, as every event of this reader, but not
   * cached in `recent`: a read in this order is a rebuild's, which reads each event once. Throws
   * DamagedEventError for an event whose JSON does not parse, and the port's store errors
   * (toStoreError) for the file's, a damaged page included.
   */
  readInStreamOrder(upTo: bigint, after: StreamCursor | null, maxCount: number, maxBytes = Infinity): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    let bytes = 0;
    // From the start: ('', -1) comes before every (stream id, revision) there is.
    const { streamId, revision } = after ?? { streamId: '', revision: -1n };
    const rows = this.statements.byStream.iterate(streamId, revision, upTo, maxCount);
    try {
      for (const row of rows) {
        // Frozen, as every event this reader hands out: readArticleEvent then reads it once for all the generations of a load.
        const event = shared(toRecordedEvent(row));
        events.push(event);
        bytes += event.size!;
        if (bytes >= maxBytes) break;
      }
    } catch (error) {
      if (error instanceof DamagedEventError) throw error;
      throw toStoreError(error, this.file);
    }
    return events;
  }

  /** The last position of the log (a bigint), or null when it is empty. */
  head(): bigint | null {
    return this.guard(() => this.statements.head.get()?.position ?? null);
  }

  /** The stream's last revision (a bigint), or null when it does not exist. */
  streamRevision(streamId: string): bigint | null {
    return this.guard(() => this.statements.lastRevision.get(streamId)?.revision ?? null);
  }

  /** The id of the event at `position`, or null when none stands there. */
  eventIdAt(position: bigint): string | null {
    return this.guard(() => this.statements.idAt.get(position)?.event_id ?? null);
  }

  private readOneByOne(after: bigint, maxCount: number, cause: unknown): ReadPrefix {
    const events: RecordedEvent[] = [];
    // Positions are dense (1, 2, 3...: rowids of a table nothing is deleted from), so the next
    // maxCount positions hold the next maxCount events.
    for (let position = after + 1n; position <= after + BigInt(maxCount); position++) {
      try {
        const event = this.eventAt(position, cause);
        if (event) events.push(event);
      } catch (damage) {
        if (damage instanceof DamagedEventError) return { events, damage };
        throw damage;
      }
    }
    return { events, damage: null };
  }

  /** The event at `position`, null if there is none; DamagedEventError if its page is corrupt. */
  private eventAt(position: bigint, scanError: unknown): RecordedEvent | null {
    let row: EventRow | undefined;
    try {
      row = this.statements.at.get(position);
    } catch (error) {
      if (!isCorrupt(error)) throw toStoreError(error, this.file);
      throw new DamagedEventError(position, `its page in ${this.file} is damaged (${sqliteCode(error)})`, null, {
        cause: scanError,
      });
    }
    return row ? toRecordedEvent(row) : null;
  }

  /**
   * Up to `maxCount` events after position `after` (a bigint; -1n before the first) without their
   * data (RecordedEventMetadata, frozen), and no more once `maxBytes` of metadata text have been
   * read (at least one event). Throws DamagedEventError for an event whose metadata is not JSON,
   * and the port's store errors (toStoreError) for the file's.
   */
  readAllMetadata(after: bigint, maxCount: number, maxBytes = Infinity): RecordedEventMetadata[] {
    const events: RecordedEventMetadata[] = [];
    let bytes = 0;
    try {
      for (const row of this.statements.readAllMetadata.iterate(after, maxCount)) {
        events.push(shared(toRecordedMetadata(row)));
        bytes += row.metadata.length;
        if (bytes >= maxBytes) break;
      }
    } catch (error) {
      if (error instanceof DamagedEventError) throw error;
      throw toStoreError(error, this.file);
    }
    return events;
  }

  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw toStoreError(error, this.file);
    }
  }
}

/**
 * `value` (an event read from the file: JSON in plain objects, arrays and primitives) frozen
 * through and through, so that readers that share it cannot change it for each other.
 */
function shared<T>(value: T): T {
  const freeze = (item: unknown): void => {
    if (typeof item !== 'object' || item === null || Object.isFrozen(item)) return;
    Object.freeze(item);
    for (const child of Object.values(item)) freeze(child);
  };
  freeze(value);
  return value;
}

/** A row read without its data as RecordedEventMetadata (size: the metadata's length); DamagedEventError when its metadata is not JSON. */
function toRecordedMetadata(row: Omit<EventRow, 'data'>): RecordedEventMetadata {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: row.revision,
    position: { commit: row.position, prepare: row.position },
    metadata: parseJson(row, 'metadata', row.metadata) as JsonObject,
    recordedAt: row.recorded_at,
    size: row.metadata.length,
  };
}

/** A row as the port's RecordedEvent; DamagedEventError when data or metadata is not JSON. */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  const data = parseJson(row, 'data', row.data) as JsonValue;
  return { ...toRecordedMetadata(row), data, size: row.data.length + row.metadata.length };
}

function parseJson(row: Pick<EventRow, 'position' | 'stream_id' | 'revision'>, column: 'data' | 'metadata', text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = { streamId: row.stream_id, revision: row.revision };
    // Not JSON.parse's message: it quotes the text, which may be an unpublished draft, and this
    // message reaches /health and the logs. The cause keeps it for a debugger.
    throw new DamagedEventError(row.position, `its ${column} is not valid JSON`, where, { cause: error });
  }
}
