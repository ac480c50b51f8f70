import { EventEmitter } from 'node:events';
import { comparePositions, EventStore, formatPosition, parsePosition, Position, START } from '../../event-store/event-store.port';
import { BatchOutcome, describeProjectionFailure, GenerationWriter, parseFailure, ProjectionFailure } from './generation-writer';
import { CATCH_UP_MIN_EVENTS, CatchUp, CatchUpOptions, DEFAULT_CATCH_UP } from './catch-up';
import { eventsAfter } from './log-meter';
import { checkFollows } from './log-check';
import { waitForPosition } from './position-wait';
import { Projection } from '../../projection-kit/projection';
import { clearedLoadMessage, Projector, RetryCause } from './projector';
import { GenerationRow, ReadModelDb, StaleMark } from './read-model-db';
import { newSlots, Slot } from './slot';
import { ProjectionEngine } from './projection-engine';
import { RebuildThread, RemoteHooks, RemoteProjector } from './rebuild-thread';

/** A generation's projector, in this thread or on the rebuild thread. */
type Follower = Projector | RemoteProjector;

export interface RuntimeLogger {
  log(message: string): void;
  error(message: string): void;
}

export interface RuntimeOptions {
  store: EventStore;
  /** The read-models SQLite file. */
  file: string;
  projections: readonly Projection[];
  /** Events per transaction. */
  batchSize?: number;
  /** false in the rebuild CLI: a server, if running, follows the live generations. */
  followLive?: boolean;
  /** See ProjectorOptions.pollWhenCaughtUpMs. */
  pollWhenCaughtUpMs?: number;
  /**
   * Catch-up mode (see CatchUp) for generations far behind the head, with these settings over
   * DEFAULT_CATCH_UP; false: every generation catches up batch by batch (as before catch-up mode).
   */
  catchUp?: Partial<CatchUpOptions> | false;
  /**
   * When set, generations being rebuilt are applied on this thread until they reach the head,
   * then handed over to this runtime, which catches up their last events and swaps them in: the
   * live generations never wait behind a rebuild's work. Its thread runs the PROJECTIONS registry,
   * so `projections` must be those. Unset: rebuilds run in this thread (the rebuild CLI, tests).
   */
  rebuildThread?: RebuildThread;
  /**
   * Milliseconds after which a server (followLive not false) takes up a generation being rebuilt
   * by another process, the rebuild CLI, whose checkpoint has not moved meanwhile: the CLI was
   * stopped before the end (Ctrl-C, kill), and its rebuild would otherwise wait for a restart.
   * Default 60,000; 0: never.
   */
  adoptStalledRebuildsAfterMs?: number;
  logger?: RuntimeLogger;
}

/** RuntimeOptions.adoptStalledRebuildsAfterMs by default. */
export const ADOPT_STALLED_REBUILDS_AFTER_MS = 60_000;

export interface RuntimeEvents {
  progress: [];
  stopped: [];
  swapped: [name: string, generation: number];
  failed: [name: string, generation: number, failure: ProjectionFailure];
  /** The generation does not follow the store's log (see checkFollows); it is being replaced. */
  stale: [name: string, generation: number, mark: StaleMark];
  /** A transient error stopped the generation (reading the log or writing its read model); it retries, and says so in its status. */
  retrying: [name: string, generation: number, during: RetryCause];
  /** The generation is `behind` events behind the head and catches up in a pass (catch-up mode, see CatchUp). */
  catchingUp: [name: string, generation: number, behind: number];
  /** The generation's documents outgrew its catch-up pass's cache (`missShare` of its reads, 0 to 1, went to its tables): it goes on batch by batch. */
  leftCatchUp: [name: string, generation: number, missShare: number];
}

/**
 * Runs every projection: one projector per live generation and one per generation being
 * rebuilt, swaps a rebuilt generation in once it has caught up, and rebuilds on start any
 * projection whose version or tables changed (the old generation serves meanwhile).
 *
 * Before each catch-up a projector checks that its generation follows the store's log (see
 * checkFollows). One that does not, because the log was deleted or restored from an older
 * backup under kept read models, is marked stale and rebuilt from the log; a stale live
 * generation serves meanwhile, but no read waiting for a position is answered from it.
 */
export class ProjectionRuntime implements ProjectionEngine {
  readonly db: ReadModelDb;
  readonly events = new EventEmitter<RuntimeEvents>();
  readonly slots: ReadonlyMap<string, Slot>;
  private starting: Promise<void> | null = null;
  private stopping = false;
  /** Looks for other processes' rebuilds that stopped moving (adoptStalled), while started. */
  private adoptTimer: NodeJS.Timeout | null = null;
  /** Per projection, the next generation this process does not follow, as last seen (checkpoint and events), and since when (ms since the epoch). */
  private readonly unfollowedNext = new Map<string, { generation: number; checkpoint: string; events: number; since: number }>();
  /** The store's identity, known once start() has asked for it. */
  private storeId: string | null = null;
  /** Every projector started and not stopped, including one replaced in its slot. */
  private readonly running = new Set<Follower>();
  /** The passes that bring generations far behind up to the head, one read of the log for all of them. */
  private readonly catchUp: CatchUp | undefined;

  constructor(private readonly options: RuntimeOptions) {
    this.db = new ReadModelDb(options.file);
    this.slots = newSlots(options.projections);
    this.events.setMaxListeners(0);
    if (options.catchUp !== false) this.catchUp = new CatchUp(options.store, { ...DEFAULT_CATCH_UP, ...options.catchUp });
  }

  get store(): EventStore {
    return this.options.store;
  }

  /**
   * Reconciles the registry with the code and starts the projectors. Resolves once each of them
   * has checked that its generation follows the log (it does not wait for them to catch up).
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.storeId = await this.options.store.identity();
      for (const slot of this.slots.values()) this.reconcile(slot, true);
      if (this.options.followLive === false) {
        for (const slot of this.slots.values()) await this.checkUnfollowedLive(slot);
      }
      const adoptAfter = this.options.adoptStalledRebuildsAfterMs ?? ADOPT_STALLED_REBUILDS_AFTER_MS;
      if (this.options.followLive !== false && adoptAfter > 0 && !this.stopping) {
        this.adoptTimer = setInterval(() => this.adoptStalled(adoptAfter), Math.max(adoptAfter / 4, 10));
        this.adoptTimer.unref();
      }
      await Promise.all([...this.running].map((projector) => projector.firstCheck));
    })();
    return this.starting;
  }

  /** Stops following the log; reads keep working until close(). Pending waitFor calls reject. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.adoptTimer) clearInterval(this.adoptTimer);
    this.events.emit('stopped');
    await Promise.all([...this.running].map((projector) => this.halt(projector)));
  }

  /** Stops, then closes the read-models file. */
  async close(): Promise<void> {
    await this.stop();
    this.db.close();
  }

  slot(name: string): Slot | undefined {
    return this.slots.get(name);
  }

  /** Starts building a new generation of `name` (or returns the one already being built). */
  async rebuild(name: string): Promise<GenerationRow> {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`Unknown projection "${name}"`);
    await this.starting;
    const existing = this.db.withRole(name, 'next');
    if (existing && !existing.failure && !existing.stale && existing.schema === slot.signature && existing.version === slot.projection.version) {
      this.follow(slot, 'next', existing);
      return existing;
    }
    if (existing) await this.discard(slot, existing.generation);
    const row = this.startRebuild(slot);
    this.options.logger?.log(`${name}: rebuilding as generation ${row.generation}`);
    return row;
  }

  private startRebuild(slot: Slot): GenerationRow {
    const row = this.db.createGeneration(slot.projection, 'next', this.storeId);
    this.follow(slot, 'next', row);
    return row;
  }

  /**
   * Brings this process in line with the registry: drops retired generations, creates the first
   * generation or a rebuild the code asks for, and follows what should be followed.
   */
  private reconcile(slot: Slot, atStart: boolean): void {
    const { name, version } = slot.projection;
    const stale = (row: GenerationRow) => row.version !== version || row.schema !== slot.signature;
    for (const row of this.db.generations(name)) {
      if (row.role === 'retired') this.db.dropGeneration(name, row.generation);
      // A restart retries a failed generation: the code may have been fixed. It never skips.
      // (Not from the CLI: the failure belongs to the server that follows the live generation.)
      else if (atStart && row.failure && this.options.followLive !== false) this.db.setFailure(name, row.generation, null);
    }
    let live = this.db.withRole(name, 'live');
    let next = this.db.withRole(name, 'next');
    if (next && stale(next)) {
      this.db.dropGeneration(name, next.generation);
      next = undefined;
    }
    if (next?.stale) {
      this.db.dropGeneration(name, next.generation);
      next = undefined;
    }
    if (!live && !next) live = this.db.createGeneration(slot.projection, 'live', this.storeId);
    else if (live && stale(live) && !next) {
      next = this.db.createGeneration(slot.projection, 'next', this.storeId);
      this.options.logger?.log(`${name}: version ${live.version} → ${version}, rebuilding as generation ${next.generation}`);
    } else if (live?.stale && !next && this.options.followLive !== false) {
      next = this.db.createGeneration(slot.projection, 'next', this.storeId);
      this.options.logger?.error(`${name}: generation ${live.generation} is stale, rebuilding it from the log as generation ${next.generation}`);
    }
    slot.liveFailure = live?.failure ? parseFailure(live.failure) : null;
    slot.liveStale = live?.stale ? (JSON.parse(live.stale) as StaleMark) : null;
    // A live generation whose tables differ from the code's cannot be followed: it serves as is.
    const followed = live && live.schema === slot.signature && !live.stale && this.options.followLive !== false;
    // Until its projector has checked it against the log, no position is vouched for.
    slot.livePosition = live && !followed && !live.stale ? parsePosition(live.checkpoint)! : START;
    if (followed && live) this.follow(slot, 'live', live);
    if (next) this.follow(slot, 'next', next);
  }

  /**
   * Takes up each next generation another process (the rebuild CLI) was rebuilding and left: in
   * the registry, followed by no projector here, its checkpoint and `events` unmoved for `afterMs`. The slot
   * is reconciled as at a start, which follows it (or drops it, when its version is not this
   * code's). A CLI still at work moves its checkpoint batch by batch (or its `events`, flush by
   * flush, loading stream by stream); should it move again after
   * all, both follow the generation, which the checkpoint's compare-and-set keeps correct.
   */
  private adoptStalled(afterMs: number): void {
    if (this.stopping) return;
    try {
      for (const slot of this.slots.values()) {
        const name = slot.projection.name;
        const row = this.db.withRole(name, 'next');
        if (!row || row.failure || row.stale || slot.next?.generation === row.generation) {
          this.unfollowedNext.delete(name);
          continue;
        }
        const seen = this.unfollowedNext.get(name);
        // A stream-order load (CatchUp) moves `events` only, until its last flush.
        if (!seen || seen.generation !== row.generation || seen.checkpoint !== row.checkpoint || seen.events !== row.events) {
          this.unfollowedNext.set(name, { generation: row.generation, checkpoint: row.checkpoint, events: row.events, since: Date.now() });
          continue;
        }
        if (Date.now() - seen.since < afterMs) continue;
        this.unfollowedNext.delete(name);
        this.options.logger?.log(
          `${name}: generation ${row.generation} was left unfinished by another process (unmoved for ${afterMs / 1000} s); rebuilding it here`,
        );
        this.reconcile(slot, false);
        this.events.emit('progress');
      }
    } catch (error) {
      this.options.logger?.error(`looking for rebuilds left by another process failed: ${String(error)}`);
    }
  }

  /**
   * The check a projector makes before each catch-up (ProjectorHooks.verify). A generation from
   * an older file gets the origin it was just checked against recorded.
   */
  private async verify(slot: Slot, projector: Projector): Promise<boolean> {
    const name = slot.projection.name;
    const row = this.db.generation(name, projector.generation);
    // Retired meanwhile: its next batch finds out and the runtime follows what is live now.
    if (!row || row.role === 'retired' || this.stopping) return true;
    const check = await checkFollows(this.options.store, row, this.storeId);
    if (!check.follows) {
      this.markStale(slot, projector, check.reason);
      return false;
    }
    if (row.storeId === null || row.lastEventId === null) this.db.adoptOrigin(name, row.generation, this.storeId, check.lastEventId);
    if (slot.live === projector) {
      slot.livePosition = parsePosition(row.checkpoint)!;
      this.events.emit('progress');
    }
    return true;
  }

  /** Tells the operator, keeps a stale live generation serving, and rebuilds from the log. */
  private markStale(slot: Slot, projector: Follower, reason: string): void {
    const name = slot.projection.name;
    const { generation } = projector;
    const mark: StaleMark = { reason, since: new Date().toISOString() };
    this.running.delete(projector);
    this.db.setStale(name, generation, mark);
    if (slot.next === projector) {
      slot.next = undefined;
      this.db.dropGeneration(name, generation);
      const row = this.startRebuild(slot);
      this.options.logger?.error(`${name}: rebuild generation ${generation} does not follow the log (${reason}); starting over as ${row.generation}`);
    } else if (slot.live === projector) {
      slot.live = undefined;
      slot.liveStale = mark;
      slot.livePosition = START;
      const next = slot.next ?? this.startRebuild(slot);
      this.options.logger?.error(
        `${name}: generation ${generation} does not follow this event store's log: ${reason}. It was built from another ` +
          `log (deleted, replaced or restored from an older backup); it serves, marked stale, while generation ` +
          `${next.generation} is rebuilt from the log.`,
      );
    }
    this.events.emit('stale', name, generation, mark);
    this.events.emit('progress');
  }

  /** The rebuild CLI does not follow live generations, but must not wait to swap behind a stale one. */
  private async checkUnfollowedLive(slot: Slot): Promise<void> {
    const name = slot.projection.name;
    const live = this.db.withRole(name, 'live');
    if (!live || live.stale) return;
    const check = await checkFollows(this.options.store, live, this.storeId);
    if (check.follows) return;
    this.db.setStale(name, live.generation, { reason: check.reason, since: new Date().toISOString() });
    this.options.logger?.error(`${name}: generation ${live.generation} does not follow this event store's log: ${check.reason}`);
  }

  /**
   * Starts a projector for `row` in `role` (unless one follows it already). A generation being
   * rebuilt runs on the rebuild thread when there is one, unless `here` (handed over: see handOver).
   */
  private follow(slot: Slot, role: 'live' | 'next', row: GenerationRow, here = false): void {
    if (slot[role]?.generation === row.generation || row.failure) return;
    const replaced = slot[role];
    if (replaced) void this.halt(replaced);
    // A rebuild's batches are applied before taking the write lock, which live commits need.
    const writer = new GenerationWriter(this.db, slot.projection, row.generation, { prepareOutsideLock: role === 'next' });
    const options = { batchSize: this.options.batchSize ?? 1000, pollWhenCaughtUpMs: this.options.pollWhenCaughtUpMs };
    const thread = this.options.rebuildThread;
    let projector: Follower;
    if (role === 'next' && thread && !here) {
      projector = slot.next = thread.follow(writer, row.checkpoint, this.remoteHooks(slot), options);
    } else {
      projector = slot[role] = new Projector(this.options.store, writer, row.checkpoint, this.hooks(slot), { ...options, catchUp: this.catchUp });
    }
    this.running.add(projector);
    // The rate of a rebuild is measured from when this process began following it (a handed-over one goes on).
    if (role === 'next' && slot.rebuildClock?.generation !== row.generation) {
      slot.rebuildClock = { generation: row.generation, startedAt: Date.now(), eventsAtStart: row.events };
    }
    projector.start();
  }

  private hooks(slot: Slot) {
    return {
      committed: (projector: Follower, outcome: BatchOutcome, caughtUp: boolean) => this.committed(slot, projector, outcome, caughtUp),
      transientError: (projector: Follower, error: unknown, during: RetryCause) => {
        this.options.logger?.error(`${slot.projection.name} generation ${projector.generation}: ${during} failed, retrying: ${String(error)}`);
        this.events.emit('retrying', slot.projection.name, projector.generation, during);
      },
      verify: (projector: Projector) => this.verify(slot, projector),
      clearedLoad: (projector: Projector, events: number) => this.options.logger?.log(clearedLoadMessage(slot.projection.name, projector.generation, events)),
      catchingUp: (projector: Follower, behind: number) => {
        this.options.logger?.log(`${slot.projection.name} generation ${projector.generation}: ${behind} events behind, catching up in catch-up mode`);
        this.events.emit('catchingUp', slot.projection.name, projector.generation, behind);
      },
      leftCatchUp: (projector: Follower, missShare: number) => {
        const share = `${Math.round(missShare * 100)}%`;
        this.options.logger?.log(
          `${slot.projection.name} generation ${projector.generation}: ${share} of its documents read from its tables, going on batch by batch`,
        );
        this.events.emit('leftCatchUp', slot.projection.name, projector.generation, missShare);
      },
    };
  }

  /** The hooks of a generation rebuilt on the rebuild thread: the same as hooks(), and its failed check against the log. */
  private remoteHooks(slot: Slot): RemoteHooks {
    const hooks = this.hooks(slot);
    return {
      committed: hooks.committed,
      transientError: hooks.transientError,
      catchingUp: hooks.catchingUp,
      leftCatchUp: hooks.leftCatchUp,
      stale: (projector, reason) => {
        if (slot.next === projector && !this.stopping) this.markStale(slot, projector, reason);
      },
    };
  }

  private committed(slot: Slot, projector: Follower, outcome: BatchOutcome, caughtUp: boolean): void {
    const name = slot.projection.name;
    const role = slot.live === projector ? 'live' : slot.next === projector ? 'next' : null;
    // Swapped out here already, or shutting down: its last word does not matter.
    if (role === null || this.stopping) return;
    if (outcome.kind === 'retired') {
      // Another process (the rebuild CLI) swapped generations or found this one stale: follow what is live now.
      slot[role] = undefined;
      this.reconcile(slot, false);
    } else if (outcome.kind === 'failed') {
      if (role === 'live') slot.liveFailure = outcome.failure;
      else slot.nextFailure = { generation: projector.generation, failure: outcome.failure };
      this.options.logger?.error(`${name} generation ${projector.generation} ${describeProjectionFailure(outcome.failure)}`);
      this.events.emit('failed', name, projector.generation, outcome.failure);
    } else if (role === 'live') {
      slot.livePosition = outcome.checkpoint;
    } else if (caughtUp) {
      // Caught up on the rebuild thread: handed over to this one, which swaps it in.
      if (projector instanceof RemoteProjector) void this.handOver(slot, projector);
      else this.trySwap(slot, projector);
    }
    this.events.emit('progress');
  }

  /**
   * A generation rebuilt on the rebuild thread has reached the head: it is stopped there and
   * followed in this thread from its checkpoint, which catches up what came since (a few events)
   * and swaps it in as any caught-up generation (trySwap). Meanwhile the slot keeps showing it.
   */
  private async handOver(slot: Slot, remote: RemoteProjector): Promise<void> {
    if (remote.handingOver || this.stopping) return;
    remote.handingOver = true;
    try {
      // "Caught up" means no event came within a turn: on EventStoreDB, a pause between chunks of
      // the subscription says that too. Far from the head, the rebuild stays on its own thread.
      const behind = await eventsAfter(this.options.store, remote.checkpoint, await this.options.store.headPosition());
      if (behind > CATCH_UP_MIN_EVENTS || slot.next !== remote || this.stopping) {
        remote.handingOver = false;
        return;
      }
      await this.halt(remote);
      // Replaced or discarded meanwhile, or shutting down (the database may be closed by now): nothing to adopt.
      if (slot.next !== remote || this.stopping) return;
      const row = this.db.generation(slot.projection.name, remote.generation);
      if (row?.role === 'live') return this.swappedElsewhere(slot, remote, row);
      if (!row || row.role !== 'next') {
        // Dropped or retired by another process: follow what the registry holds now.
        slot.next = undefined;
        slot.rebuildClock = undefined;
        this.reconcile(slot, false);
        this.events.emit('progress');
        return;
      }
      // Failed or stale: its failure (or mark) is the slot's already, as the thread reported it.
      if (row.failure || row.stale) return;
      slot.next = undefined;
      this.follow(slot, 'next', row, true);
      this.options.logger?.log(`${slot.projection.name}: generation ${row.generation} has reached the head; catching up its last events to swap it in`);
    } catch (error) {
      // Never an unhandled rejection in the projections thread (which would stop it).
      if (!this.stopping) this.options.logger?.error(`${slot.projection.name}: handing generation ${remote.generation} over failed: ${String(error)}`);
      remote.handingOver = false;
    }
  }

  /**
   * The next generation `projector` follows was made live by another process that followed it too
   * (a server, or the rebuild CLI) and reached the head first: this process's rebuild of it is
   * done. The slot follows it as its live generation (the CLI, which follows no live one, only
   * reconciles) and `swapped` is emitted as for a swap made here.
   */
  private swappedElsewhere(slot: Slot, projector: Follower, row: GenerationRow): void {
    if (slot.next === projector) slot.next = undefined;
    void this.halt(projector);
    slot.nextFailure = undefined;
    slot.rebuildClock = undefined;
    if (slot.live && slot.live.generation !== row.generation) {
      void this.halt(slot.live);
      slot.live = undefined;
    }
    this.reconcile(slot, false);
    this.options.logger?.log(`${slot.projection.name}: generation ${row.generation} is live (swapped in by another process)`);
    this.events.emit('swapped', slot.projection.name, row.generation);
  }

  /**
   * Makes a caught-up next generation live, in one transaction, unless the live one is ahead
   * (then readers would step back in time; the next batch tries again). The old one is dropped.
   */
  private trySwap(slot: Slot, next: Projector): void {
    const name = slot.projection.name;
    // The registry, not this process's view, decides: another process may follow either one.
    let elsewhere: GenerationRow | undefined;
    const swap = this.db.sql
      .transaction((): { old: number | null; checkpoint: Position } | null => {
        const row = this.db.generation(name, next.generation);
        if (row?.role === 'live') elsewhere = row;
        if (!row || row.role !== 'next' || row.failure) return null;
        const checkpoint = parsePosition(row.checkpoint)!;
        const live = this.db.withRole(name, 'live');
        // Tables the code no longer writes, or a log that is not this one: no order to keep.
        const frozen = live !== undefined && (live.schema !== slot.signature || live.stale !== null);
        if (live && !frozen && comparePositions(parsePosition(live.checkpoint)!, checkpoint) > 0) return null;
        if (live) this.db.setRole(name, live.generation, 'retired');
        this.db.setRole(name, next.generation, 'live');
        return { old: live?.generation ?? null, checkpoint };
      })
      .immediate();
    if (elsewhere) return this.swappedElsewhere(slot, next, elsewhere);
    if (!swap) return;
    const retired = slot.live;
    slot.live = next;
    slot.next = undefined;
    slot.livePosition = swap.checkpoint;
    slot.liveFailure = null;
    slot.liveStale = null;
    slot.nextFailure = undefined;
    slot.rebuildClock = undefined;
    // Its next batch would find itself retired anyway; stopping now just spares the work.
    if (retired) void this.halt(retired);
    if (swap.old !== null) this.db.dropGeneration(name, swap.old);
    this.options.logger?.log(`${name}: generation ${next.generation} is live (${formatPosition(swap.checkpoint)})`);
    this.events.emit('swapped', name, next.generation);
  }

  /**
   * Resolves once every projection in `names` (default: all) has processed `position` in its
   * live generation; rejects after `timeoutMs`, or at once if one of them has failed before it.
   */
  waitFor(position: Position, timeoutMs: number, names?: readonly string[]): Promise<void> {
    const slots = names ? names.flatMap((name) => this.slots.get(name) ?? []) : [...this.slots.values()];
    return waitForPosition(this.events, slots, position, timeoutMs);
  }

  private async discard(slot: Slot, generation: number): Promise<void> {
    if (slot.next?.generation === generation) {
      await this.halt(slot.next);
      slot.next = undefined;
    }
    this.db.dropGeneration(slot.projection.name, generation);
  }

  private async halt(projector: Follower): Promise<void> {
    this.running.delete(projector);
    await projector.stop();
  }
}
