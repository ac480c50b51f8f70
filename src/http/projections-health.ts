/** What /health shows of the read models; provided by the read-models module. */
export const PROJECTIONS_HEALTH = Symbol('PROJECTIONS_HEALTH');

export interface ProjectionsHealth {
  health(): Array<{ name: string; status: string; position: string }>;
}
