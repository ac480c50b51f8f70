/**
 * Canonical equivalence at the boundary. Two strings that Unicode says are the same text
 * (U+00E9 "é" and U+0065 U+0301 "é") must be the same string before anything compares,
 * stores or diffs them, or an unchanged headline re-sent from another keyboard becomes a
 * new revision.
 */

/**
 * The text in Normalization Form C (UAX #15 §1.2, canonical decomposition then canonical
 * composition). Idempotent; lone surrogates pass through unchanged; never throws.
 */
export function nfc(text: string): string {
  return MAY_CHANGE_UNDER_NFC.test(text) ? text.normalize('NFC') : text;
}

// Every code point below U+0300 has NFC_Quick_Check=Yes and is not a combining mark
// (DerivedNormalizationProps.txt; ICU's NFC data starts at U+0300 too): a string of them is
// in NFC already, and ICU need not be asked. Surrogates (astral text) are ≥ U+0300 and checked.
const MAY_CHANGE_UNDER_NFC = /[\u0300-\uffff]/;

/**
 * `value` with every string in NFC (see `nfc`), sharing every part that needs no change: the
 * value itself when it is all NFC already, which costs about 1% of the JSON.parse that made it
 * (bench in the #11 note). Recursive, for values of a known, shallow shape (events that passed
 * their schema); request bodies of any depth go through `nfcDeep`. Never mutates `value`.
 */
export function nfcShared<T>(value: T): T {
  if (typeof value === 'string') return nfc(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const next = nfcShared(value[i] as unknown);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return (copy ?? value) as T;
  }
  if (!isContainer(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const next = nfcShared(item);
    if (next === item) continue;
    copy ??= { ...(value as Record<string, unknown>) };
    // defineProperty, so that a key named "__proto__" stays an own property.
    Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return (copy ?? value) as T;
}

/** A value as JSON.parse returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

type Container = unknown[] | Record<string, unknown>;

/**
 * A copy of a parsed JSON value in which every string VALUE is in NFC (see `nfc`), at any
 * depth, for the request body before validation and before the decider sees it.
 *
 * Object KEYS are copied as they are: every key the API accepts is an ASCII field name, which
 * NFC leaves unchanged, so a key that NFC would change is an unknown field that the schema
 * rejects anyway; normalising keys instead could merge two distinct keys into one and drop a
 * value without a word. A key named "__proto__" stays an own property (no prototype change).
 *
 * Works iteratively, so a deeply nested body cannot overflow the stack. Values that are not
 * plain objects or arrays (numbers, booleans, null, a Date, a Buffer) are returned as they are.
 *
 * @throws TypeError when the value contains a cycle or shares an object between two places
 *         (JSON.parse never produces either).
 */
export function nfcDeep<T>(value: T): T {
  if (typeof value === 'string') return nfc(value) as T;
  if (!isContainer(value)) return value;
  const seen = new WeakSet<object>([value]);
  const root = emptyLike(value);
  const work: Array<[Container, Container]> = [[value, root]];
  for (let next = work.pop(); next; next = work.pop()) {
    const [from, to] = next;
    for (const key of Object.keys(from)) {
      const item: unknown = (from as Record<string, unknown>)[key];
      let copy = item;
      if (typeof item === 'string') {
        copy = nfc(item);
      } else if (isContainer(item)) {
        if (seen.has(item)) throw new TypeError('nfcDeep expects a tree, as JSON.parse returns: an object occurs twice');
        seen.add(item);
        copy = emptyLike(item);
        work.push([item, copy as Container]);
      }
      Object.defineProperty(to, key, { value: copy, enumerable: true, writable: true, configurable: true });
    }
  }
  return root as T;
}

function isContainer(value: unknown): value is Container {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function emptyLike(container: Container): Container {
  if (Array.isArray(container)) return new Array<unknown>(container.length);
  return Object.getPrototypeOf(container) === null ? (Object.create(null) as Record<string, unknown>) : {};
}

/**
 * False when the string holds a lone surrogate (a UTF-16 code unit D800–DFFF not part of a
 * pair), which is not a Unicode scalar value (Unicode §3.9 D76, D80) and cannot be encoded in
 * UTF-8: JSON allows it as an escape ("\ud800"), SQLite would store U+FFFD instead.
 * String.prototype.isWellFormed does the same on Node 20 but is not in the ES2022 typings.
 */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

// With the u flag, a surrogate pair is one code point, so only lone surrogates match.
const LONE_SURROGATE = /\p{Surrogate}/u;
