import { Position, ReadAllOptions, ReadInStreamOrderOptions, ReadStreamOptions, RecordedEvent, RecordedEventMetadata, START } from './event-store.port';
import type { SqliteEventReader } from './sqlite-event-reader';

/**
 * The reads of the EventStore port that an embedded store answers from its read connection
 * (SqliteEventReader): the server's store (SqliteEventStore) and the read models threads' store
 * (ReadOnlySqliteEventStore) read alike. Revisions are bigints (0-based, a stream's n-th event is
 * n - 1); positions are the event's rowid as a bigint, in both `commit` and `prepare`.
 */
export abstract class SqliteLogReads {
  protected abstract readonly reader: SqliteEventReader;

  /** A stream's events from `fromRevision` (bigint, default 0n). Throws DamagedEventError when an event of the page cannot be read. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.reader.readStream(streamId, options.fromRevision ?? 0n, options.maxCount ?? -1, options.maxBytes);
  }

  /** The stream's last revision (bigint), or null when it has no event. */
  async streamRevision(streamId: string): Promise<bigint | null> {
    return this.reader.streamRevision(streamId);
  }

  /** Events of the log after `options.after` (default: from the start). Throws DamagedEventError when an event of the batch cannot be read. */
  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const { events, damage } = this.reader.readAll((options.after ?? START).commit, options.maxCount, options.maxBytes);
    if (damage) throw damage;
    return events;
  }

  /** Events of the log after `options.after` without their data (EventStore.readAllMetadata). Throws DamagedEventError when an event's metadata cannot be read. */
  async readAllMetadata(options: ReadAllOptions): Promise<RecordedEventMetadata[]> {
    return this.reader.readAllMetadata((options.after ?? START).commit, options.maxCount, options.maxBytes);
  }

  /**
   * A page of the log up to `options.upTo`, in the order of the events table's (stream_id,
   * revision) index: stream ids in SQLite's BINARY order, then revisions (see
   * EventStore.readInStreamOrder). Throws DamagedEventError when an event of the page cannot be read.
   */
  async readInStreamOrder(options: ReadInStreamOrderOptions): Promise<RecordedEvent[]> {
    return this.reader.readInStreamOrder(options.upTo.commit, options.after ?? null, options.maxCount, options.maxBytes);
  }

  /** The position of the log's last event, or START for an empty log. */
  async headPosition(): Promise<Position> {
    const position = this.reader.head();
    return position === null ? START : { commit: position, prepare: position };
  }

  /** The id of the event at `position` (its commit, a bigint: the event's rowid), or null. */
  async eventIdAt(position: Position): Promise<string | null> {
    return this.reader.eventIdAt(position.commit);
  }
}
