import { LRUCache } from 'lru-cache';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import {
  AllSubscription,
  comparePositions,
  EventStore,
  formatPosition,
  parsePosition,
  Position,
  RecordedEvent,
  START,
  StreamCursor,
} from '../../event-store/event-store.port';
import { DamagedEventError, EventStoreCorruptError } from '../../event-store/event-store.errors';
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
  /**
   * Whether a pass may load new generations stream by stream (see CatchUp): false reads every
   * pass in log order. Default true; used where the store can (EventStore.readInStreamOrder).
   */
  streamOrder: boolean;
  /**
   * flushChars for a stream-order load, in which a document is written once and never read back:
   * a larger flush saves no writes, it only holds more in memory.
   */
  loadFlushChars: number;
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
  streamOrder: true,
  // Measured on the rebuild CLI, a million events over 10,000 articles, one run each on a shared
  // machine: 3 M characters 82 s and 249 MB peak RSS, 6 M 75 s and 273 MB, 10 M 96 s and 288 MB,
  // 16 M 83 s and 353 MB (under the profiler). A smaller flush leaves V8 less garbage to grow its heap for.
  loadFlushChars: 6 * 1024 * 1024,
};

/** Where a stream-order load ended: the head it read up to, and the id of the event there (the generations' checkpoint and last_event_id). */
interface LoadEnd {
  upTo: Position;
  lastEventId: string | null;
}

/** Milliseconds a stream-order load waits for the generations starting with it (see CatchUp.startSoon): nothing beside a load of over CATCH_UP_MIN_EVENTS events. */
const GATHER_MS = 200;

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
 *
 * Stream order: new rebuilds (role `next`, checkpoint START, nothing applied) of projections whose documents
 * each belong to one stream (Projection.foreachStream) are loaded in a pass of their own that reads
 * the log up to the head as it stood when the pass began (H) stream by stream
 * (EventStore.readInStreamOrder), when the store can: each stream's documents are built in memory
 * and written once, where log order rewrites an article's documents at nearly every event of it
 * once they outgrow the cache (measured: a million events over 10,000 articles, 0.016x the plain
 * scan in log order). The read model at H is the same, since no document is read or written by two
 * streams' events. The checkpoint stays START until the last flush sets it to H at once; the flushes
 * before it move the generation's `events` (its progress), each a compare-and-set on it. A load that
 * did not finish (a crash, a stop) is recognised by START with `events` above 0 and cleared by the
 * next projector to start on it (GenerationWriter.clearInterruptedLoad); a load whose
 * generation another process cleared or moved meanwhile leaves as `conflict`. A projection that
 * throws, or an event that cannot be read, discards the load (`hand-over`): the batch path then
 * applies the log in log order and stops where it always has, with the checkpoint before that event.
 */
export class CatchUp {
  private waiting: Participant[] = [];
  private pass: Pass | null = null;
  private serial = 0;
  /** A pass is about to start: generations joining now take part in it. */
  private gathering = false;

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

  /** Whether passes may load stream by stream: the option, and a store that reads in stream order. */
  private canLoad(): boolean {
    return this.options.streamOrder && this.store.readInStreamOrder !== undefined;
  }

  /** Starts a pass for the waiting generations once the current one (if any) ends, one turn later (so that generations starting together share it). */
  private startSoon(): void {
    if (this.pass || this.gathering || this.waiting.length === 0) return;
    this.gathering = true;
    void (async () => {
      // Generations that start together (a server's, the rebuild CLI's) join within this turn. A
      // stream-order load takes no one once it has begun, and the rebuild CLI's generations reach
      // here one check of the log apart: they are given GATHER_MS to join it.
      await nextTurn();
      if (this.canLoad() && this.waiting.some((p) => p.loadable())) await delay(GATHER_MS);
      this.gathering = false;
      // Every generation that joined has left meanwhile (stopped).
      if (this.waiting.length === 0) return;
      // New generations that can load stream by stream take a pass of their own; the others wait for the next.
      const loadable = this.canLoad() ? this.waiting.filter((p) => p.loadable()) : [];
      const mode = loadable.length > 0 ? 'streams' : 'log';
      const joining = mode === 'streams' ? loadable : this.waiting;
      const pass = (this.pass = new Pass(this.store, this.options, mode));
      for (const participant of joining) pass.add(participant);
      this.waiting = this.waiting.filter((p) => !joining.includes(p));
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
  /** The generation's `events` as stored at the last flush of a stream-order load (or at its start): what the next flush expects to find. */
  storedEvents = 0;
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

  /**
   * Whether the generation can be loaded stream by stream: its projection's documents each belong
   * to one stream, it is new (checkpoint START, `events` 0: nothing applied, nothing loaded), and
   * it is a rebuild (`next`), which no reader sees until it is swapped in: a live generation read
   * meanwhile must show a prefix of the log, which a load in stream order is not.
   */
  loadable(): boolean {
    if (!this.writer.projection.foreachStream) return false;
    try {
      const row = this.writer.db.generation(this.writer.projection.name, this.writer.generation);
      return row?.role === 'next' && row.checkpoint === formatPosition(START) && row.events === 0 && !row.failure && !row.stale;
    } catch {
      // The read-models file cannot be read (closed, busy): the pass in log order finds out and says so.
      return false;
    }
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
  /** A stream-order load: the stream of the last event read before the last flush (null before the first), the only one whose documents a flush may have written part-way. */
  private streamAtFlush: string | null = null;
  /** Characters of event text read since the last flush: a proxy for the documents it created, not yet weighed. */
  private eventCharsSinceFlush = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: CatchUpOptions,
    /** log: the log in log order from the lowest checkpoint; streams: new generations loaded stream by stream (see CatchUp). */
    readonly mode: 'log' | 'streams' = 'log',
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
    if (this.mode === 'streams') return false;
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
    if (this.mode === 'streams') return this.load();
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

  /**
   * A stream-order load (see CatchUp): the log up to the head as it is now, stream by stream, then
   * one last flush that sets every generation's checkpoint to that head.
   */
  private async load(): Promise<void> {
    this.reading = true;
    try {
      const upTo = await this.store.headPosition();
      // Made again, by sorting, once every document is written (below), or by the next projector if the load ends early.
      this.writing(() => {
        for (const { writer } of this.participants) writer.db.dropIndexes(writer.projection, writer.generation);
      });
      let after: StreamCursor | undefined;
      for (;;) {
        if (this.participants.size === 0) return;
        const page = await this.store.readInStreamOrder!({ upTo, after, maxCount: READ_BATCH, maxBytes: READ_BATCH_BYTES });
        if (page.length === 0) break;
        this.apply(page);
        const last = page[page.length - 1];
        after = { streamId: last.streamId, revision: last.revision };
        if (this.dueForFlush()) {
          this.streamAtFlush = last.streamId;
          this.flush();
        }
        // Let HTTP requests in between pages, as the batch path does.
        await nextTurn();
      }
      if (this.participants.size > 0) {
        this.flush();
        this.writing(() => {
          for (const { writer } of this.participants) writer.db.ensureIndexes(writer.projection, writer.generation);
        });
        this.flush({ upTo, lastEventId: await this.store.eventIdAt(upTo) });
      }
      this.endAll({ kind: 'caught-up' });
    } catch (error) {
      // Nothing of the load is kept: a damaged event fails the batch path where it stands in log
      // order, and a transient error is retried, from START, by the projector (which clears the
      // load's documents first: GenerationWriter.clearInterruptedLoad).
      const during = isWriteError(error) ? 'writing the read model' : 'reading the log';
      const cause = isWriteError(error) ? error.cause : error;
      for (const participant of this.participants) this.discardLoad(participant);
      this.endAll(
        cause instanceof DamagedEventError || cause instanceof EventStoreCorruptError ? { kind: 'hand-over' } : { kind: 'error', error: cause, during },
      );
    } finally {
      this.ended = true;
    }
  }

  /** Runs `write` on the read-models file: what it throws becomes a WriteError. */
  private writing(write: () => void): void {
    try {
      write();
    } catch (error) {
      throw new WriteError(error);
    }
  }

  /** Clears what a stream-order load wrote of `participant`'s generation, if nothing else moved it since (best effort: the next projector clears it otherwise). */
  private discardLoad(participant: Participant): void {
    try {
      participant.writer.clearInterruptedLoad();
    } catch {
      // The read-models file cannot be written now: clearInterruptedLoad runs again before the generation is followed.
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
    return chars >= (this.mode === 'streams' ? this.options.loadFlushChars : this.options.flushChars);
  }

  /** Applies a batch to every generation behind it, each stopping at its first failure. */
  private apply(events: readonly RecordedEvent[]): void {
    for (const participant of this.participants) {
      if (participant.failure) continue;
      const view = new ParticipantView(participant, this.clean, this.evicted);
      if (this.mode === 'streams') {
        this.load1(participant, view, events);
        continue;
      }
      for (const recorded of events) {
        if (comparePositions(recorded.position, participant.checkpoint) <= 0) continue;
        if (!applyOne(participant, view, recorded)) break;
        participant.checkpoint = recorded.position;
        participant.lastEventId = recorded.id;
        participant.applied++;
      }
    }
    if (events.length > 0 && this.mode === 'log') this.position = events[events.length - 1].position;
    this.eventsSinceFlush += events.length;
    for (const event of events) this.eventCharsSinceFlush += event.size ?? 0;
  }

  /** Applies a page read in stream order to one generation of a stream-order load: every event, in the page's order; the checkpoint waits for the last flush. */
  private load1(participant: Participant, view: ParticipantView, events: readonly RecordedEvent[]): void {
    for (const recorded of events) {
      view.unwritten = recorded.streamId !== this.streamAtFlush;
      if (!applyOne(participant, view, recorded)) return;
      participant.applied++;
    }
  }

  /**
   * Writes every generation's changed documents and checkpoint in ONE transaction (each checked
   * against the checkpoint it last stored), then tells each projector. Throws WriteError. In a
   * stream-order load, `end` (the last flush only) is the head the load read up to and the id of
   * the event there: the checkpoint every generation gets; before it, the checkpoint stays START
   * and only `events` moves.
   */
  private flush(end?: LoadEnd): void {
    const upTo = end?.upTo;
    this.eventsSinceFlush = 0;
    this.eventCharsSinceFlush = 0;
    for (const participant of this.participants) {
      if (this.mode === 'streams' && participant.failure) {
        // Where it failed in log order is the batch path's to find, from START.
        this.participants.delete(participant);
        participant.dirty.clear();
        this.discardLoad(participant);
        participant.settle({ kind: 'hand-over' });
        continue;
      }
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
      outcomes = first.sql.transaction(() => participants.map((participant) => this.write(participant, end))).immediate();
    } catch (error) {
      throw new WriteError(error);
    }
    participants.forEach((participant, i) => {
      const outcome = outcomes[i];
      if (outcome === null) return;
      if (outcome.kind === 'applied') {
        // Written: the documents are clean now, as written. (Not kept in a stream-order load: no other stream reads them.)
        if (this.mode === 'log') {
          for (const [cacheKey, entry] of participant.dirty) if (entry.read) this.clean.set(cacheKey, { doc: entry.doc, chars: entry.chars });
        }
        participant.dirty.clear();
        participant.readSizes.clear();
        participant.dirtyChars = 0;
        participant.storedEvents += participant.applied;
        participant.applied = 0;
        if (upTo) participant.checkpoint = upTo;
        participant.stored = formatPosition(participant.checkpoint);
        const { reads, misses } = participant;
        // Judged over at least MIN_READS_JUDGED reads, however many flushes that takes.
        if (reads >= MIN_READS_JUDGED) participant.reads = participant.misses = 0;
        // The last flush of a stream-order load moves the checkpoint even when the flush before it wrote everything.
        if (outcome.applied > 0 || upTo) participant.flushed(outcome);
        if (!participant.failure) {
          // A stream-order load reads each stream's documents once: no cache to outgrow.
          if (this.mode === 'streams' || reads < MIN_READS_JUDGED || misses <= reads * this.options.maxMissShare) return;
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
  private write(participant: Participant, end?: LoadEnd): CatchUpResult | (BatchOutcome & { kind: 'applied' }) | null {
    if (participant.applied === 0 && !participant.failure && participant.dirty.size === 0 && !end) return null;
    const { db, projection, generation } = participant.writer;
    const row = db.generation(projection.name, generation);
    if (!row || row.role === 'retired' || row.stale) return { kind: 'outcome', outcome: { kind: 'retired' } };
    if (row.checkpoint !== participant.stored) return { kind: 'conflict' };
    // A stream-order load: cleared or loaded by another process meanwhile (see CatchUp).
    if (this.mode === 'streams' && row.events !== participant.storedEvents) return { kind: 'conflict' };
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
    let checkpoint = participant.checkpoint;
    let lastEventId = participant.lastEventId;
    if (this.mode === 'streams') {
      // Until the last flush the load is at START: what it wrote is not a prefix of the log.
      checkpoint = end?.upTo ?? START;
      lastEventId = end?.lastEventId ?? null;
    }
    db.prepare(
      `UPDATE projection_generations SET checkpoint = ?, last_event_id = coalesce(?, last_event_id), events = events + ?, failure = ?
       WHERE projection = ? AND generation = ?`,
    ).run(
      formatPosition(checkpoint),
      lastEventId,
      participant.applied,
      participant.failure && JSON.stringify(participant.failure),
      projection.name,
      generation,
    );
    return { kind: 'applied', checkpoint, applied: participant.applied };
  }
}

/** Applies one event to a generation's documents; false, its failure noted, when the projection threw on it. */
function applyOne(participant: Participant, view: ParticipantView, recorded: RecordedEvent): boolean {
  try {
    const event = toProjectedEvent(recorded);
    if (event) view.apply(participant.writer.projection.handle(event, view));
    return true;
  } catch (error) {
    participant.failure = describeFailure(recorded, error);
    return false;
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

  /**
   * Set in a stream-order load while it applies an event of a stream no flush has written yet: a
   * document neither changed nor cached is then not in the generation's tables either (it is new,
   * and only its own stream's events write its documents: Projection.foreachStream), so it is not
   * looked for there. At a million events over 10,000 articles those lookups in tables of a million
   * rows were half of the load's time.
   */
  unwritten = false;

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
    if (this.unwritten) return undefined;
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
