import { parsePosition, Position, START } from '../../event-store/event-store.port';
import { parseFailure, ProjectionFailure } from './generation-writer';
import { eventsAfter } from './log-meter';
import type { ProjectionEngine as ProjectionRuntime, SlotView as Slot } from './projection-engine';
import { GenerationRow, loadUnfinished, StaleMark } from './read-model-db';

export type ProjectionState = 'live' | 'catching-up' | 'rebuilding' | 'failed' | 'stale';

export interface RebuildProgress {
  generation: number;
  version: number;
  /** Events of the log the new generation has processed, of `total` so far. */
  done: number;
  total: number;
  /**
   * Events per second, measured by this process since it began following the rebuild (its own, or
   * one another process runs, e.g. the rebuild CLI beside a server); null before it knows.
   */
  eventsPerSecond: number | null;
  etaSeconds: number | null;
  startedAt: string;
  error?: ProjectionFailure;
}

/** One row of GET /api/projections. */
export interface ProjectionStatus {
  name: string;
  /** The version of the generation serving reads. */
  version: number;
  generation: number | null;
  /** The last log position the serving generation has processed ("-1": none yet). */
  position: string;
  lagEvents: number;
  status: ProjectionState;
  error?: ProjectionFailure;
  /** Why the serving generation is stale: it was built from another log, and is being rebuilt. */
  stale?: StaleMark;
  rebuild?: RebuildProgress;
}

/** Reads the registry (which another process may have changed) and measures lag to the head. */
export async function projectionStatuses(runtime: ProjectionRuntime): Promise<ProjectionStatus[]> {
  const head = await runtime.store.headPosition();
  const statuses: ProjectionStatus[] = [];
  for (const slot of runtime.slots.values()) {
    const name = slot.projection.name;
    const live = runtime.db.withRole(name, 'live');
    const next = runtime.db.withRole(name, 'next');
    const position = live?.checkpoint ?? '-1';
    const lagEvents = await eventsAfter(runtime.store, checkpointOf(live), head);
    // A thread that stopped recorded nothing in the registry: the slot knows (ProjectionHost).
    const error = failureOf(live) ?? threadStoppedOnly(slot.liveFailure);
    const stale = live?.stale ? (JSON.parse(live.stale) as StaleMark) : undefined;
    const rebuild = next && (await rebuildProgress(runtime, slot, next, head));
    const status: ProjectionState = error
      ? 'failed'
      : stale
        ? 'stale'
        : rebuild && !rebuild.error
          ? 'rebuilding'
          : lagEvents === 0 || slot.live?.state === 'live'
            ? 'live'
            : 'catching-up';
    statuses.push({
      name,
      version: live?.version ?? slot.projection.version,
      generation: live?.generation ?? null,
      position,
      lagEvents,
      status,
      ...(error ? { error } : {}),
      ...(stale ? { stale } : {}),
      ...(rebuild ? { rebuild } : {}),
    });
  }
  return statuses;
}

type RebuildClock = NonNullable<Slot['rebuildClock']>;

/** Clocks of rebuilds this process only watches, by runtime and projection name (see rebuildProgress). */
const clocksByRuntime = new WeakMap<ProjectionRuntime, Map<string, RebuildClock>>();

function watchedClocks(runtime: ProjectionRuntime): Map<string, RebuildClock> {
  let clocks = clocksByRuntime.get(runtime);
  if (!clocks) clocksByRuntime.set(runtime, (clocks = new Map()));
  return clocks;
}

async function rebuildProgress(runtime: ProjectionRuntime, slot: Slot, next: GenerationRow, head: Position): Promise<RebuildProgress> {
  // A stream-order load (CatchUp) is at START until it ends; its `events` are the events it has loaded.
  const loading = loadUnfinished(next);
  const after = await eventsAfter(runtime.store, checkpointOf(next), head);
  const remaining = loading ? Math.max(0, after - next.events) : after;
  // This process's own rebuild has the clock its runtime started; one that another process runs (the
  // rebuild CLI beside a server) is timed from this process's first look at it.
  const own = slot.rebuildClock?.generation === next.generation ? slot.rebuildClock : undefined;
  const watched = watchedClocks(runtime);
  let clock = own ?? watched.get(slot.projection.name);
  // Fewer events than when the clock started: an unfinished load was cleared and starts over
  // (ProjectorHooks.clearedLoad). The rate is measured afresh from here, never as a negative.
  if (!clock || clock.generation !== next.generation || next.events < clock.eventsAtStart) {
    clock = { generation: next.generation, startedAt: Date.now(), eventsAtStart: next.events };
    if (own) slot.rebuildClock = clock;
    else watched.set(slot.projection.name, clock);
  }
  const seconds = (Date.now() - clock.startedAt) / 1000;
  const rate = seconds > 0 ? (next.events - clock.eventsAtStart) / seconds : null;
  // A stopped rebuild thread whose failure the registry could not take (busy, disk full): the slot knows.
  const error = failureOf(next) ?? (slot.nextFailure?.generation === next.generation ? threadStoppedOnly(slot.nextFailure.failure) : undefined);
  return {
    generation: next.generation,
    version: next.version,
    done: next.events,
    total: next.events + remaining,
    eventsPerSecond: rate === null ? null : Math.round(rate),
    etaSeconds: rate ? Math.ceil(remaining / rate) : null,
    startedAt: next.createdAt,
    ...(error ? { error } : {}),
  };
}

function checkpointOf(row: GenerationRow | undefined): Position {
  return row ? parsePosition(row.checkpoint)! : START;
}

function failureOf(row: GenerationRow | undefined): ProjectionFailure | undefined {
  return row?.failure ? parseFailure(row.failure) : undefined;
}

/** A failure the slot holds that the registry may lack: a stopped thread's (an event's is always stored with its batch). */
function threadStoppedOnly(failure: ProjectionFailure | null | undefined): ProjectionFailure | undefined {
  return failure?.kind === 'thread-stopped' ? failure : undefined;
}
