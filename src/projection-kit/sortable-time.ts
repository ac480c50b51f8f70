/**
 * A time as a sortable column value: ISO-8601 in UTC with milliseconds, so that text order is
 * time order whatever offset or precision the event carried. Unparseable text is kept as is
 * (it still sorts deterministically, which keeps rebuilds byte-for-byte equal).
 */
export function sortableTime(iso: string): string {
  // The common case, already in that form, costs a regular expression instead of a Date.
  if (CANONICAL.test(iso)) return iso;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toISOString();
}

const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
