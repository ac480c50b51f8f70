/**
 * The messages between the server's main thread (ProjectionHost) and the projections' worker
 * thread (projection.worker.ts). Positions travel as Position objects (bigints clone).
 */
import type { Position } from '../../event-store/event-store.port';
import type { ProjectionFailure } from './generation-writer';
import type { ProjectorView, SlotView } from './projection-engine';
import type { RuntimeEvents } from './projection-runtime';
import type { GenerationRow, StaleMark } from './read-model-db';

/** What the worker is started with (workerData). */
export interface ProjectionThreadData {
  dataDir: string;
  /** EVENTSTORE_URL, or null for the embedded store in dataDir. */
  eventStoreUrl: string | null;
  /** The read-models SQLite file. */
  file: string;
}

/**
 * What the worker is started with: ProjectionThreadData, and `wakeFlag`, one Int32 shared with the
 * host: 1 while a wake message is on its way and the worker has not yet taken it (see wakeWorker).
 */
export interface ProjectionWorkerData extends ProjectionThreadData {
  wakeFlag: SharedArrayBuffer;
}

/**
 * Tells the worker that the store has new commits, unless a wake it has not yet taken is on its
 * way already: one message however many commits it has missed while busy. The worker clears the
 * flag (tookWake) before it reads the log, so a commit after that sends a wake of its own, and one
 * before it is in what that read sees. Returns whether a message is to be sent.
 */
export function wakeWorker(flag: Int32Array): boolean {
  return Atomics.exchange(flag, 0, 1) === 0;
}

/** The worker's side of wakeWorker: the wake is taken, the next commit needs a message again. */
export function tookWake(flag: Int32Array): void {
  Atomics.store(flag, 0, 0);
}

/** One slot's state, as the worker sends it after each runtime event. */
export interface SlotSnapshot {
  name: string;
  livePosition: Position;
  liveFailure: ProjectionFailure | null;
  liveStale: StaleMark | null;
  nextFailure?: { generation: number; failure: ProjectionFailure };
  rebuildClock?: { generation: number; startedAt: number; eventsAtStart: number };
  live?: ProjectorView;
  next?: ProjectorView;
}

export type ToWorker =
  | { kind: 'rebuild'; id: number; name: string }
  | { kind: 'wake' }
  | { kind: 'stop' }
  | { kind: 'close' }
  | { kind: 'freeze-size'; frozen: boolean }
  | { kind: 'kill-rebuild-thread' };

export type FromWorker =
  | { kind: 'started'; slots: SlotSnapshot[] }
  | { kind: 'start-failed'; message: string }
  | { kind: 'event'; event: keyof RuntimeEvents; args: unknown[]; slots: SlotSnapshot[] }
  | { kind: 'rebuilt'; id: number; row?: GenerationRow; error?: string }
  | { kind: 'log'; level: 'log' | 'error'; message: string }
  | { kind: 'stopped' }
  | { kind: 'closed' }
  | { kind: 'size-frozen' }
  | { kind: 'rebuild-thread-killed' };

/** A slot's state as a plain, cloneable object. */
export function snapshotOf(slot: SlotView): SlotSnapshot {
  const view = (p: SlotView['live']): ProjectorView | undefined =>
    p && { generation: p.generation, state: p.state, retrying: p.retrying, checkpoint: p.checkpoint };
  return {
    name: slot.projection.name,
    livePosition: slot.livePosition,
    liveFailure: slot.liveFailure,
    liveStale: slot.liveStale,
    ...(slot.nextFailure ? { nextFailure: slot.nextFailure } : {}),
    ...(slot.rebuildClock ? { rebuildClock: slot.rebuildClock } : {}),
    ...(slot.live ? { live: view(slot.live) } : {}),
    ...(slot.next ? { next: view(slot.next) } : {}),
  };
}
