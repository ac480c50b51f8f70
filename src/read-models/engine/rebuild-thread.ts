/**
 * The thread that rebuilds (issue: a rebuild starved the live read models). Generations being
 * rebuilt are applied here, on a worker thread of their own, so that the live generations never
 * wait behind a rebuild's work: applying one maximum-size event takes seconds, and on a shared
 * thread the live generations could not apply the small event a ?minPosition read waits for
 * until it was done. The runtime that owns the slots (ProjectionRuntime) keeps all the policy
 * (swaps, stale generations, failures, status): it holds a RemoteProjector in the slot in the
 * place of a Projector, and once the rebuild has reached the head it adopts the generation from
 * its checkpoint in its own thread, catches up the last events and swaps as before.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parsePosition, Position } from '../../event-store/event-store.port';
import type { CatchUpOptions } from './catch-up';
import { threadStopped, type BatchOutcome, type GenerationWriter } from './generation-writer';
import type { ProjectorState, Retrying, RetryCause } from './projector';
import type { ProjectionThreadData } from './projection-thread';
import type { RuntimeLogger } from './projection-runtime';

/** What the rebuild thread is started with (workerData). */
export interface RebuildThreadData extends ProjectionThreadData {
  /** Catch-up mode for its generations (see RuntimeOptions.catchUp). */
  catchUp?: Partial<CatchUpOptions> | false;
}

/** The state of one projector of the rebuild thread, as it sends it with each report. */
export interface RemoteState {
  state: ProjectorState;
  retrying: Retrying | null;
  checkpoint: Position;
}

export type ToRebuildThread =
  | { kind: 'follow'; id: number; name: string; generation: number; checkpoint: string; batchSize: number; pollWhenCaughtUpMs?: number }
  | { kind: 'stop'; id: number }
  | { kind: 'wake' }
  | { kind: 'close' };

export type FromRebuildThread =
  | { kind: 'checked'; id: number }
  | { kind: 'committed'; id: number; outcome: BatchOutcome; caughtUp: boolean; remote: RemoteState }
  | { kind: 'retrying'; id: number; error: string; during: RetryCause; remote: RemoteState }
  | { kind: 'catching-up'; id: number; behind: number; remote: RemoteState }
  | { kind: 'left-catch-up'; id: number; missShare: number; remote: RemoteState }
  | { kind: 'stale'; id: number; reason: string; remote: RemoteState }
  | { kind: 'stopped'; id: number; remote?: RemoteState }
  | { kind: 'log'; level: 'log' | 'error'; message: string }
  | { kind: 'closed' };

/** What the runtime hears from a generation rebuilt on the rebuild thread (as ProjectorHooks, without verify). */
export interface RemoteHooks {
  /** After every committed batch; `caughtUp`: the rebuild has reached the head. */
  committed(projector: RemoteProjector, outcome: BatchOutcome, caughtUp: boolean): void;
  /** A transient error; the rebuild retries (see ProjectorHooks.transientError). `error` is its message. */
  transientError(projector: RemoteProjector, error: string, during: RetryCause): void;
  catchingUp(projector: RemoteProjector, behind: number): void;
  /** It left its catch-up pass for the batch path (see ProjectorHooks.leftCatchUp); `missShare` is a fraction, 0 to 1. */
  leftCatchUp(projector: RemoteProjector, missShare: number): void;
  /** Its check against the log (checkFollows, made on the rebuild thread) failed: it has stopped. */
  stale(projector: RemoteProjector, reason: string): void;
}

export interface RemoteFollowOptions {
  batchSize: number;
  pollWhenCaughtUpMs?: number;
}

const compiled = !__filename.endsWith('.ts');

/** One rebuild thread and the projectors it runs. */
interface Running {
  worker: Worker;
  projectors: Map<number, RemoteProjector>;
}

/**
 * The rebuild thread, seen from the thread that owns the slots: starts it on the first follow(),
 * relays messages to each RemoteProjector, and ends it once it runs none (a rebuild's heap is
 * given back; the next follow() starts a new one). When the thread dies (an error, terminate()),
 * the generations it was rebuilding fail (see RemoteProjector.lost). One runtime uses one.
 */
export class RebuildThread {
  private current: Running | null = null;
  /** Threads ended for want of work, until they have closed their connections. */
  private readonly retiring = new Set<Promise<void>>();
  private nextId = 0;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly data: RebuildThreadData,
    private readonly logger?: RuntimeLogger,
  ) {}

  /**
   * A projector for `writer`'s generation (from `checkpoint`, formatPosition text) that runs on the
   * rebuild thread once start() is called. Its hooks are called in this thread. Throws once close() has been called.
   */
  follow(writer: GenerationWriter, checkpoint: string, hooks: RemoteHooks, options: RemoteFollowOptions): RemoteProjector {
    if (this.closing) throw new Error('The rebuild thread is closed');
    const id = this.nextId++;
    const projector: RemoteProjector = new RemoteProjector(id, writer, checkpoint, hooks, () => {
      const running = this.current ?? this.start();
      running.projectors.set(id, projector);
      const post = (message: ToRebuildThread) => running.worker.postMessage(message);
      post({ kind: 'follow', id, name: writer.projection.name, generation: writer.generation, checkpoint, ...options });
      return post;
    });
    return projector;
  }

  /** Another connection has appended: the thread's subscriptions read the log again now. */
  wake(): void {
    if (this.current && this.current.projectors.size > 0) this.current.worker.postMessage({ kind: 'wake' } satisfies ToRebuildThread);
  }

  /** Ends the thread (its projectors should be stopped first: what they have not committed is lost). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const running = this.current;
      this.current = null;
      if (running) await this.end(running.worker);
      await Promise.all(this.retiring);
    })();
    return this.closing;
  }

  /** For tests: the thread dies as it would on a crash. Resolves once it has exited. */
  async kill(): Promise<void> {
    await this.current?.worker.terminate();
  }

  /** Asks the thread to close its connections, then ends it. */
  private async end(worker: Worker): Promise<void> {
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.on('message', (message: FromRebuildThread) => message.kind === 'closed' && resolve());
      worker.postMessage({ kind: 'close' } satisfies ToRebuildThread);
    });
    await worker.terminate();
  }

  private start(): Running {
    // Compiled, the worker is a .js file beside this one; under jest or ts-node it is the .ts source.
    const worker = new Worker(join(__dirname, `rebuild.worker.${compiled ? 'js' : 'ts'}`), {
      workerData: this.data,
      execArgv: compiled ? [] : ['-r', 'ts-node/register/transpile-only'],
    });
    const running: Running = { worker, projectors: new Map() };
    this.current = running;
    let error: Error | null = null;
    worker.on('message', (message: FromRebuildThread) => {
      if (message.kind === 'log') {
        if (message.level === 'error') this.logger?.error(message.message);
        else this.logger?.log(message.message);
      } else if (message.kind !== 'closed') {
        const projector = running.projectors.get(message.id);
        // Stopped, or ended by itself (failed, retired, stale): the thread has forgotten it.
        const ended = message.kind === 'stopped' || message.kind === 'stale' || (message.kind === 'committed' && message.outcome.kind !== 'applied');
        if (ended) running.projectors.delete(message.id);
        projector?.receive(message);
        if (ended && running.projectors.size === 0 && this.current === running) this.retire(running);
      }
    });
    worker.on('error', (e) => (error = e));
    worker.on('exit', (code) => {
      if (this.current === running) this.current = null;
      const lost = [...running.projectors.values()];
      running.projectors.clear();
      if (lost.length === 0) return;
      const reason = error ? error.message : `it exited with code ${code}`;
      if (!this.closing) this.logger?.error(`The rebuild thread stopped: ${reason}`);
      for (const projector of lost) projector.lost(this.closing ? null : reason);
    });
    return running;
  }

  /** It runs no rebuild any more: it ends, and the next follow() starts another thread. */
  private retire(running: Running): void {
    this.current = null;
    const ended = this.end(running.worker);
    this.retiring.add(ended);
    void ended.finally(() => this.retiring.delete(ended));
  }
}

/**
 * A generation being rebuilt on the rebuild thread, as the runtime sees it: what a Projector
 * shows (generation, state, retrying, checkpoint, firstCheck), mirrored from the thread's reports.
 */
export class RemoteProjector {
  state: ProjectorState = 'catching-up';
  retrying: Retrying | null = null;
  checkpoint: Position;
  /** Settles once the thread has checked the generation against the log (whatever it found), or on stop. */
  readonly firstCheck: Promise<void>;
  /** Set by the runtime once it hands the generation over to its own thread (see ProjectionRuntime). */
  handingOver = false;
  private checked!: () => void;
  private post: ((message: ToRebuildThread) => void) | null = null;
  private stopping: Promise<void> | null = null;
  private stopped!: () => void;
  private ended = false;

  constructor(
    readonly id: number,
    /** A writer of the generation on the owner's connection: for recording that the thread died. */
    readonly writer: GenerationWriter,
    checkpoint: string,
    private readonly hooks: RemoteHooks,
    /** Starts it on a thread; returns how to send that thread messages about it. */
    private readonly begin: () => (message: ToRebuildThread) => void,
  ) {
    this.checkpoint = parsePosition(checkpoint)!;
    this.firstCheck = new Promise<void>((resolve) => (this.checked = resolve));
  }

  get generation(): number {
    return this.writer.generation;
  }

  /** Starts it on the rebuild thread (starting the thread if need be). */
  start(): void {
    this.post ??= this.begin();
  }

  /** Stops it on the thread; resolves once the thread has (nothing of it runs or writes any more). */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.checked();
      this.stopped = resolve;
      if (!this.post || this.ended) return this.end();
      this.post({ kind: 'stop', id: this.id });
    });
    return this.stopping;
  }

  /** A report from the thread. */
  receive(message: Exclude<FromRebuildThread, { kind: 'log' | 'closed' }>): void {
    if (message.kind === 'checked') return this.checked();
    if (message.remote) Object.assign(this, message.remote);
    switch (message.kind) {
      case 'committed':
        if (message.outcome.kind !== 'applied') this.end();
        return this.hooks.committed(this, message.outcome, message.caughtUp);
      case 'retrying':
        return this.hooks.transientError(this, message.error, message.during);
      case 'catching-up':
        return this.hooks.catchingUp(this, message.behind);
      case 'left-catch-up':
        return this.hooks.leftCatchUp(this, message.missShare);
      case 'stale':
        this.end();
        return this.hooks.stale(this, message.reason);
      case 'stopped':
        return this.end();
    }
  }

  /**
   * The thread died for `reason`: unless it was being stopped (or `reason` is null: it was
   * closed), the generation fails where it stands with a ThreadFailure ("The rebuild thread
   * stopped: <reason>"), recorded in the registry as a projection's failure is (a restart or a
   * new rebuild starts it again).
   */
  lost(reason: string | null): void {
    if (reason === null || this.stopping || this.ended) return this.end();
    this.ended = true;
    this.checked();
    const failure = threadStopped('rebuild', reason, this.checkpoint);
    let outcome: BatchOutcome;
    try {
      outcome = this.writer.fail(failure);
    } catch {
      outcome = { kind: 'failed', checkpoint: this.checkpoint, failure };
    }
    this.state = outcome.kind === 'retired' ? 'retired' : 'failed';
    this.retrying = null;
    this.hooks.committed(this, outcome, false);
  }

  /** It runs no more on the thread (stopped, or ended by itself in a final state). */
  private end(): void {
    this.ended = true;
    if (this.state === 'catching-up' || this.state === 'live') this.state = 'stopped';
    this.checked();
    this.stopped?.();
  }
}
