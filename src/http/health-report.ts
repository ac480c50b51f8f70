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
