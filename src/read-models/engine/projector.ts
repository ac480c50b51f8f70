import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { AllSubscription, EventStore, parsePosition, Position, RecordedEvent, START } from '../../event-store/event-store.port';
import { DamagedEventError, EventStoreCorruptError } from '../../event-store/event-store.errors';
import { BatchOutcome, describeUnreadable, GenerationWriter } from './generation-writer';
import { inBatches } from './in-batches';
import { CatchUp, CatchUpTicket } from './catch-up';
import { eventsAfter } from './log-meter';

const sameCommit = (a: RecordedEvent, b: RecordedEvent) => a.position.commit === b.position.commit;

/**
 * Bytes of event text one transaction applies at most (besides its event count): a batch of
 * maximum-size events (a body may be tens of MB of JSON) must not fill the heap.
 */
const BATCH_BYTES = 8 * 1024 * 1024;

export interface ProjectorHooks {
  /** After every committed batch (and once per caught-up moment, with applied = 0). */
  committed(projector: Projector, outcome: BatchOutcome, caughtUp: boolean): void;
  /**
   * Reading the log (store unavailable) or writing the read model (its disk full) failed; the
   * projector retries with backoff. `during` says which, for the log line.
   */
  transientError(projector: Projector, error: unknown, during: RetryCause): void;
  /**
   * Before each catch-up (the first subscription and every later one): true when the generation
   * still follows the store's log. On false the projector stops; the hook has dealt with it.
   */
  verify(projector: Projector): Promise<boolean>;
  /**
   * A stream-order load of the generation that did not finish (stopped, killed, or still running in
   * another process) was cleared, `events` of the log loaded by it discarded: it is loaded again.
   */
  clearedLoad(projector: Projector, events: number): void;
  /** The generation is `behind` events behind the head, and joins a catch-up pass (see CatchUp). */
  catchingUp(projector: Projector, behind: number): void;
  /**
   * The generation left its catch-up pass, its documents outgrowing the pass's cache (`missShare`
   * of its reads went to its tables, 0 to 1): it goes on batch by batch.
   */
  leftCatchUp(projector: Projector, missShare: number): void;
}

/** The log line for ProjectorHooks.clearedLoad, from either thread. */
export function clearedLoadMessage(name: string, generation: number, events: number): string {
  return (
    `${name} generation ${generation}: cleared an unfinished stream-by-stream load (${events} events loaded; ` +
    `stopped, killed, or still running in another process), loading it again`
  );
}

export interface ProjectorOptions {
  batchSize: number;
  /**
   * When set, a caught-up projector re-reads the log this often instead of waiting for the
   * store to wake it: the rebuild CLI needs it, since appends by another process do not.
   */
  pollWhenCaughtUpMs?: number;
  /** When set, a generation far behind the head (CatchUpOptions.minEventsBehind) first catches up in its passes. */
  catchUp?: CatchUp;
}

export type ProjectorState = 'catching-up' | 'live' | 'failed' | 'retired' | 'stale' | 'stopped';

/** What failed when a projector retries. */
export type RetryCause = 'reading the log' | 'writing the read model';

/** Why a projector is retrying, since when (ISO-8601); `error` is the error's text, for operators. */
export interface Retrying {
  during: RetryCause;
  error: string;
  since: string;
}

/** Follows the global log for one generation: subscribe from its checkpoint, apply in batches. */
export class Projector {
  state: ProjectorState = 'catching-up';
  /** Set while the projector retries after a failure, cleared by the next applied batch. */
  retrying: Retrying | null = null;
  checkpoint: Position;
  private subscription: AllSubscription | null = null;
  private stopping = false;
  private readonly stopped = new AbortController();
  private running: Promise<void> | null = null;
  /** Its part in a catch-up pass, while it has one. */
  private ticket: CatchUpTicket | null = null;
  /**
   * Catch-up passes are not for this generation: another process follows it too (passes expect to
   * be its only writer), or its documents outgrew a pass's cache (the batch path is faster then).
   */
  private catchUpDeclined = false;
  private checked!: () => void;
  /** Settles once the first check against the log is over (whatever it found), or on stop. */
  readonly firstCheck = new Promise<void>((resolve) => (this.checked = resolve));

  constructor(
    private readonly store: EventStore,
    readonly writer: GenerationWriter,
    checkpoint: string,
    private readonly hooks: ProjectorHooks,
    private readonly options: ProjectorOptions,
  ) {
    this.checkpoint = parsePosition(checkpoint)!;
  }

  get generation(): number {
    return this.writer.generation;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.checked();
    this.stopped.abort();
    this.ticket?.leave();
    await this.subscription?.close();
    await this.running;
    if (this.state === 'catching-up' || this.state === 'live') this.state = 'stopped';
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let follows: boolean;
      try {
        follows = await this.hooks.verify(this);
      } catch (error) {
        this.checked();
        if (this.stopping || this.stopOnDamage(error)) return;
        this.retry(error, 'reading the log');
        await this.pause(Math.min(100 * 2 ** failures++, 5000));
        continue;
      }
      this.checked();
      if (!follows) {
        this.state = 'stale';
        return;
      }
      let behind: number | null;
      try {
        // A stream-order load that did not finish leaves documents that are no prefix of the log.
        const cleared = this.writer.clearInterruptedLoad();
        if (cleared > 0) {
          this.checkpoint = START;
          this.hooks.clearedLoad(this, cleared);
        }
      } catch (error) {
        if (this.stopping) return;
        this.retry(error, 'writing the read model');
        await this.pause(Math.min(100 * 2 ** failures++, 5000));
        continue;
      }
      try {
        behind = await this.farBehind();
      } catch (error) {
        if (this.stopping) return;
        this.retry(error, 'reading the log');
        await this.pause(Math.min(100 * 2 ** failures++, 5000));
        continue;
      }
      if (behind !== null) {
        this.hooks.catchingUp(this, behind);
        const next = await this.catchUpFirst();
        if (next === 'return') return;
        if (next === 'retry') {
          await this.pause(Math.min(100 * 2 ** failures++, 5000));
          continue;
        }
        failures = 0;
      }
      const subscription = (this.subscription = this.store.subscribeToAll({ after: this.checkpoint }));
      let writing = false;
      try {
        const bytes = { sizeOf: (event: RecordedEvent) => event.size ?? 0, maxBytes: BATCH_BYTES };
        for await (const { items, caughtUp } of inBatches(subscription, this.options.batchSize, sameCommit, bytes)) {
          if (this.stopping) break;
          writing = true;
          const outcome: BatchOutcome = items.length > 0 ? this.writer.applyBatch(items) : { kind: 'applied', checkpoint: this.checkpoint, applied: 0 };
          writing = false;
          failures = 0;
          this.retrying = null;
          if (outcome.kind !== 'retired') this.checkpoint = outcome.checkpoint;
          if (outcome.kind === 'applied' && caughtUp) this.state = 'live';
          if (outcome.kind !== 'applied') this.state = outcome.kind;
          this.hooks.committed(this, outcome, caughtUp);
          if (outcome.kind !== 'applied') return;
          if (caughtUp && this.options.pollWhenCaughtUpMs !== undefined) break;
          // Catch-up runs batch after batch; let HTTP requests in between them.
          await nextTurn();
        }
        // Polling, or the subscription ended by itself (e.g. the store closed): read again soon.
        await this.pause(this.options.pollWhenCaughtUpMs ?? 1000);
      } catch (error) {
        if (this.stopping || this.stopOnDamage(error)) return;
        this.retry(error, writing ? 'writing the read model' : 'reading the log');
        await this.pause(Math.min(100 * 2 ** failures++, 5000));
      } finally {
        await subscription.close();
      }
    }
  }

  /** How many events behind the head the generation is, when that is far enough to catch up in a pass (see CATCH_UP_MIN_EVENTS); else null. */
  private async farBehind(): Promise<number | null> {
    const catchUp = this.options.catchUp;
    if (!catchUp || this.catchUpDeclined || this.stopping) return null;
    const head = await this.store.headPosition();
    const behind = await eventsAfter(this.store, this.checkpoint, head);
    return behind > catchUp.options.minEventsBehind ? behind : null;
  }

  /**
   * Catches up in a pass (see CatchUp), from the checkpoint stored now. Returns 'go-on' for the
   * batch path to take over, 'retry' after a transient error (noted as batch errors are), or
   * 'return' when the projector is done (failed, retired, stopped).
   */
  private async catchUpFirst(): Promise<'go-on' | 'retry' | 'return'> {
    const catchUp = this.options.catchUp!;
    if (this.stopping) return 'return';
    const row = this.writer.db.generation(this.writer.projection.name, this.generation);
    // Retired or gone meanwhile: the batch path finds out and says so.
    if (!row || row.role === 'retired' || row.stale) return 'go-on';
    this.checkpoint = parsePosition(row.checkpoint)!;
    const ticket = (this.ticket = catchUp.join(this.writer, row.checkpoint, (outcome) => {
      this.checkpoint = outcome.checkpoint;
      this.retrying = null;
      this.hooks.committed(this, outcome, false);
    }));
    const result = await ticket.result;
    this.ticket = null;
    switch (result.kind) {
      case 'caught-up':
      case 'hand-over':
        return 'go-on';
      case 'conflict':
        this.catchUpDeclined = true;
        return 'go-on';
      case 'outgrown':
        this.catchUpDeclined = true;
        this.hooks.leftCatchUp(this, result.missShare);
        return 'go-on';
      case 'stopped':
        return 'return';
      case 'outcome':
        if (result.outcome.kind === 'failed') this.checkpoint = result.outcome.checkpoint;
        this.state = result.outcome.kind;
        this.hooks.committed(this, result.outcome, false);
        return 'return';
      case 'error':
        if (this.stopping || this.stopOnDamage(result.error)) return 'return';
        this.retry(result.error, result.during);
        return 'retry';
    }
  }

  /**
   * An event the store cannot read fails the generation there, with its position: retrying
   * would meet the same damage forever (an endless "catching-up"). Other errors are transient.
   */
  private stopOnDamage(error: unknown): boolean {
    if (!(error instanceof DamagedEventError || error instanceof EventStoreCorruptError)) return false;
    const outcome = this.writer.fail(describeUnreadable(error, this.checkpoint));
    this.state = outcome.kind === 'failed' ? 'failed' : 'retired';
    this.hooks.committed(this, outcome, false);
    return true;
  }

  /** Notes a failure to retry after: a projector retrying is not live, whatever it was. */
  private retry(error: unknown, during: RetryCause): void {
    if (this.state === 'live') this.state = 'catching-up';
    // By its message, not `instanceof Error`: an error made in another realm (a native module's, under jest's vm) fails that test.
    const message = (error as { message?: unknown } | null)?.message;
    const text = typeof message === 'string' ? message : String(error);
    this.retrying = { during, error: text, since: this.retrying?.during === during ? this.retrying.since : new Date().toISOString() };
    this.hooks.transientError(this, error, during);
  }

  /** Waits, unless stop() is called first. */
  private async pause(ms: number): Promise<void> {
    if (this.stopping) return;
    await delay(ms, undefined, { signal: this.stopped.signal }).catch(() => undefined);
  }
}
