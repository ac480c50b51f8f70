/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/ §3.2): the `traceparent` request header,
 * `version-traceid-parentid-traceflags` in lowercase hex. A header that does not parse is ignored,
 * as §3.2 tells a receiver to do (a new trace starts; the request is not refused).
 */
export interface TraceParent {
  /** The header as stored: version 00's 55 characters (a later version's first 55, §3.2.4). */
  header: string;
  /** 32 lowercase hex digits, not all zero (§3.2.2.3). */
  traceId: string;
  /** 16 lowercase hex digits, not all zero (§3.2.2.4). */
  parentId: string;
  /** 2 lowercase hex digits (§3.2.2.5); bit 0 is "sampled". */
  flags: string;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// §3.2.4: a later version is read as far as version 00 goes; whatever follows must start with "-".
const LATER_VERSION = /^(?!ff)[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a `traceparent` header value (or the values of several headers, which §3.2 makes
 * invalid). Returns null for anything that is not a valid traceparent: a wrong length or case,
 * version ff, an all-zero trace id or parent id, or version 00 with anything after the flags.
 */
export function parseTraceparent(value: string | readonly string[] | null | undefined): TraceParent | null {
  if (typeof value !== 'string') return null;
  const match = value.startsWith('00-') ? VERSION_00.exec(value) : LATER_VERSION.exec(value);
  if (!match) return null;
  const [, traceId, parentId, flags] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { header: value.slice(0, 55), traceId, parentId, flags };
}

/** The trace id of a stored traceparent, or null when there is none or it is not valid. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  return parseTraceparent(traceparent)?.traceId ?? null;
}
