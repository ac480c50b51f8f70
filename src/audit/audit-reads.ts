import { Bulkhead } from '../common/bulkhead';

/** The audit reads' bulkhead: each folds a whole stream, whose events may hold maximum-size bodies. */
export const AUDIT_READS = Symbol('AUDIT_READS');

/** Two folds at once (a core for the event loop, one for the diff worker), 32 waiting at most. */
export const auditReads = () => new Bulkhead('audit reads', 2, 32);
