/**
 * Intl.Segmenter, piece by piece. On Node.js 20 (V8 11.3) each step of a segment iterator
 * copies the whole input string, so iterating a text is quadratic in its length: measured
 * here, 5 µs a step at 20,000 code units, 1 ms at 100,000, 9 ms at 1,000,000 (V8 fixed it in
 * 2024, Chromium issue 326176949; Node 22 has the fix). `segmentsOf` hands the segmenter pieces
 * of about CHUNK code units instead, cut only where UAX #29 guarantees a boundary whatever the
 * text around it, so the segments are exactly those of the whole text.
 *
 * A piece ends at a position p when:
 * - the code unit before p is LF: UAX #29 breaks after it (GB4 for graphemes, WB3a for words);
 * - or, for words, p is a SPACE U+0020 whose previous character X is not Extend, Format or
 *   ZWJ (General_Category M, Cf, Sk or Lm, over-approximating WB4) and the segmenter breaks
 *   between X and the space on their own: no other rule of UAX #29 §4.1 can join them; or p
 *   is an ideograph or kana after the CJK comma or full stop (、。, word break class Other,
 *   which also ends a dictionary run), again checked on the two characters alone;
 * - or, for grapheme clusters, p is a letter, digit, punctuation or space that no rule can
 *   join to what precedes it (not Extend, SpacingMark, ZWJ, Hangul, Extended_Pictographic or
 *   a regional indicator), and the segmenter breaks between X and it on their own: then only
 *   GB9b (X is Prepend) could join them, which depends on X alone.
 * Where no such position comes (20,000 Han characters without punctuation), the piece is
 * longer and its cost quadratic again, within the length limits of the API.
 */

/** A segment as Intl.Segmenter gives it: its text, its index in the whole text, and for words whether it is word-like. */
export interface Segment {
  segment: string;
  index: number;
  isWordLike?: boolean;
}

/** What segmentsOf needs of an Intl.Segmenter. */
export type SegmenterLike = Pick<Intl.Segmenter, 'segment' | 'resolvedOptions'>;

/** Code units handed to the segmenter at once: small enough that a step costs ~1 µs. */
export const CHUNK = 1024;

const GRAPHEME_START = /[\p{Lu}\p{Ll}\p{Lt}\p{Nd}\p{P}\p{Zs}\p{Ideographic}]/u;
const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const MAY_EXTEND = /[\p{M}\p{Cf}\p{Sk}\p{Lm}]/u;
const CJK_STOP = /[、。]/u;
const CJK_WORD_START = /[\p{Ideographic}\p{sc=Hiragana}\p{sc=Katakana}]/u;

/**
 * The segments of `text`, in order, with the same segments, indexes and isWordLike as
 * `segmenter.segment(text)`, at a cost linear in the text's length (see above). Lazy: a
 * caller that stops early segments only the pieces it read. `chunk` is for tests.
 */
export function* segmentsOf(segmenter: SegmenterLike, text: string, chunk = CHUNK): Generator<Segment> {
  const words = segmenter.resolvedOptions().granularity === 'word';
  for (let start = 0; start < text.length;) {
    const end = text.length - start <= chunk * 2 ? text.length : nextCut(segmenter, words, text, start + chunk);
    const piece = start === 0 && end === text.length ? text : text.slice(start, end);
    for (const { segment, index, isWordLike } of segmenter.segment(piece)) {
      yield words ? { segment, index: start + index, isWordLike } : { segment, index: start + index };
    }
    start = end;
  }
}

/** An Intl.Segmenter look-alike whose segment() is `segmentsOf`, for jsdiff's intlSegmenter option. */
export function linearSegmenter(segmenter: Intl.Segmenter): Pick<Intl.Segmenter, 'resolvedOptions'> & { segment(text: string): Iterable<Segment> } {
  return {
    resolvedOptions: () => segmenter.resolvedOptions(),
    segment: (text: string) => ({ [Symbol.iterator]: () => segmentsOf(segmenter, text) }),
  };
}

/** The first position at or after `from` where a piece may end, or the text's length. */
function nextCut(segmenter: SegmenterLike, words: boolean, text: string, from: number): number {
  for (let at = from; at < text.length; at++) {
    if (text.charCodeAt(at - 1) === 0x0a) return at;
    const before = codePointBefore(text, at);
    const next = String.fromCodePoint(text.codePointAt(at) ?? 0);
    const candidate =
      !MAY_EXTEND.test(before) &&
      !MAY_EXTEND.test(next) &&
      (words ? next === ' ' || (CJK_STOP.test(before) && CJK_WORD_START.test(next)) : GRAPHEME_START.test(next) && !EXTENDED_PICTOGRAPHIC.test(next));
    if (candidate && breaksBetween(segmenter, before, next)) return at;
  }
  return text.length;
}

function codePointBefore(text: string, at: number): string {
  const low = text.charCodeAt(at - 1);
  const isLow = low >= 0xdc00 && low <= 0xdfff && at >= 2;
  return isLow ? String.fromCodePoint(text.codePointAt(at - 2) ?? 0) : text[at - 1];
}

/** Whether the segmenter puts a boundary between two characters standing alone. */
function breaksBetween(segmenter: SegmenterLike, before: string, next: string): boolean {
  return segmenter.segment(before + next).containing(before.length)?.index === before.length;
}
