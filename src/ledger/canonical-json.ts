/**
 * The canonical JSON every hash of the ledger is taken over: RFC 8785 (JSON Canonicalization
 * Scheme, JCS). Made with safe-stable-stringify, a dependency already, configured strict: for JSON
 * values (what the store holds: objects, arrays, strings, finite numbers, booleans, null) its
 * output is JCS's: object keys sorted by their UTF-16 code units (RFC 8785 §3.2.3), strings and
 * numbers serialised as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2.2 and §3.2.2.3), no
 * whitespace. A third party can therefore recompute every hash with any JCS implementation.
 * src/ledger/canonical-json.spec.ts checks it against RFC 8785's own example.
 */
import { configure } from 'safe-stable-stringify';

const stringify = configure({ strict: true, deterministic: true, bigint: false });

/**
 * The RFC 8785 canonical form of a JSON value, as text (hash its UTF-8 bytes). Throws for what
 * JSON cannot hold (undefined, a function, a bigint, NaN or ±Infinity, a circular value).
 */
export function canonicalJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('Only JSON values have a canonical form');
  return text;
}
