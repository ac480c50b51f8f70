import { ProjectionFailure } from './generation-writer';
import { Projection } from '../../projection-kit/projection';
import { Projector } from './projector';
import type { RemoteProjector } from './rebuild-thread';
import { schemaSignature, StaleMark } from './read-model-db';
import { Position, START } from '../../event-store/event-store.port';
import type { SlotView } from './projection-engine';

/** Everything the runtime knows about one projection in this process. */
export interface Slot {
  readonly projection: Projection;
  readonly signature: string;
  live?: Projector;
  /** In this thread, or on the rebuild thread (RuntimeOptions.rebuildThread) until it reaches the head. */
  next?: Projector | RemoteProjector;
  /** The live generation's checkpoint, as far as this process knows: what reads can rely on. */
  livePosition: Position;
  liveFailure: ProjectionFailure | null;
  /** Set when the live generation follows another log: it serves, but vouches for no position. */
  liveStale: StaleMark | null;
  /** The rebuild this process follows stopped there. */
  nextFailure?: { generation: number; failure: ProjectionFailure };
  /** For the rate of a rebuild this process runs. */
  rebuildClock?: { generation: number; startedAt: number; eventsAtStart: number };
}

/** One slot per projection, before anything is known of its generations: no position vouched for. */
export function newSlots(projections: readonly Projection[]): Map<string, Slot> {
  return new Map(
    projections.map((projection) => [
      projection.name,
      { projection, signature: schemaSignature(projection), livePosition: START, liveFailure: null, liveStale: null },
    ]),
  );
}

/** A rebuild is running in this process (not failed): the projection will move again. */
export function isRebuilding(slot: SlotView): boolean {
  return slot.next !== undefined && slot.next.state !== 'failed';
}
