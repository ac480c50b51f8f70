/**
 * Reads as of an instant (issue #15, section 1; docs/api.md "As of any instant"): the instant of
 * `?asOf=`, and the filters that find, in a versioned collection of the as_of projection
 * (projections/as-of.projection.ts), the one version of each document valid then.
 */
import { InvalidInputError } from '../../common/app-error';
import type { Filter } from '../engine/read-model-reader';

/**
 * The instant an `asOf` query parameter names (already checked against the AsOf schema: RFC 3339
 * §5.6 date-time), as an ISO-8601 UTC time with milliseconds (sortableTime's form), digits finer
 * than a millisecond cut: events carry millisecond times, so "at or before" is unchanged by the
 * cut. A leap second (23:59:60, RFC 3339 §5.7) reads as the last millisecond before the next
 * minute. An instant after now reads as now, and is answered as now. Throws InvalidInputError (400,
 * field asOf) for text no calendar date matches.
 */
export function instantOf(asOf: string): string {
  const leap = /^(.*[Tt]\d{2}:\d{2}:)60(?:\.\d+)?(.*)$/.exec(asOf);
  const millis = leap ? Date.parse(`${leap[1]}59.999${leap[2]}`) : Date.parse(asOf);
  if (Number.isNaN(millis)) throw new InvalidInputError('asOf is not a time', [{ field: 'asOf', message: 'must be an RFC 3339 date-time' }]);
  // An offset may carry 9999-12-31 past the four-digit years sortable times have (or 0000-01-01 before them).
  // A future instant reads as now, and says so (docs/api.md "As of any instant").
  return new Date(Math.min(Math.max(millis, FIRST), LAST, Date.now())).toISOString();
}

const FIRST = Date.parse('0000-01-01T00:00:00.000Z');
const LAST = Date.parse('9999-12-31T23:59:59.999Z');

/** The filters of a versioned collection for the versions valid at `instant`: from_at <= instant < until_at. */
export function validAt(instant: string): Filter[] {
  return [
    { column: 'from_at', atMost: instant },
    { column: 'until_at', above: instant },
  ];
}
