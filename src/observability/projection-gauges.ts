import { parsePosition, START } from '../event-store/event-store.port';
import type { ProjectionEngine } from '../read-models/engine/projection-engine';
import { projectionStatuses, ProjectionState } from '../read-models/engine/projection-status';

/** What /metrics shows of one read model, read from the projection runtime at scrape time. */
export interface ProjectionSample {
  name: string;
  status: ProjectionState;
  /** The serving generation's last processed log position (commit), -1 for none. */
  position: number;
  /** Events of the log it has not processed yet. */
  lagEvents: number;
  /** Age of the oldest event it has not processed (seconds; 0 when caught up; NaN when that event cannot be read). */
  lagSeconds: number;
  /** The generation being rebuilt: events processed of the log's events so far. */
  rebuild: { done: number; total: number } | null;
}

/** The read models' positions and lag, as GET /api/projections measures them (projectionStatuses). */
export async function sampleProjections(runtime: ProjectionEngine, now: () => number = Date.now): Promise<ProjectionSample[]> {
  const statuses = await projectionStatuses(runtime);
  return Promise.all(
    statuses.map(async (status): Promise<ProjectionSample> => {
      const checkpoint = parsePosition(status.position) ?? START;
      let lagSeconds = 0;
      if (status.lagEvents > 0) {
        try {
          const [oldest] = await runtime.store.readAll({ after: checkpoint, maxCount: 1 });
          if (oldest) lagSeconds = Math.max(0, (now() - Date.parse(oldest.recordedAt)) / 1000);
        } catch {
          // The event after the checkpoint cannot be read (the damaged event a projection failed
          // on): its age is unknown, and the sample still shows the projection, failed.
          lagSeconds = Number.NaN;
        }
      }
      return {
        name: status.name,
        status: status.status,
        position: Number(checkpoint.commit),
        lagEvents: status.lagEvents,
        lagSeconds,
        rebuild: status.rebuild ? { done: status.rebuild.done, total: status.rebuild.total } : null,
      };
    }),
  );
}
