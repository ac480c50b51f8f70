import { LRUCache } from 'lru-cache';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AllSubscription, comparePositions, EventStore, formatPosition, parsePosition, Position, RecordedEvent } from '../../event-store/event-store.port';
import { Change, ColumnValue, Docs, toProjectedEvent, View } from '../../projection-kit/projection';
import { BatchOutcome, describeFailure, GenerationWriter, ProjectionFailure } from './generation-writer';
import { inBatches } from './in-batches';
import type { RetryCause } from './projector';

/**
 * How far behind the head (in events of the log, see eventsAfter) a generation must be to catch
 * up in a shared pass rather than batch by batch. 10,000 events take the batch path one to two
 * seconds: below that the pass's gains (fewer commits, documents read once) are too small to
 * matter, and the batch path keeps what readers see moving batch by batch. Above it (a rebuild,
 * or a server restarted after a long stop) the pass reads the log once for every such generation
 * and commits rarely, so readers of a live generation catching up see it move in large steps.
 */
export const CATCH_UP_MIN_EVENTS = 10_000;

/** Tuning of catch-up passes (CatchUp); the defaults are DEFAULT_CATCH_UP. */
export interface CatchUpOptions {
  /** A generation more than this many events behind the head catches up in a pass. */
  minEventsBehind: number;
  /** Events of the log a pass reads between two flushes (each one transaction for every generation in it). */
  flushEvents: number;
  /**
   * Characters of JSON the changed documents of a pass may hold, about, before it flushes: what
   * they weighed when last read or written (a new document counts once written).
   */
  flushChars: number;
  /** Characters of JSON of unchanged documents a pass keeps between flushes, for all its generations together. */
  cacheChars: number;
  /**
   * The share (0 to 1) of a generation's document reads that may go to its tables for a document
   * the pass's cache evicted for want of room before the generation leaves the pass for the batch
   * path (`outgrown`). Other reads from its tables do not count: a document not there yet (a new
   * key) or not read before by the pass (a live generation's, after a long stop) costs any path
   * the same, and says nothing of the cache's size. Judged at a flush once
   * it has read MIN_READS_JUDGED documents since it was last judged; 1: never leaves.
   */
  maxMissShare: number;
}

/** Reads below which a generation's miss share is not judged yet (see CatchUpOptions.maxMissShare). */
export const MIN_READS_JUDGED = 1000;

/** Keys of evicted documents a pass remembers (forgetting all of them past this): a few MB at most. */
const MAX_EVICTED_KEYS = 100_000;

/**
 * Flush every 25,000 events or 16 M characters of changed documents, keep 16 M characters of
 * documents read: about what the batch path carries between batches (32 M characters), since
 * JS objects take two to four times their JSON's size and the heap must stay well under 300 MB
 * for a rebuild of every read model (measured: 320 MB peak RSS at 24 M + 24 M on 100k events).
 */
export const DEFAULT_CATCH_UP: CatchUpOptions = {
  minEventsBehind: CATCH_UP_MIN_EVENTS,
  flushEvents: 25_000,
  flushChars: 16 * 1024 * 1024,
  cacheChars: 16 * 1024 * 1024,
  // The pass's gains are reads served from memory and documents written once for many events. A
  // generation whose documents outgrow the cache (a million events over 10,000 articles, each
  // read in turn) reads from its tables as the batch path does, and pays on top for the cache's
  // churn and for flushes of larger transactions: 0.89x the batch path's speed with 1.5x its
  // memory at 1M events, before this rule. Measured: at 100k events over 1,000 articles no
  // generation misses more than 3% once warm; at 1M over 10,000, quotes, corrections and articles
  // miss 73%, 64% and 55% by 30,000 events and leave, and as_of, the cache then its own, misses
  // 1-3% from there and stays. One half lies well between the two; the share at which the pass
  // and the batch path break even has not been measured.
  maxMissShare: 0.5,
};

/** Events per batch the pass reads (and bytes of their text): the same bounds as the batch path's. */
const READ_BATCH = 1000;
const READ_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * How a generation's catch-up ended; its projector goes on from there.
 * - caught-up: at the head (or the log ended); the batch path takes over.
 * - outgrown: its documents do not fit the pass's cache (CatchUpOptions.maxMissShare): flushed,
 *   it leaves the pass, and the batch path takes it to the head (the pass would be slower).
 *   `missShare` is the share of its reads, since it was last judged, that found an evicted document.
 * - conflict: another process (a server, the rebuild CLI) moved the generation's checkpoint since
 *   the pass started: what the pass applied since its last flush was discarded; the batch path,
 *   which re-reads the checkpoint in each transaction, takes over.
 * - hand-over: a column of a changed document threw at the flush; what the pass applied since its
 *   last flush was discarded and the batch path, which computes columns event by event, takes over
 *   (and fails at the event whose document it is, as it always has).
 * - outcome: the generation failed (the projection threw: checkpoint before the event) or was retired.
 * - error: reading the log or writing the read model failed; everything up to the last flush is kept.
 * - stopped: stop() was called; what the pass applied since its last flush was discarded.
 */
export type CatchUpResult =
  | { kind: 'caught-up' }
  | { kind: 'outgrown'; missShare: number }
  | { kind: 'conflict' }
  | { kind: 'hand-over' }
  | { kind: 'outcome'; outcome: Exclude<BatchOutcome, { kind: 'applied' }> }
  | { kind: 'error'; error: unknown; during: RetryCause }
  | { kind: 'stopped' };

/** A generation's part in a pass, as its projector sees it. */
export interface CatchUpTicket {
  /** Settles once the generation has left the pass, however. */
  readonly result: Promise<CatchUpResult>;
  /** Leaves the pass now (its unflushed work is discarded): result settles with `stopped`. */
  leave(): void;
}

/**
 * Catch-up mode: generations far behind the head (CATCH_UP_MIN_EVENTS) are brought up to it in
 * passes, each of which reads the log ONCE for every generation in it and applies each event to
 * each generation still behind it. Each generation's documents are read from its tables once and
 * kept, changed, in memory (a write-back cache bounded in characters of JSON); a flush writes
 * every generation's changed documents and its checkpoint, all in ONE transaction, so that a
 * crash leaves each generation a consistent prefix of the log, as the batch path does.
 *
 * A flush is a compare-and-set: a generation whose stored checkpoint is no longer the one this
 * pass last wrote (another process follows it too) has its work since then discarded and leaves
 * the pass (`conflict`). Generations that join while a pass is reading join it when the pass has
 * not yet read past their checkpoint, else wait for the next pass, which starts when this one ends.
 */
export class CatchUp {
  private waiting: Participant[] = [];
  private pass: Pass | null = null;
  private serial = 0;

  constructor(
    private readonly store: EventStore,
    readonly options: CatchUpOptions = DEFAULT_CATCH_UP,
  ) {}

  /**
   * Brings `writer`'s generation, at `checkpoint` (as stored: formatPosition text), up to the head.
   * `flushed` is called after each flush that advanced it (its outcome, kind applied). Never throws:
   * every way out is a CatchUpResult.
   */
  join(writer: GenerationWriter, checkpoint: string, flushed: (outcome: BatchOutcome & { kind: 'applied' }) => void): CatchUpTicket {
    let settle!: (result: CatchUpResult) => void;
    const result = new Promise<CatchUpResult>((resolve) => (settle = resolve));
    const participant = new Participant(++this.serial, writer, checkpoint, flushed, settle);
    if (this.pass?.accepts(participant.checkpoint)) this.pass.add(participant);
    else this.waiting.push(participant);
    this.startSoon();
    return {
      result,
      leave: () => {
        this.waiting = this.waiting.filter((p) => p !== participant);
        this.pass?.remove(participant);
        participant.settle({ kind: 'stopped' });
      },
    };
  }

  /** Starts a pass for the waiting generations once the current one (if any) ends, one turn later (so that generations starting together share it). */
  private startSoon(): void {
    if (this.pass || this.waiting.length === 0) return;
    const pass = (this.pass = new Pass(this.store, this.options));
    for (const participant of this.waiting) pass.add(participant);
    this.waiting = [];
    void (async () => {
      // Generations that start together (a server's, the rebuild CLI's) join within this turn.
      await nextTurn();
      try {
        await pass.run();
      } catch (error) {
        // run() settles its generations whatever the log does; this is the subscription failing to close.
        pass.abandon(error);
      } finally {
        this.pass = null;
        this.startSoon();
      }
    })();
  }
}

/** One generation in a pass: where it stands, in memory and on disk, and its changed documents. */
class Participant {
  /** The last event applied, in memory. */
  checkpoint: Position;
  lastEventId: string | null = null;
  /** The checkpoint stored at the last flush (or at the start): what the next flush expects to find. */
  stored: string;
  /** Events applied since the last flush. */
  applied = 0;
  failure: ProjectionFailure | null = null;
  /** Documents changed since the last flush: cache key → entry. */
  readonly dirty = new Map<string, Dirty>();
  /** Estimated characters of JSON held in `dirty`. */
  dirtyChars = 0;
  /** Documents the projection read since its miss share was last judged, and how many of them came from its tables (see CatchUpOptions.maxMissShare). */
  reads = 0;
  misses = 0;
  /**
   * Characters of JSON of the documents read since the last flush (cache key → size): what a
   * document weighs once changed, even when the cache has evicted it since it was read (at a
   * million events the per-article documents outgrow the cache, and counting those as 0 let the
   * changed documents grow far past flushChars). Keys and numbers only; emptied at each flush.
   */
  readonly readSizes = new Map<string, number>();
  private settled = false;

  constructor(
    readonly id: number,
    readonly writer: GenerationWriter,
    checkpoint: string,
    readonly flushed: (outcome: BatchOutcome & { kind: 'applied' }) => void,
    private readonly resolve: (result: CatchUpResult) => void,
  ) {
    this.stored = checkpoint;
    this.checkpoint = parsePosition(checkpoint)!;
  }

  settle(result: CatchUpResult): void {
    if (this.settled) return;
    this.settled = true;
    this.dirty.clear();
    this.readSizes.clear();
    this.resolve(result);
  }
}

interface Dirty {
  collection: string;
  key: string;
  doc: object | undefined;
  /** Its column values, computed at the flush (once per document however many events changed it). */
  columns: ColumnValue[] | null;
  /** Its JSON as UTF-8 and its length in characters, serialised with the columns: before the flush's transaction, which holds the file's write lock. */
  serialized?: { utf8: Buffer; chars: number };
  /** Characters of its JSON when last read or written (0: never). */
  chars: number;
  /**
   * The projection has read it (or it was cached): kept in the cache once written. A document only
   * ever written (e.g. a closed as_of version, under a key of its own) is not: nothing reads it back.
   */
  read: boolean;
}

/** A document as last read or written: undefined when there is none. */
interface Clean {
  doc: object | undefined;
  chars: number;
}

/** One read of the log, from the lowest checkpoint of its generations up to the head. */
class Pass {
  private readonly participants = new Set<Participant>();
  /** The last event read: generations at or after it may still join. */
  position: Position = { commit: -1n, prepare: -1n };
  /** Whether the pass has read anything yet: until then anyone may join. */
  private reading = false;
  ended = false;
  private subscription: AllSubscription | null = null;
  /** Unchanged documents of every generation in the pass, keyed by participant id, collection and key. */
  private readonly clean: LRUCache<string, Clean>;
  /** Cache keys of the documents `clean` evicted for want of room: read again from a table, each is a miss (see CatchUpOptions.maxMissShare). */
  private readonly evicted = new Set<string>();
  private eventsSinceFlush = 0;
  /** Characters of event text read since the last flush: a proxy for the documents it created, not yet weighed. */
  private eventCharsSinceFlush = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: CatchUpOptions,
  ) {
    this.clean = new LRUCache<string, Clean>({
      maxSize: options.cacheChars,
      sizeCalculation: (entry, key) => Math.max(1, entry.chars + key.length),
      dispose: (_entry, key, reason) => {
        if (reason !== 'evict') return;
        if (this.evicted.size >= MAX_EVICTED_KEYS) this.evicted.clear();
        this.evicted.add(key);
      },
    });
  }

  /** Whether a generation at `checkpoint` can join: the pass has not read past it. */
  accepts(checkpoint: Position): boolean {
    return !this.ended && (!this.reading || comparePositions(this.position, checkpoint) <= 0);
  }

  add(participant: Participant): void {
    if (!this.reading) this.position = this.lowest(participant.checkpoint);
    this.participants.add(participant);
  }

  remove(participant: Participant): void {
    this.participants.delete(participant);
    if (this.participants.size === 0 && this.reading) void this.subscription?.close();
  }

  private lowest(candidate: Position): Position {
    if (this.participants.size === 0) return candidate;
    return comparePositions(candidate, this.position) < 0 ? candidate : this.position;
  }

  async run(): Promise<void> {
    if (this.participants.size === 0) return void (this.ended = true);
    this.reading = true;
    let subscription: AllSubscription;
    try {
      subscription = this.subscription = this.store.subscribeToAll({ after: this.position });
    } catch (error) {
      // The store is closed (or cannot read at all): nothing applied, nothing to flush.
      return this.abandon(error);
    }
    const sameCommit = (a: RecordedEvent, b: RecordedEvent) => a.position.commit === b.position.commit;
    const bytes = { sizeOf: (event: RecordedEvent) => event.size ?? 0, maxBytes: READ_BATCH_BYTES };
    try {
      for await (const { items, caughtUp } of inBatches(subscription, READ_BATCH, sameCommit, bytes)) {
        if (this.participants.size === 0) break;
        this.apply(items);
        if (caughtUp || this.dueForFlush()) this.flush();
        if (caughtUp) break;
        // Let HTTP requests in between batches, as the batch path does.
        await nextTurn();
      }
      // At the head, or the subscription ended by itself (the store closed): the batch path goes on from here.
      if (this.participants.size > 0) this.flush();
      this.endAll({ kind: 'caught-up' });
    } catch (error) {
      // The log failed (what came before the failure was applied above), or a flush did.
      try {
        if (!isWriteError(error)) this.flush();
        this.endAll({ kind: 'error', error, during: isWriteError(error) ? 'writing the read model' : 'reading the log' });
      } catch (flushError) {
        this.endAll({ kind: 'error', error: (flushError as WriteError).cause, during: 'writing the read model' });
      }
    } finally {
      this.ended = true;
      await subscription.close();
    }
  }

  /** Settles every generation still in the pass with `error` (reading the log), however the pass ended. */
  abandon(error: unknown): void {
    this.ended = true;
    this.endAll({ kind: 'error', error, during: 'reading the log' });
  }

  private endAll(result: CatchUpResult): void {
    for (const participant of this.participants) participant.settle(result);
    this.participants.clear();
  }

  private dueForFlush(): boolean {
    if (this.eventsSinceFlush >= this.options.flushEvents) return true;
    let chars = this.eventCharsSinceFlush;
    for (const participant of this.participants) {
      if (participant.failure) return true;
      chars += participant.dirtyChars;
    }
    return chars >= this.options.flushChars;
  }

  /** Applies a batch to every generation behind it, each stopping at its first failure. */
  private apply(events: readonly RecordedEvent[]): void {
    for (const participant of this.participants) {
      if (participant.failure) continue;
      const view = new ParticipantView(participant, this.clean, this.evicted);
      for (const recorded of events) {
        if (comparePositions(recorded.position, participant.checkpoint) <= 0) continue;
        try {
          const event = toProjectedEvent(recorded);
          if (event) view.apply(participant.writer.projection.handle(event, view));
        } catch (error) {
          participant.failure = describeFailure(recorded, error);
          break;
        }
        participant.checkpoint = recorded.position;
        participant.lastEventId = recorded.id;
        participant.applied++;
      }
    }
    if (events.length > 0) this.position = events[events.length - 1].position;
    this.eventsSinceFlush += events.length;
    for (const event of events) this.eventCharsSinceFlush += event.size ?? 0;
  }

  /**
   * Writes every generation's changed documents and checkpoint in ONE transaction (each checked
   * against the checkpoint it last stored), then tells each projector. Throws WriteError.
   */
  private flush(): void {
    this.eventsSinceFlush = 0;
    this.eventCharsSinceFlush = 0;
    for (const participant of this.participants) {
      if (!computeColumns(participant)) {
        this.participants.delete(participant);
        participant.settle({ kind: 'hand-over' });
      }
    }
    const participants = [...this.participants];
    let outcomes: Array<CatchUpResult | (BatchOutcome & { kind: 'applied' }) | null>;
    try {
      const first = participants[0]?.writer.db;
      if (!first) return;
      outcomes = first.sql.transaction(() => participants.map((participant) => this.write(participant))).immediate();
    } catch (error) {
      throw new WriteError(error);
    }
    participants.forEach((participant, i) => {
      const outcome = outcomes[i];
      if (outcome === null) return;
      if (outcome.kind === 'applied') {
        // Written: the documents are clean now, as written.
        for (const [cacheKey, entry] of participant.dirty) if (entry.read) this.clean.set(cacheKey, { doc: entry.doc, chars: entry.chars });
        participant.dirty.clear();
        participant.readSizes.clear();
        participant.dirtyChars = 0;
        participant.applied = 0;
        participant.stored = formatPosition(participant.checkpoint);
        const { reads, misses } = participant;
        // Judged over at least MIN_READS_JUDGED reads, however many flushes that takes.
        if (reads >= MIN_READS_JUDGED) participant.reads = participant.misses = 0;
        if (outcome.applied > 0) participant.flushed(outcome);
        if (!participant.failure) {
          if (reads < MIN_READS_JUDGED || misses <= reads * this.options.maxMissShare) return;
          // Outgrown: what it holds is written; the batch path goes on from here.
          this.participants.delete(participant);
          for (const cacheKey of this.clean.keys()) if (cacheKey.startsWith(`${participant.id}\u0000`)) this.clean.delete(cacheKey);
          participant.settle({ kind: 'outgrown', missShare: misses / reads });
          return;
        }
        this.participants.delete(participant);
        participant.settle({ kind: 'outcome', outcome: { kind: 'failed', checkpoint: participant.checkpoint, failure: participant.failure } });
        return;
      }
      // Discarded: forget what it cached too, since another process may have written its tables.
      this.participants.delete(participant);
      for (const cacheKey of this.clean.keys()) if (cacheKey.startsWith(`${participant.id}\u0000`)) this.clean.delete(cacheKey);
      participant.settle(outcome as CatchUpResult);
    });
  }

  /** Inside the flush's transaction: one generation's part. null: nothing to write. */
  private write(participant: Participant): CatchUpResult | (BatchOutcome & { kind: 'applied' }) | null {
    if (participant.applied === 0 && !participant.failure && participant.dirty.size === 0) return null;
    const { db, projection, generation } = participant.writer;
    const row = db.generation(projection.name, generation);
    if (!row || row.role === 'retired' || row.stale) return { kind: 'outcome', outcome: { kind: 'retired' } };
    if (row.checkpoint !== participant.stored) return { kind: 'conflict' };
    for (const entry of participant.dirty.values()) {
      const statements = participant.writer.statementsFor(entry.collection);
      if (entry.doc === undefined) {
        statements.remove.run(entry.key);
        entry.chars = 0;
      } else {
        const { utf8, chars } = entry.serialized ?? serialize(entry.doc);
        statements.upsertUtf8.run(entry.key, utf8, ...entry.columns!);
        entry.chars = chars;
      }
    }
    const checkpoint = formatPosition(participant.checkpoint);
    db.prepare(
      `UPDATE projection_generations SET checkpoint = ?, last_event_id = coalesce(?, last_event_id), events = events + ?, failure = ?
       WHERE projection = ? AND generation = ?`,
    ).run(checkpoint, participant.lastEventId, participant.applied, participant.failure && JSON.stringify(participant.failure), projection.name, generation);
    return { kind: 'applied', checkpoint: participant.checkpoint, applied: participant.applied };
  }
}

/**
 * The column values and the JSON of every document a generation changed since its last flush,
 * before the flush's transaction: serialising a maximum-size article takes long, and the
 * transaction holds the write lock that live commits (another thread's) need. False when a column
 * threw (projection code, on odd data): the batch path then replays the events one by one.
 */
function computeColumns(participant: Participant): boolean {
  try {
    for (const entry of participant.dirty.values()) {
      if (entry.doc === undefined) continue;
      const doc = entry.doc;
      entry.columns = participant.writer.tables.get(entry.collection)!.columns.map(([, value]) => value(doc));
      entry.serialized = serialize(doc);
    }
    return true;
  } catch {
    return false;
  }
}

/** A document's JSON as UTF-8 (what SQLite stores), and its length in characters. */
function serialize(doc: object): { utf8: Buffer; chars: number } {
  const text = JSON.stringify(doc);
  return { utf8: Buffer.from(text, 'utf8'), chars: text.length };
}

/** A flush's transaction failed (e.g. the disk is full): the cause is the database's error. */
class WriteError extends Error {
  constructor(override readonly cause: unknown) {
    super(`writing the read model failed: ${String(cause)}`);
  }
}

function isWriteError(error: unknown): error is WriteError {
  return error instanceof WriteError;
}

/** The documents of one generation as the pass has left them: changed, cached, or read from its tables (then cached). */
class ParticipantView implements View<Docs> {
  constructor(
    private readonly participant: Participant,
    private readonly clean: LRUCache<string, Clean>,
    private readonly evicted: ReadonlySet<string>,
  ) {}

  get(collection: string, key: string): object | undefined {
    const cacheKey = this.cacheKey(collection, key);
    this.participant.reads++;
    const dirty = this.participant.dirty.get(cacheKey);
    if (dirty) {
      dirty.read = true;
      return dirty.doc;
    }
    const cached = this.clean.get(cacheKey);
    if (cached) {
      this.participant.readSizes.set(cacheKey, cached.chars);
      return cached.doc;
    }
    const row = this.participant.writer.statementsFor(collection).read.get(key);
    if (row && this.evicted.has(cacheKey)) this.participant.misses++;
    const entry = { doc: row ? (JSON.parse(row.doc) as object) : undefined, chars: row?.doc.length ?? 0 };
    this.clean.set(cacheKey, entry);
    this.participant.readSizes.set(cacheKey, entry.chars);
    return entry.doc;
  }

  /**
   * All of one event's changes or none: every collection is checked before any change is recorded.
   * Column values are computed at the flush, once per changed document (see computeColumns).
   */
  apply(changes: ReadonlyArray<Change<Docs>>): void {
    for (const change of changes) {
      if (!this.participant.writer.tables.has(change.collection)) throw new Error(`The projection has no collection "${change.collection}"`);
    }
    for (const change of changes) {
      const cacheKey = this.cacheKey(change.collection, change.key);
      const previous = this.participant.dirty.get(cacheKey);
      const doc = change.op === 'put' ? change.doc : undefined;
      if (previous) {
        previous.doc = doc;
        continue;
      }
      const cached = this.clean.get(cacheKey);
      if (cached) this.clean.delete(cacheKey);
      const readSize = this.participant.readSizes.get(cacheKey);
      const chars = cached?.chars ?? readSize ?? 0;
      this.participant.dirtyChars += chars;
      const read = cached !== undefined || readSize !== undefined;
      this.participant.dirty.set(cacheKey, { collection: change.collection, key: change.key, doc, columns: null, chars, read });
    }
  }

  private cacheKey(collection: string, key: string): string {
    return `${this.participant.id}\u0000${collection}\u0000${key}`;
  }
}
