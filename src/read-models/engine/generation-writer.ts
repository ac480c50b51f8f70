import { DamagedEventError, EventStoreCorruptError } from '../../event-store/event-store.errors';
import { comparePositions, formatPosition, parsePosition, Position, RecordedEvent, START } from '../../event-store/event-store.port';
import { Change, ColumnValue, Docs, Projection, toProjectedEvent, View } from '../../projection-kit/projection';
import { GenerationRow, loadUnfinished, ReadModelDb, tableName } from './read-model-db';

/**
 * Why and where a generation stopped: shown by GET /api/projections (`error`) and GET /health
 * (`failure`). Either the projection failed at one event (it threw, or the log could not be read
 * there), or the thread that ran it stopped, and no event is to blame. Stored as JSON in the
 * registry; rows written before `kind` existed are event failures (parseFailure).
 */
export type ProjectionFailure = EventFailure | ThreadFailure;

/** The projection could not apply one event: it threw on it, or the log could not be read there. */
export interface EventFailure {
  kind: 'event';
  message: string;
  /** The position of the event it could not apply (decimal); the checkpoint is the one before. */
  position: string;
  /** The event's id, type, stream and revision (decimal), or "unknown" where the log could not be read. */
  eventId: string;
  eventType: string;
  streamId: string;
  revision: string;
}

/** The thread that applied the generation's events stopped (crashed, exited): no event is to blame. */
export interface ThreadFailure {
  kind: 'thread-stopped';
  /** Which thread: the server's projections worker, or the thread running rebuilds. */
  thread: 'projections' | 'rebuild';
  /** Why it stopped, as the thread's error or exit told it (e.g. "it exited with code 1"). */
  reason: string;
  /** "The <thread> thread stopped: <reason>". */
  message: string;
  /** The generation's checkpoint when the thread stopped (decimal; "-1": none): it stays there. */
  position: string;
}

/** The failure of a generation whose `thread` stopped for `reason`, at checkpoint `position`. */
export function threadStopped(thread: ThreadFailure['thread'], reason: string, position: Position): ThreadFailure {
  return { kind: 'thread-stopped', thread, reason, message: `The ${thread} thread stopped: ${reason}`, position: formatPosition(position) };
}

/** A failure as the registry stores it (JSON): one written before `kind` existed is an event failure. */
export function parseFailure(json: string): ProjectionFailure {
  const failure = JSON.parse(json) as Omit<EventFailure, 'kind'> | ProjectionFailure;
  return 'kind' in failure ? failure : { kind: 'event', ...failure };
}

/**
 * One line for logs and GET /health: "failed at position <p>: <message>" for an event, the
 * message itself ("The projections thread stopped: <reason>") for a thread.
 */
export function describeProjectionFailure(failure: ProjectionFailure): string {
  return failure.kind === 'thread-stopped' ? failure.message : `failed at position ${failure.position}: ${failure.message}`;
}

export type BatchOutcome =
  | { kind: 'applied'; checkpoint: Position; applied: number }
  | { kind: 'failed'; checkpoint: Position; failure: ProjectionFailure }
  /** The generation is no longer live or next (swapped out, maybe by another process). */
  | { kind: 'retired' };

/** One collection's table of one generation: its name and the columns computed from each document. */
export interface Table {
  name: string;
  columns: Array<[string, (doc: object) => ColumnValue]>;
}

export interface GenerationWriterOptions {
  /**
   * Apply each batch (parse, project, serialise its documents) before taking the read-models
   * file's write lock, then commit it in a short transaction that first checks that the
   * generation has not moved meanwhile; if it has, the batch is applied again under the lock.
   * For generations being rebuilt: the live generations need that one lock for every commit,
   * and applying a maximum-size event takes seconds.
   */
  prepareOutsideLock?: boolean;
}

/** A batch applied to a BatchView, not yet written. */
interface AppliedBatch {
  view: BatchView;
  checkpoint: Position;
  lastEventId: string | null;
  applied: number;
  failure: ProjectionFailure | null;
}

/**
 * Applies batches of events to one generation. Each batch is ONE immediate transaction: read
 * the checkpoint, apply the events after it, write the documents and the new checkpoint. A
 * crash anywhere leaves the generation at the end of some committed batch, a prefix of the log.
 * Re-reading the checkpoint inside the transaction makes a batch delivered twice (a resubscribe,
 * or a second process following the same generation) a no-op instead of a double apply.
 */
export class GenerationWriter {
  /** Collection name → its table in this generation. */
  readonly tables = new Map<string, Table>();
  /**
   * The documents the last committed batch wrote, and the checkpoint it committed. A batch that
   * finds the generation still at that checkpoint (nobody else has written it since: every
   * batch moves the checkpoint with its documents, in one transaction) reads them from here
   * instead of parsing them from their tables again; an article's document holds its whole body.
   */
  private carried: { checkpoint: string; docs: CarriedDocs } | null = null;
  /** Collection → the statements on its table (statementsOf), prepared on first use. */
  private readonly statements = new Map<string, TableStatements>();

  constructor(
    readonly db: ReadModelDb,
    readonly projection: Projection,
    readonly generation: number,
    private readonly options: GenerationWriterOptions = {},
  ) {
    for (const [collection, spec] of Object.entries(projection.collections)) {
      const columns = Object.entries(spec.columns ?? {});
      this.tables.set(collection, { name: tableName(projection.name, generation, collection), columns });
    }
  }

  /**
   * The statements that read and write `collection`'s table in this generation, made once per
   * writer: building their SQL texts and finding them in ReadModelDb's cache on every read and
   * every flush took about a twentieth of the projections thread's busy time under 64 clients
   * writing (bench/http-load.ts, profiled). Throws when the projection has no such collection.
   */
  statementsFor(collection: string): TableStatements {
    let statements = this.statements.get(collection);
    if (!statements) {
      const table = this.tables.get(collection);
      if (!table) throw new Error(`The projection has no collection "${collection}"`);
      this.statements.set(collection, (statements = statementsOf(this.db, table)));
    }
    return statements;
  }

  /**
   * Clears what a stream-order load (CatchUp) that did not finish wrote: a generation at checkpoint
   * START whose `events` is above 0 (loadUnfinished). The secondary indexes the load dropped are
   * made again (for any generation at START), its documents are deleted and `events` set back to 0,
   * in one transaction, so that whatever follows it (a new load, or the batch path from START)
   * starts from empty tables. A load still running in another process then finds `events` changed at its next
   * flush and leaves (`conflict`). Returns how many events the cleared load had counted (0: there
   * was nothing to clear); throws what the database throws.
   */
  clearInterruptedLoad(): number {
    // Read first: the transaction takes the file's write lock, and this runs before every catch-up.
    const row = this.db.generation(this.projection.name, this.generation);
    // A load drops the secondary indexes until its end (ReadModelDb.dropIndexes).
    if (row?.checkpoint === formatPosition(START)) this.db.ensureIndexes(this.projection, this.generation);
    if (!row || !loadUnfinished(row)) return 0;
    return this.db.sql
      .transaction((): number => {
        const now = this.db.generation(this.projection.name, this.generation);
        if (!now || !loadUnfinished(now)) return 0;
        for (const table of this.tables.values()) this.db.sql.exec(`DELETE FROM "${table.name}"`);
        this.db
          .prepare('UPDATE projection_generations SET events = 0, last_event_id = NULL WHERE projection = ? AND generation = ?')
          .run(this.projection.name, this.generation);
        this.carried = null;
        return now.events;
      })
      .immediate();
  }

  /**
   * Applies `events` (those after the generation's checkpoint; the others are skipped) and commits
   * the documents and the new checkpoint in one transaction. With prepareOutsideLock the work is
   * done before the transaction (see GenerationWriterOptions). Throws what the database throws
   * (e.g. SQLITE_FULL); a projection that throws is a `failed` outcome, not an exception.
   */
  applyBatch(events: readonly RecordedEvent[]): BatchOutcome {
    if (this.options.prepareOutsideLock) {
      const outcome = this.applyPrepared(events);
      if (outcome) return outcome;
    }
    return this.db.sql
      .transaction((): BatchOutcome => {
        const row = this.db.generation(this.projection.name, this.generation);
        // Marked stale by another process (the rebuild CLI found it follows another log): stop too.
        if (!row || row.role === 'retired' || row.stale) return { kind: 'retired' };
        return this.commit(this.apply(row, events));
      })
      .immediate();
  }

  /**
   * The batch applied outside the write lock, then committed in a short transaction, unless the
   * generation moved meanwhile (another writer): null, and the caller applies it under the lock.
   * Between the two, only this writer writes the generation (each commit moves its checkpoint
   * with its documents), so what the batch read of its tables is what the transaction finds.
   */
  private applyPrepared(events: readonly RecordedEvent[]): BatchOutcome | null {
    const row = this.db.generation(this.projection.name, this.generation);
    if (!row || row.role === 'retired' || row.stale) return null;
    const batch = this.apply(row, events);
    batch.view.serialize();
    return this.db.sql
      .transaction((): BatchOutcome | null => {
        const now = this.db.generation(this.projection.name, this.generation);
        if (!now || now.role === 'retired' || now.stale || now.checkpoint !== row.checkpoint) return null;
        return this.commit(batch);
      })
      .immediate();
  }

  /** Applies the events after the row's checkpoint to a BatchView, stopping at the first that throws; writes nothing. */
  private apply(row: GenerationRow, events: readonly RecordedEvent[]): AppliedBatch {
    let checkpoint = parsePosition(row.checkpoint)!;
    let lastEventId = row.lastEventId;
    const fresh = events.filter((e) => comparePositions(e.position, checkpoint) > 0);
    const carried = this.carried?.checkpoint === row.checkpoint ? this.carried.docs : null;
    this.carried = null;
    const view = new BatchView(this.tables, (collection) => this.statementsFor(collection), carried);
    let failure: ProjectionFailure | null = null;
    let applied = 0;
    for (const recorded of fresh) {
      try {
        const event = toProjectedEvent(recorded);
        if (event) view.apply(this.projection.handle(event, view));
      } catch (error) {
        failure = describeFailure(recorded, error);
        break;
      }
      checkpoint = recorded.position;
      lastEventId = recorded.id;
      applied++;
    }
    return { view, checkpoint, lastEventId, applied, failure };
  }

  /** Inside the batch's transaction: writes its documents and checkpoint. */
  private commit({ view, checkpoint, lastEventId, applied, failure }: AppliedBatch): BatchOutcome {
    const written = view.flush();
    if (!failure) this.carried = { checkpoint: formatPosition(checkpoint), docs: written };
    this.db
      .prepare(
        `UPDATE projection_generations SET checkpoint = ?, last_event_id = ?, events = events + ?, failure = ?
           WHERE projection = ? AND generation = ?`,
      )
      .run(formatPosition(checkpoint), lastEventId, applied, failure && JSON.stringify(failure), this.projection.name, this.generation);
    return failure ? { kind: 'failed', checkpoint, failure } : { kind: 'applied', checkpoint, applied };
  }

  /**
   * Records that the log itself could not be read past the checkpoint (a damaged event): the
   * generation stops there as failed, exactly as when the projection throws.
   */
  fail(failure: ProjectionFailure): BatchOutcome {
    return this.db.sql
      .transaction((): BatchOutcome => {
        const row = this.db.generation(this.projection.name, this.generation);
        if (!row || row.role === 'retired') return { kind: 'retired' };
        this.db.setFailure(this.projection.name, this.generation, JSON.stringify(failure));
        return { kind: 'failed', checkpoint: parsePosition(row.checkpoint)!, failure };
      })
      .immediate();
  }
}

/** Collection → key → document (undefined: deleted). */
type CarriedDocs = ReadonlyMap<string, ReadonlyMap<string, object | undefined>>;

/** Characters of JSON that the documents carried from one batch to the next may hold together. */
const CARRIED_CHARS = 32 * 1024 * 1024;

interface Entry {
  doc: object | undefined;
  /** Set when the batch changed the document: the column values to write with it, and its JSON once serialised. */
  write?: { columns: ColumnValue[]; serialized?: Serialized } | 'delete';
}

/** A document serialised ahead of its write: its JSON as UTF-8, and the length of that JSON in characters. */
interface Serialized {
  utf8: Buffer;
  chars: number;
}

/** The documents as the batch so far has left them; reads fall through to the tables. */
class BatchView implements View<Docs> {
  private readonly entries = new Map<string, Map<string, Entry>>();

  constructor(
    private readonly tables: ReadonlyMap<string, Table>,
    /** The statements on a collection's table (GenerationWriter.statementsFor). */
    private readonly statementsFor: (collection: string) => TableStatements,
    /** Documents as the previous batch left them, when nothing has written the tables since. */
    private readonly carried: CarriedDocs | null = null,
  ) {}

  get(collection: string, key: string): object | undefined {
    const entries = this.entriesOf(collection);
    let entry = entries.get(key);
    const carried = this.carried?.get(collection);
    if (!entry && carried?.has(key)) entries.set(key, (entry = { doc: carried.get(key) }));
    if (!entry) {
      const row = this.statementsFor(collection).read.get(key);
      entry = { doc: row ? (JSON.parse(row.doc) as object) : undefined };
      entries.set(key, entry);
    }
    return entry.doc;
  }

  /**
   * All of one event's changes or none: column values (projection code, which may throw on odd
   * data) are computed before any change is recorded. Documents are serialised once, at flush:
   * a document that many events of a batch change is written once.
   */
  apply(changes: ReadonlyArray<Change<Docs>>): void {
    const prepared = changes.map((change) => {
      const { columns } = this.table(change.collection);
      const write = change.op === 'put' ? { columns: columns.map(([, value]) => value(change.doc)) } : ('delete' as const);
      return { change, write };
    });
    for (const { change, write } of prepared) {
      this.entriesOf(change.collection).set(change.key, { doc: change.op === 'put' ? change.doc : undefined, write });
    }
  }

  /**
   * Serialises the changed documents now, to UTF-8 (what SQLite stores; converting a maximum-size
   * document takes long too), so that flush() only writes them.
   */
  serialize(): void {
    for (const entries of this.entries.values()) {
      for (const { doc, write } of entries.values()) {
        if (!write || write === 'delete') continue;
        const text = JSON.stringify(doc);
        write.serialized = { utf8: Buffer.from(text, 'utf8'), chars: text.length };
      }
    }
  }

  /** Writes the changed documents; returns those that may be carried to the next batch (see GenerationWriter). */
  flush(): CarriedDocs {
    const written = new Map<string, Map<string, object | undefined>>();
    let chars = 0;
    for (const [collection, entries] of this.entries) {
      const carried = new Map<string, object | undefined>();
      written.set(collection, carried);
      const { upsert, upsertUtf8, remove } = this.statementsFor(collection);
      for (const [key, { doc, write }] of entries) {
        if (write === 'delete') {
          remove.run(key);
          carried.set(key, undefined);
        } else if (write) {
          let length: number;
          if (write.serialized) {
            upsertUtf8.run(key, write.serialized.utf8, ...write.columns);
            length = write.serialized.chars;
          } else {
            const text = JSON.stringify(doc);
            upsert.run(key, text, ...write.columns);
            length = text.length;
          }
          if ((chars += length) <= CARRIED_CHARS) carried.set(key, doc);
        }
      }
    }
    return written;
  }

  private entriesOf(collection: string): Map<string, Entry> {
    let entries = this.entries.get(collection);
    if (!entries) this.entries.set(collection, (entries = new Map()));
    return entries;
  }

  private table(collection: string): Table {
    const table = this.tables.get(collection);
    if (!table) throw new Error(`The projection has no collection "${collection}"`);
    return table;
  }
}

/** The statements on one generation's table of one collection (statementsOf). */
export type TableStatements = ReturnType<typeof statementsOf>;

/**
 * The statements that write one table's documents: upsert(key, doc JSON, ...column values),
 * upsertUtf8 (the same with the JSON as a UTF-8 Buffer, stored as the same text) and remove(key).
 * Prepared once per SQL text (ReadModelDb.prepare).
 */
export function statementsOf(db: ReadModelDb, { name, columns }: Table) {
  const names = columns.map(([column]) => `, "${column}"`).join('');
  const marks = columns.map(() => ', ?').join('');
  const updates = columns.map(([column]) => `, "${column}" = excluded."${column}"`).join('');
  return {
    upsert: db.prepare<unknown[]>(
      `INSERT INTO "${name}" (key, doc${names}) VALUES (?, ?${marks}) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc${updates}`,
    ),
    upsertUtf8: db.prepare<unknown[]>(
      `INSERT INTO "${name}" (key, doc${names}) VALUES (?, CAST(? AS TEXT)${marks}) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc${updates}`,
    ),
    remove: db.prepare<[string]>(`DELETE FROM "${name}" WHERE key = ?`),
    read: db.prepare<[string], { doc: string }>(`SELECT doc FROM "${name}" WHERE key = ?`),
  };
}

/** What a projection's throw at `event` becomes: the generation stops there as failed. */
export function describeFailure(event: RecordedEvent, error: unknown): EventFailure {
  return {
    kind: 'event',
    message: error instanceof Error ? error.message : String(error),
    position: formatPosition(event.position),
    eventId: event.id,
    eventType: event.type,
    streamId: event.streamId,
    revision: event.revision.toString(),
  };
}

/** A ProjectionFailure for an event the store could not read (what it knows of it, else "unknown"). */
export function describeUnreadable(error: DamagedEventError | EventStoreCorruptError, checkpoint: Position): EventFailure {
  if (error instanceof EventStoreCorruptError) {
    const position = `after ${formatPosition(checkpoint)}`;
    return { kind: 'event', message: error.message, position, eventId: 'unknown', eventType: 'unknown', streamId: 'unknown', revision: 'unknown' };
  }
  return {
    kind: 'event',
    message: error.message,
    position: error.position.toString(),
    eventId: 'unknown',
    eventType: 'unknown',
    streamId: error.where?.streamId ?? 'unknown',
    revision: error.where?.revision.toString() ?? 'unknown',
  };
}
