/**
 * Length as a reader sees it: user-perceived characters, the extended grapheme clusters of
 * UAX #29 §3 ("Grapheme Cluster Boundaries"), as the platform's ICU finds them. An emoji
 * with skin tone, a ZWJ family, a flag, "é" written as e + U+0301 and a Devanagari conjunct
 * such as "न्द्र" (one cluster since Unicode 15.1, rule GB9c) each count as one.
 */

import { segmentsOf } from './segments';

// Grapheme clusters do not depend on the locale; it is pinned so no environment can differ.
const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

const NON_ASCII = /[^\p{ASCII}]/u;
const ELLIPSIS = '…';
const ALL_SPACE = /^\p{White_Space}+$/u;

/**
 * The number of extended grapheme clusters (UAX #29 §3) in the text. ASCII text is counted
 * without the segmenter: there every code unit is a cluster except CR LF, which is one (GB3).
 * Cost: linear in the length, through `segmentsOf` (bench/text-cost.ts has figures). Never throws.
 */
export function graphemeCount(text: string): number {
  if (!NON_ASCII.test(text)) return text.length - countCrLf(text);
  let count = 0;
  for (const _ of segmentsOf(graphemeSegmenter, text)) count++;
  return count;
}

/**
 * True when the text has more than `max` grapheme clusters (UAX #29 §3), for limit checks.
 * Its cost is bounded by `max`, not by the text: O(1) when text.length <= max (a cluster is
 * at least one code unit), no segmentation for ASCII, and it stops after max + 1 clusters. Note that a
 * single cluster can be arbitrarily long (a letter with a thousand combining marks), so a
 * limit in clusters must come with a limit in code units or bytes.
 *
 * @throws RangeError when max is not a non-negative integer.
 */
export function exceedsGraphemes(text: string, max: number): boolean {
  assertBudget(max);
  if (text.length <= max) return false;
  if (!NON_ASCII.test(text)) return text.length - countCrLf(text) > max;
  let count = 0;
  for (const _ of segmentsOf(graphemeSegmenter, text)) if (++count > max) return true;
  return false;
}

/**
 * The text cut to at most `maxGraphemes` extended grapheme clusters (UAX #29 §3), the
 * ellipsis "…" included. When the text fits it is returned unchanged; otherwise it is cut at
 * a cluster boundary, clusters of White_Space before the cut are dropped, and "…" is appended. A cut never falls
 * inside a cluster, so it never splits a surrogate pair, an emoji ZWJ sequence, a flag, a
 * base letter from its marks or a Devanagari conjunct. maxGraphemes = 0 gives "" for any text.
 * Cost: O(maxGraphemes), whatever the length of the text.
 *
 * @throws RangeError when maxGraphemes is not a non-negative integer.
 */
export function truncate(text: string, maxGraphemes: number): string {
  assertBudget(maxGraphemes);
  if (text.length <= maxGraphemes) return text;
  if (maxGraphemes === 0) return '';
  let count = 0;
  // Where the last kept cluster that is not all White_Space ends: the cut, spaces dropped.
  let cut = 0;
  for (const { segment, index } of segmentsOf(graphemeSegmenter, text)) {
    if (count === maxGraphemes) return text.slice(0, cut) + ELLIPSIS;
    if (count < maxGraphemes - 1 && !ALL_SPACE.test(segment)) cut = index + segment.length;
    count++;
  }
  return text;
}

function assertBudget(max: number): void {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`a grapheme budget must be a non-negative integer, not ${max}`);
}

function countCrLf(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\r\n'); at !== -1; at = text.indexOf('\r\n', at + 2)) count++;
  return count;
}
