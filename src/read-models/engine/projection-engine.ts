import type { EventEmitter } from 'node:events';
import type { EventStore, Position } from '../../event-store/event-store.port';
import type { ProjectorState, Retrying } from './projector';
import type { GenerationRow, ReadModelDb } from './read-model-db';
import type { RuntimeEvents } from './projection-runtime';
import type { Slot } from './slot';

/** What the rest of the server reads of a projector: its generation, state and checkpoint. */
export interface ProjectorView {
  readonly generation: number;
  readonly state: ProjectorState;
  readonly retrying: Retrying | null;
  /** The last log position it applied. */
  readonly checkpoint: Position;
}

/** A Slot (see slot.ts) as the rest of the server reads it: its projectors as views. */
export type SlotView = Omit<Slot, 'live' | 'next'> & { live?: ProjectorView; next?: ProjectorView };

/**
 * The projections as the server's read side uses them, wherever they run: ProjectionRuntime in
 * this thread (the rebuild CLI, tests), ProjectionHost on a worker thread (the server). Also the
 * Nest injection token for the one the server runs.
 */
export abstract class ProjectionEngine {
  /** The read-models file, opened in this thread: the registry and the documents reads use. */
  abstract readonly db: ReadModelDb;
  /** `progress` after every applied batch, and the other runtime events (RuntimeEvents). */
  abstract readonly events: EventEmitter<RuntimeEvents>;
  /** Name → slot, updated in place as the projections move (a reader may keep the objects). */
  abstract readonly slots: ReadonlyMap<string, SlotView>;
  /** The event store this thread uses (head positions, lag, the oldest unprocessed event). */
  abstract readonly store: EventStore;
  abstract slot(name: string): SlotView | undefined;
  /** Starts building a new generation of `name` (or returns the one being built); throws for an unknown name. */
  abstract rebuild(name: string): Promise<GenerationRow>;
  /** See ProjectionRuntime.waitFor: rejects with PositionNotReachedError. */
  abstract waitFor(position: Position, timeoutMs: number, names?: readonly string[]): Promise<void>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract close(): Promise<void>;
}
