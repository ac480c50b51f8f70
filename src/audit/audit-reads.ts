import { Bulkhead } from '../common/bulkhead';

/** The audit reads' bulkhead: each folds a whole stream, whose events may hold maximum-size bodies. */
export const AUDIT_READS = Symbol('AUDIT_READS');

/**
 * Two folds at once (a core for the event loop, one for the diff worker); 32 waiting at most, 4
 * of them one user's, taken in turns between users; none waits more than 15 s (then 503).
 */
export const auditReads = () => new Bulkhead('audit reads', { concurrency: 2, queue: 32, queuePerOwner: 4, maxWaitMs: 15_000 });
