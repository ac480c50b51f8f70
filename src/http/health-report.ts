import type { StoreCondition } from '../event-store/store-health';
import type { ProjectionHealth } from './projections-health';

/** The body of GET /health: API.md's `{ status, eventStore, projections }`, plus why when degraded. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  /** One sentence per fault, for operators; present only when degraded. */
  reasons?: string[];
  /** The adapter: "embedded" or "eventstoredb". */
  eventStore: string;
  /** The store's fault while it lasts (e.g. reason "out-of-space", code "SQLITE_FULL"). */
  eventStoreFault?: Omit<Extract<StoreCondition, { status: 'degraded' }>, 'status'>;
  projections: ProjectionHealth[];
}

/**
 * Degraded while the store is in a fault (out of space, read-only, unavailable, corrupt, replaced)
 * or a projection has failed or follows another log (stale). The status code stays 200: the
 * process is alive and answers; a readiness endpoint, when there is one, is where 503 belongs.
 */
export function healthReport(kind: string, condition: StoreCondition, projections: ProjectionHealth[]): HealthReport {
  const reasons: string[] = [];
  let eventStoreFault: HealthReport['eventStoreFault'];
  if (condition.status === 'degraded') {
    const { status: _status, ...fault } = condition;
    eventStoreFault = fault;
    reasons.push(`event store ${fault.reason}: ${fault.detail} since ${fault.since}`);
  }
  for (const { name, status, problem } of projections) {
    if (problem) reasons.push(`projection ${name} ${status}: ${problem}`);
  }
  if (reasons.length === 0) return { status: 'ok', eventStore: kind, projections };
  return { status: 'degraded', reasons, eventStore: kind, ...(eventStoreFault ? { eventStoreFault } : {}), projections };
}

/**
 * How long (ms) after a commit last met a fault this instance reports itself not ready. Faults
 * clear only when a commit succeeds, and an instance out of rotation receives no commits: after
 * this window it reports ready again, so the next write either clears the fault or renews it
 * (a circuit breaker's half-open state). A replaced log never clears without a restart.
 */
export const NOT_READY_WINDOW_MS = 30_000;

/** Whether this instance can accept writes (GET /health/ready): `ready`, or why not. */
export type Readiness = { ready: true } | { ready: false; reason: string; retryAfterSeconds: number };

/**
 * Ready unless the store's last commit met a fault that refuses writes (out of space, read-only,
 * unavailable, replaced) within NOT_READY_WINDOW_MS of `now` (ms since the epoch). A damaged
 * ("corrupt") event fails reads of it, not appends; a failed read model fails alike on every
 * instance of one log: neither takes the instance out of rotation (both show in GET /health).
 */
export function readiness(condition: StoreCondition, now: number): Readiness {
  if (condition.status === 'ok' || condition.reason === 'corrupt') return { ready: true };
  const reason = `event store ${condition.reason}: ${condition.detail} since ${condition.since}`;
  if (condition.reason === 'replaced') return { ready: false, reason, retryAfterSeconds: 60 };
  const left = Date.parse(condition.lastSeen ?? condition.since) + NOT_READY_WINDOW_MS - now;
  return left > 0 ? { ready: false, reason, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) } : { ready: true };
}
