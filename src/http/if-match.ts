import { InvalidInputError } from '../common/app-error';

/**
 * An If-Match header (RFC 9110 §13.1.1): `*`, or the strong entity tags it lists. Weak tags never
 * match under If-Match's strong comparison (§8.8.3.2), so they are dropped here; so are tags that
 * are no revision of ours (they cannot match either).
 */
export type IfMatch = { readonly any: true } | { readonly any: false; readonly revisions: readonly bigint[] };

/** entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3). */
const ENTITY_TAG = /[\t ]*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"[\t ]*/y;
const REVISION = /^(0|[1-9]\d{0,18})$/;

function malformed(): never {
  throw new InvalidInputError('If-Match must be "*" or a list of entity tags such as "3" (RFC 9110 §13.1.1)', [
    { field: 'If-Match', message: 'must be "*" or quoted entity tags separated by commas, e.g. "3"' },
  ]);
}

/**
 * Parses If-Match. Returns null when the header is absent; throws InvalidInputError (400) when it
 * is not `*` or a comma-separated list of entity tags (unquoted or unbalanced values included).
 * Revisions are decimal integers, first event = 0, returned as bigint.
 */
export function parseIfMatch(header: string | undefined): IfMatch | null {
  if (header === undefined) return null;
  if (header.trim() === '*') return { any: true };
  const revisions: bigint[] = [];
  let tags = 0;
  // Empty list members are ignored, leading ones too (RFC 9110 §5.6.1.2).
  ENTITY_TAG.lastIndex = /^[\t ,]*/.exec(header)![0].length;
  while (ENTITY_TAG.lastIndex < header.length) {
    const match = ENTITY_TAG.exec(header);
    if (!match) malformed();
    tags++;
    if (!match[1] && REVISION.test(match[2])) revisions.push(BigInt(match[2]));
    if (ENTITY_TAG.lastIndex < header.length) {
      // Members are separated by a comma (RFC 9110 §5.6.1 list syntax, empty members allowed).
      const comma = /[\t ]*,[\t ,]*/y;
      comma.lastIndex = ENTITY_TAG.lastIndex;
      if (!comma.exec(header)) malformed();
      ENTITY_TAG.lastIndex = comma.lastIndex;
    }
  }
  if (tags === 0) malformed();
  return { any: false, revisions };
}

/** Strong comparison of a stream's current revision (bigint) with what If-Match lists. */
export function ifMatchAllows(ifMatch: IfMatch, current: bigint): boolean {
  return ifMatch.any || ifMatch.revisions.includes(current);
}
