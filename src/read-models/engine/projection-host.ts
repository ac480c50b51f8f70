import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EventStore, Position } from '../../event-store/event-store.port';
import { threadStopped } from './generation-writer';
import { SqliteEventStore } from '../../event-store/sqlite-event-store';
import { Projection } from '../../projection-kit/projection';
import { waitForPosition } from './position-wait';
import { ProjectionEngine, SlotView } from './projection-engine';
import type { RuntimeEvents, RuntimeLogger } from './projection-runtime';
import { FromWorker, ProjectionThreadData, ProjectionWorkerData, SlotSnapshot, ToWorker, wakeWorker } from './projection-thread';
import { GenerationRow, ReadModelDb } from './read-model-db';
import { newSlots } from './slot';

export interface ProjectionHostOptions extends ProjectionThreadData {
  /** This thread's store: the read side's head positions and lag, and (embedded) its commits wake the worker. */
  store: EventStore;
  /** The projections the worker runs (PROJECTIONS: the worker imports the same registry). */
  projections: readonly Projection[];
  logger?: RuntimeLogger;
}

const compiled = !__filename.endsWith('.ts');

/** The worker's answers to requests (see request()). */
type Answer = 'stopped' | 'closed' | 'size-frozen' | 'rebuild-thread-killed';

/**
 * The server's projections on a worker thread (issue #13: applying events and writing read
 * models off the request loop). The worker runs a ProjectionRuntime with its own connections;
 * this thread keeps a copy of each slot's state, updated in place from the state the worker
 * sends with every runtime event, and re-emits those events, so minPosition waits, /health and
 * GET /api/projections work as they do on a runtime in this thread. Reads open the read-models
 * file here (db). An embedded store's commits wake the worker's subscriptions at once; an
 * EventStoreDB subscription is pushed to the worker by the server.
 *
 * Generations being rebuilt run on a thread of their own, started by the worker (RebuildThread),
 * until they reach the head: the live generations never wait behind a rebuild's work.
 *
 * If the worker thread dies, every projection is marked failed (GET /health says so, and
 * minPosition waits are refused) until the server restarts. If the rebuild thread dies, the
 * rebuilds it ran fail (a new rebuild, or a restart, starts them over); the live ones go on.
 */
export class ProjectionHost implements ProjectionEngine {
  readonly db: ReadModelDb;
  readonly events = new EventEmitter<RuntimeEvents>();
  readonly slots: ReadonlyMap<string, SlotView>;
  private worker: Worker | null = null;
  private starting: Promise<void> | null = null;
  private closing = false;
  private nextId = 0;
  private readonly rebuilds = new Map<number, { resolve: (row: GenerationRow) => void; reject: (error: Error) => void }>();
  private readonly waiting = new Map<Answer, () => void>();
  private stopWaking: (() => void) | null = null;

  constructor(private readonly options: ProjectionHostOptions) {
    this.db = new ReadModelDb(options.file);
    this.slots = newSlots(options.projections);
    this.events.setMaxListeners(0);
  }

  get store(): EventStore {
    return this.options.store;
  }

  slot(name: string): SlotView | undefined {
    return this.slots.get(name);
  }

  /**
   * Starts the worker; resolves once its runtime has started (each projector has checked its
   * generation against the log), rejects with the worker's error if it could not start.
   */
  start(): Promise<void> {
    this.starting ??= new Promise<void>((resolve, reject) => {
      const { dataDir, eventStoreUrl, file } = this.options;
      const wakeFlag = new SharedArrayBuffer(4);
      const data: ProjectionWorkerData = { dataDir, eventStoreUrl, file, wakeFlag };
      // Compiled, the worker is a .js file beside this one; under jest or ts-node it is the .ts source.
      const worker = new Worker(join(__dirname, `projection.worker.${compiled ? 'js' : 'ts'}`), {
        workerData: data,
        execArgv: compiled ? [] : ['-r', 'ts-node/register/transpile-only'],
      });
      this.worker = worker;
      worker.on('message', (message: FromWorker) => {
        if (message.kind === 'started') {
          this.apply(message.slots);
          resolve();
        } else if (message.kind === 'start-failed') {
          reject(new Error(`The projections could not start: ${message.message}`));
        } else this.receive(message);
      });
      worker.on('error', (error) => {
        reject(error);
        this.died(error.message);
      });
      worker.on('exit', (code) => {
        this.worker = null;
        reject(new Error(`The projections' worker thread exited (${code}) before it started`));
        if (!this.closing) this.died(`it exited with code ${code}`);
        for (const resolveWait of this.waiting.values()) resolveWait();
      });
      const store = this.options.store;
      // One wake message for all the commits the worker has not yet been told of (wakeWorker).
      const flag = new Int32Array(wakeFlag);
      if (store instanceof SqliteEventStore)
        this.stopWaking = store.onAppended(() => {
          if (wakeWorker(flag)) this.post({ kind: 'wake' });
        });
    });
    return this.starting;
  }

  /** Starts building a new generation of `name` in the worker (see ProjectionRuntime.rebuild). */
  async rebuild(name: string): Promise<GenerationRow> {
    if (!this.slots.has(name)) throw new Error(`Unknown projection "${name}"`);
    await this.starting;
    const id = this.nextId++;
    return new Promise<GenerationRow>((resolve, reject) => {
      this.rebuilds.set(id, { resolve, reject });
      this.post({ kind: 'rebuild', id, name });
    });
  }

  /** See ProjectionRuntime.waitFor. */
  waitFor(position: Position, timeoutMs: number, names?: readonly string[]): Promise<void> {
    const slots = names ? names.flatMap((name) => this.slots.get(name) ?? []) : [...this.slots.values()];
    return waitForPosition(this.events, slots, position, timeoutMs);
  }

  /** Stops following the log (the worker's runtime stops); reads keep working until close(). */
  async stop(): Promise<void> {
    this.stopWaking?.();
    this.stopWaking = null;
    await this.request({ kind: 'stop' }, 'stopped');
    this.events.emit('stopped');
  }

  /** Stops, closes the worker's connections, ends the thread, and closes the read-models file here. */
  async close(): Promise<void> {
    await this.stop();
    this.closing = true;
    await this.request({ kind: 'close' }, 'closed');
    await this.worker?.terminate();
    this.worker = null;
    this.db.close();
  }

  /**
   * For tests of a full disk: while frozen, the worker's connection cannot grow the read-models
   * file (SQLite's max_page_count), so every write that needs a new page fails with SQLITE_FULL.
   * Resolves once the worker has applied it.
   */
  freezeReadModelSize(frozen: boolean): Promise<void> {
    return this.request({ kind: 'freeze-size', frozen }, 'size-frozen');
  }

  /**
   * For tests of a rebuild thread that dies: the worker ends its rebuild thread as a crash would
   * (the rebuilds it ran fail; see RebuildThread). Resolves once it has.
   */
  killRebuildThread(): Promise<void> {
    return this.request({ kind: 'kill-rebuild-thread' }, 'rebuild-thread-killed');
  }

  private request(message: ToWorker, answer: Answer): Promise<void> {
    if (!this.worker) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiting.set(answer, resolve);
      this.post(message);
    });
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private receive(message: Exclude<FromWorker, { kind: 'started' | 'start-failed' }>): void {
    switch (message.kind) {
      case 'event':
        this.apply(message.slots);
        (this.events.emit as (event: string, ...args: unknown[]) => boolean)(message.event === 'stopped' ? 'progress' : message.event, ...message.args);
        return;
      case 'rebuilt': {
        const pending = this.rebuilds.get(message.id);
        this.rebuilds.delete(message.id);
        if (message.row) pending?.resolve(message.row);
        else pending?.reject(new Error(message.error));
        return;
      }
      case 'log':
        if (message.level === 'error') this.options.logger?.error(message.message);
        else this.options.logger?.log(message.message);
        return;
      case 'stopped':
      case 'closed':
      case 'size-frozen':
      case 'rebuild-thread-killed':
        this.waiting.get(message.kind)?.();
        this.waiting.delete(message.kind);
        return;
    }
  }

  /** The worker's slot state, copied into the slots in place (readers may hold them). */
  private apply(snapshots: readonly SlotSnapshot[]): void {
    for (const { name, ...state } of snapshots) {
      const slot = this.slots.get(name) as SlotView | undefined;
      if (!slot) continue;
      for (const key of ['live', 'next', 'nextFailure', 'rebuildClock'] as const) delete slot[key];
      Object.assign(slot, state);
    }
  }

  /** The worker is gone: every projection is failed where it stands (a ThreadFailure), and waits are refused. */
  private died(reason: string): void {
    this.options.logger?.error(`The projections thread stopped: ${reason}`);
    for (const slot of this.slots.values()) {
      if (slot.liveFailure) continue;
      slot.liveFailure = threadStopped('projections', reason, slot.livePosition);
      delete slot.next;
    }
    for (const pending of this.rebuilds.values()) pending.reject(new Error(`The projections thread stopped: ${reason}`));
    this.rebuilds.clear();
    this.events.emit('progress');
  }
}
