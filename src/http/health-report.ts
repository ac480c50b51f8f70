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
 * How long (ms) after a call last met a fault a store that cannot probe (EventStoreDB) is reported
 * not ready: after this window it is ready again, so that the next write either clears the fault
 * or renews it (a circuit breaker's half-open state). A store that probes (StoreHealth.probe, the
 * embedded one) is not ready for as long as its probe fails.
 */
export const NOT_READY_WINDOW_MS = 30_000;

/** Whether this instance can accept writes (GET /health/ready): `ready`, or why not; `retryAfterSeconds` null when only a restart helps. */
export type Readiness = { ready: true } | { ready: false; reason: string; retryAfterSeconds: number | null };

/**
 * Ready unless the store is in a fault that refuses writes (out of space, read-only, unavailable,
 * replaced). For a store that `probed` (StoreHealth.probe: `condition` is what its probe found)
 * for as long as the fault lasts, with Retry-After `probeSeconds`; otherwise within
 * NOT_READY_WINDOW_MS of the fault's lastSeen, `now` in ms since the epoch. A replaced file is
 * never ready again without a restart: its reason says so, and there is no Retry-After. A damaged
 * ("corrupt") event fails reads of it, not appends; a failed read model fails alike on every
 * instance of one log: neither takes the instance out of rotation (both show in GET /health).
 */
export function readiness(condition: StoreCondition, now: number, probed = false, probeSeconds = 1): Readiness {
  if (condition.status === 'ok' || condition.reason === 'corrupt') return { ready: true };
  const reason = `event store ${condition.reason}: ${condition.detail} since ${condition.since}`;
  if (condition.reason === 'replaced') return { ready: false, reason: `${reason}. Only a restart of this server helps.`, retryAfterSeconds: null };
  if (probed) return { ready: false, reason, retryAfterSeconds: Math.max(1, probeSeconds) };
  const left = Date.parse(condition.lastSeen ?? condition.since) + NOT_READY_WINDOW_MS - now;
  return left > 0 ? { ready: false, reason, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) } : { ready: true };
}
