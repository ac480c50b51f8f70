import { Injectable } from '@nestjs/common';
import { InvalidInputError, ReadModelTimeoutError } from '../../common/app-error';
import { formatPosition, parsePosition, Position } from '../../event-store/event-store.port';
import type { ProjectionHealth, ProjectionsHealth } from '../../http/projections-health';
import { describeProjectionFailure } from '../engine/generation-writer';
import { PositionNotReachedError } from '../engine/position-wait';
import { ProjectionEngine } from '../engine/projection-engine';
import { isRebuilding } from '../engine/slot';
import { projectionStatuses, ProjectionStatus } from '../engine/projection-status';

/** How long a read with ?minPosition waits for the read models (API.md: up to 5 s). */
export const MIN_POSITION_WAIT_MS = 5000;

/** What other modules may know of the read models: how far they are, and waiting for them. */
@Injectable()
export class ReadModelProgress implements ProjectionsHealth {
  constructor(private readonly runtime: ProjectionEngine) {}

  /**
   * Resolves once the read models (all, or the named projections) have processed `position`;
   * throws ReadModelTimeoutError (504) after `timeoutMs`, or at once when one of them has failed
   * before reaching it. A position given as text must be a decimal log position, and one the log
   * has reached: a position beyond its head is InvalidInputError (400) at once, not a wait.
   */
  async waitFor(position: Position | string, timeoutMs = MIN_POSITION_WAIT_MS, projections?: readonly string[]): Promise<void> {
    const target = positionOf(position);
    if (!this.reached(target, projections)) await this.refuseBeyondHead(target);
    try {
      await this.runtime.waitFor(target, timeoutMs, projections);
    } catch (error) {
      if (error instanceof PositionNotReachedError) throw new ReadModelTimeoutError(error.message);
      throw error;
    }
  }

  private reached(target: Position, projections?: readonly string[]): boolean {
    const slots = [...this.runtime.slots.values()].filter((slot) => !projections || projections.includes(slot.projection.name));
    return slots.every((slot) => slot.livePosition.commit >= target.commit);
  }

  /**
   * For reads that need no wait (the audit reads the stream itself): throws InvalidInputError
   * (400) when `position` (decimal text) is not one the log has reached.
   */
  async requireInLog(position: string): Promise<void> {
    await this.refuseBeyondHead(positionOf(position));
  }

  /** No client can hold a position the log has never reached: it did not come from a command. */
  private async refuseBeyondHead(target: Position): Promise<void> {
    const head = await this.runtime.store.headPosition();
    if (target.commit > head.commit) {
      throw new InvalidInputError(`minPosition ${formatPosition(target)} is beyond the end of the log (${formatPosition(head)})`, [
        { field: 'minPosition', message: 'must be a position a command returned; the log has not reached it' },
      ]);
    }
  }

  /** Every projection's state, as GET /api/projections shows it. */
  status(): Promise<ProjectionStatus[]> {
    return projectionStatuses(this.runtime);
  }

  /**
   * A cheap, synchronous summary for GET /health (no reads of the log). `problem` says why a
   * projection is failed or stale, that its rebuild has stopped, or that it is retrying after
   * reading the log or writing the read model failed (then it is "catching-up", never "live");
   * positions are decimal strings.
   */
  health(): ProjectionHealth[] {
    return [...this.runtime.slots.values()].map((slot) => {
      const { liveFailure, liveStale, nextFailure } = slot;
      const status = liveFailure ? 'failed' : liveStale ? 'stale' : isRebuilding(slot) ? 'rebuilding' : slot.live?.state === 'live' ? 'live' : 'catching-up';
      const retrying = slot.live?.retrying;
      const problems = [
        liveFailure && describeProjectionFailure(liveFailure),
        retrying && `${retrying.during} has failed since ${retrying.since}, retrying: ${retrying.error}`,
        liveStale && `stale since ${liveStale.since}: ${liveStale.reason}`,
        nextFailure &&
          `rebuild (generation ${nextFailure.generation}) ${nextFailure.failure.kind === 'thread-stopped' ? `failed: ${nextFailure.failure.message}` : describeProjectionFailure(nextFailure.failure)}`,
      ].filter((problem) => typeof problem === 'string');
      const health: ProjectionHealth = {
        name: slot.projection.name,
        status,
        position: formatPosition(slot.livePosition),
        ...(liveFailure ? { failure: liveFailure } : {}),
      };
      return problems.length > 0 ? { ...health, problem: problems.join('; ') } : health;
    });
  }
}

function positionOf(position: Position | string): Position {
  const target = typeof position === 'string' ? parsePosition(position) : position;
  if (!target) {
    throw new InvalidInputError('minPosition is not a log position', [{ field: 'minPosition', message: 'minPosition must be a position such as "1234"' }]);
  }
  return target;
}
