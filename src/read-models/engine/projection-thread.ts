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
