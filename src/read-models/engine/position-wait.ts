import { formatPosition, Position } from '../../event-store/event-store.port';
import { ProjectionFailure } from './generation-writer';
import { isRebuilding } from './slot';
import type { SlotView as Slot } from './projection-engine';

/** The runtime's events this needs: a commit happened; the runtime stopped. */
interface Signals {
  on(event: 'progress' | 'stopped', listener: () => void): unknown;
  off(event: 'progress' | 'stopped', listener: () => void): unknown;
}

export class PositionNotReachedError extends Error {
  constructor(
    readonly position: Position,
    late: readonly Slot[],
    readonly failure: ProjectionFailure | null,
  ) {
    const names = late.map((slot) => `${slot.projection.name} (at ${formatPosition(slot.livePosition)})`).join(', ');
    super(
      failure
        ? `The read models cannot reach position ${formatPosition(position)}: ${names} ${failure.kind === 'thread-stopped' ? `stopped: ${failure.message}` : `failed at ${failure.position}`}`
        : `The read models have not reached position ${formatPosition(position)} yet: ${names}`,
    );
    this.name = 'PositionNotReachedError';
  }
}

/**
 * Resolves once every slot's live generation has processed `position`. Driven by the runtime's
 * `progress` events (one per commit), never by polling; rejects after `timeoutMs`, when the
 * runtime stops, or at once when a slot behind it has failed and no rebuild will replace it.
 */
export function waitForPosition(events: Signals, slots: readonly Slot[], position: Position, timeoutMs: number): Promise<void> {
  // By commit position alone: that is what clients hold (API positions are commit positions),
  // and on EventStoreDB the events of one append share it (batches never split them).
  // A stale live generation follows another log: whatever its checkpoint, it vouches for nothing.
  const behind = () => slots.filter((slot) => slot.liveStale !== null || slot.livePosition.commit < position.commit);
  if (behind().length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: PositionNotReachedError) => {
      clearTimeout(timer);
      events.off('progress', check);
      events.off('stopped', giveUp);
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      const late = behind();
      if (late.length === 0) return finish();
      const stuck = late.find((slot) => (slot.liveFailure || slot.liveStale) && !isRebuilding(slot));
      if (stuck) finish(new PositionNotReachedError(position, late, stuck.liveFailure ?? stuck.nextFailure?.failure ?? null));
    };
    const giveUp = () => finish(new PositionNotReachedError(position, behind(), null));
    const timer = setTimeout(giveUp, timeoutMs);
    events.on('progress', check);
    events.on('stopped', giveUp);
    check();
  });
}
