/** How /health learns the event store's condition; provided by the event-store module. */
export const STORE_HEALTH = Symbol('STORE_HEALTH');

/** Why the store is degraded: the words /health shows. */
export type StoreFaultReason = 'out-of-space' | 'read-only' | 'unavailable' | 'corrupt' | 'replaced';

/** A fault the store is in since `since` (ISO-8601); `code` is SQLite's (e.g. "SQLITE_FULL"). */
export interface StoreFault {
  reason: StoreFaultReason;
  code: string;
  /** For operators: what happened and what clears it. Never a token or a request's content. */
  detail: string;
  since: string;
  /** When a commit last met this fault (ISO-8601): readiness (GET /health/ready) counts from it. */
  lastSeen?: string;
}

/** What /health shows of the store: ok, or degraded by one fault while it lasts. */
export type StoreCondition = { status: 'ok' } | ({ status: 'degraded' } & StoreFault);

export interface StoreHealth {
  /** Cheap and synchronous: /health calls it on every request. */
  condition(): StoreCondition;
  /**
   * For a store that can test whether it writes again (the embedded one): while a fault that
   * refuses writes is recorded, tries a small write (at most once per its probe interval), clears
   * the fault when it succeeds, and returns the condition then. Readiness trusts its answer for as
   * long as the fault lasts; a store without it is trusted for a window after its last failure.
   */
  probe?(): StoreCondition;
}

/** For an adapter that reports no condition of its own (EventStoreDB: its outages surface as 503s). */
export const HEALTHY: StoreHealth = { condition: () => ({ status: 'ok' }) };

/** True for a store that reports its condition (the embedded one). */
export function isStoreHealth(value: object): value is StoreHealth {
  return typeof (value as Partial<StoreHealth>).condition === 'function';
}
