import fc from 'fast-check';
import { exceedsGraphemes, graphemeCount, truncate } from './graphemes';
import { isWellFormed } from './normalize';

const clusters = (text: string) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);

// Text a property can hold: whole clusters of every kind, code points of every plane, and
// ASCII with CR LF (the fast path).
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.constantFrom('a', ' ', '\r', '\n', '\r\n', 'e\u0301', '👩‍👩‍👧‍👦', '🇺🇦', 'न्द्र', 'क्ष', '😀', 'ó'), { maxLength: 40 }).map((parts) => parts.join('')),
);

describe('graphemeCount (UAX #29 extended grapheme clusters)', () => {
  it.each([
    ['a ZWJ family emoji', '👩‍👩‍👧‍👦', 1],
    ['a thumbs-up with skin tone', '👍🏽', 1],
    ['two flags', '🇺🇦🇵🇱', 2],
    ['e and a combining acute', 'e\u0301', 1],
    ['a Devanagari name (conjuncts are one cluster, GB9c)', 'नरेंद्र', 3],
    ['Thai with tone marks', 'น้ำท่วม', 4],
    ['Hangul conjoining jamo', '\u1100\u1161\u11a8', 1],
    ['ASCII with CR LF', 'a\r\nb\n\rc', 6],
    ['empty', '', 0],
  ])('%s', (_, text, count) => {
    expect(graphemeCount(text)).toBe(count);
  });

  it('agrees with the segmenter, with or without the ASCII fast path', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(graphemeCount(text)).toBe(clusters(text).length);
      }),
    );
  });
});

describe('exceedsGraphemes', () => {
  it('is graphemeCount > max', () => {
    fc.assert(
      fc.property(anyText, fc.nat(70), (text, max) => {
        expect(exceedsGraphemes(text, max)).toBe(graphemeCount(text) > max);
      }),
    );
  });

  it('refuses a budget that is not a non-negative integer', () => {
    expect(() => exceedsGraphemes('a', -1)).toThrow(RangeError);
    expect(() => exceedsGraphemes('a', 1.5)).toThrow(RangeError);
    expect(() => exceedsGraphemes('a', Number.NaN)).toThrow(RangeError);
  });
});

describe('truncate', () => {
  it('does not cut the emoji that the history summary used to cut in half', () => {
    const reason = `${'a'.repeat(238)}😀😀😀`;
    expect(reason.slice(0, 239)).toMatch(/\ud83d$/); // what .slice did: a lone surrogate
    const cut = truncate(reason, 240);
    expect(isWellFormed(cut)).toBe(true);
    expect(cut).toBe(`${'a'.repeat(238)}😀…`);
  });

  it('keeps whole clusters: a ZWJ sequence, a flag, a Devanagari conjunct', () => {
    expect(truncate('ab👩‍👩‍👧‍👦cd', 4)).toBe('ab👩‍👩‍👧‍👦…');
    expect(truncate('🇺🇦🇵🇱🇩🇪', 3)).toBe('🇺🇦🇵🇱🇩🇪');
    expect(truncate('🇺🇦🇵🇱🇩🇪', 2)).toBe('🇺🇦…');
    expect(truncate('नरेंद्र मोदी', 4)).toBe('नरेंद्र…');
    expect(truncate('Cafe\u0301 noir', 5)).toBe('Cafe\u0301…');
  });

  it('drops trailing spaces before the ellipsis, and returns fitting text unchanged', () => {
    expect(truncate('Hello wonderful world', 7)).toBe('Hello…');
    expect(truncate('Hello', 5)).toBe('Hello');
    expect(truncate('👍🏽👍🏽', 2)).toBe('👍🏽👍🏽');
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('abc', 1)).toBe('…');
  });

  it('never exceeds the budget, never splits a cluster, never leaves a lone surrogate', () => {
    fc.assert(
      fc.property(anyText, fc.nat(70), (text, max) => {
        const cut = truncate(text, max);
        expect(graphemeCount(cut)).toBeLessThanOrEqual(max);
        if (isWellFormed(text)) expect(isWellFormed(cut)).toBe(true);
        if (graphemeCount(text) <= max) {
          expect(cut).toBe(text);
        } else if (max > 0) {
          expect(cut.endsWith('…')).toBe(true);
          const kept = cut.slice(0, -1);
          expect(text.startsWith(kept)).toBe(true);
          // The cut is at a cluster boundary: the kept clusters are the text's first ones.
          expect(clusters(text).slice(0, clusters(kept).length).join('')).toBe(kept);
        }
      }),
    );
  });

  it('treats a lone surrogate already in the text as one cluster, and cuts beside it', () => {
    expect(graphemeCount('a\ud800b')).toBe(3);
    expect(truncate('a\ud800bcd', 3)).toBe('a\ud800…');
    expect(truncate('😀😀😀', 2)).toBe('😀…');
  });

  it('refuses a budget that is not a non-negative integer', () => {
    expect(() => truncate('a', -1)).toThrow(RangeError);
    expect(() => truncate('a', Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
