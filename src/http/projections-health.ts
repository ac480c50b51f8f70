/** What /health shows of the read models; provided by the read-models module. */
export const PROJECTIONS_HEALTH = Symbol('PROJECTIONS_HEALTH');

export interface ProjectionHealth {
  name: string;
  /** live | catching-up | rebuilding | stale | failed */
  status: string;
  /** The last log position the serving generation has processed (decimal string, "-1" for none). */
  position: string;
  /** Why a projection is "failed" or "stale", that its rebuild stopped, or what it retries after (reading the log, writing the read model); absent otherwise. */
  problem?: string;
  /**
   * Why and where a failed read model stopped: `kind` "event", the event's position, id, type,
   * stream and revision, and the error; or `kind` "thread-stopped", the thread that stopped
   * ("projections" or "rebuild"), why, and the position the read model stays at.
   */
  failure?:
    | { kind: 'event'; message: string; position: string; eventId: string; eventType: string; streamId: string; revision: string }
    | { kind: 'thread-stopped'; thread: 'projections' | 'rebuild'; reason: string; message: string; position: string };
}

export interface ProjectionsHealth {
  health(): ProjectionHealth[];
}
