import fc from 'fast-check';
import { CHUNK, SegmenterLike, segmentsOf } from './segments';

const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });

// Pieces chosen to sit on both sides of a cut: every rule of UAX #29 that looks past its two
// characters (regional indicator pairs, emoji ZWJ sequences, Indic conjuncts, WB4's Extend and
// Format, WB6/7 and WB11/12 around punctuation, WB3d space runs, CR LF, Prepend, Hangul
// syllable sequences, dictionary runs of Thai and CJK), and marks or modifiers after spaces.
const PIECES = [
  ' ',
  '  ',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\u3000',
  'a',
  'Z',
  '9',
  '.',
  ',',
  "'",
  '’',
  ':',
  '_',
  '-',
  '、',
  '。',
  '・',
  '🇺',
  '🇦',
  '🇺🇦',
  '👩',
  '\u200d',
  '👩‍👩‍👧',
  '👍',
  '🏽',
  '\ufe0f',
  '‼',
  '©',
  'क',
  '्',
  'ष',
  'नरेंद्र',
  'ि',
  'ं',
  '\u0600',
  '\u0d4e',
  '\u{111c2}',
  'ത',
  '\u1100',
  '\u1161',
  '\u11a8',
  '김',
  '\u0301',
  '\u00ad',
  '\u200b',
  '\u200c',
  '\u2060',
  '\uff9e',
  'ｶ',
  'น้ำ',
  'ท่วม',
  'กล่าว',
  '习近平',
  '北京',
  '岸田',
  'ゼレンスキー',
  'は',
  'Зеленський',
  "can't",
  '3.14',
  'l’homme',
];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((pieces) => pieces.join(''));
const anyText = fc.oneof(text, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

describe('segmentsOf', () => {
  it.each([
    ['grapheme', graphemeSegmenter],
    ['word', wordSegmenter],
  ])('gives exactly the %s segments of the whole text, however small the pieces', (granularity, segmenter) => {
    fc.assert(
      fc.property(anyText, fc.constantFrom(1, 2, 3, 5, 8), (sample, chunk) => {
        const whole = [...segmenter.segment(sample)].map(({ segment, index, isWordLike }) =>
          granularity === 'word' ? { segment, index, isWordLike } : { segment, index },
        );
        expect([...segmentsOf(segmenter, sample, chunk)]).toEqual(whole);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['Ukrainian', 'Зеленський провів переговори з союзниками. '],
    ['Chinese', '习近平在北京会见了马克龙，双方交换了意见。'],
    ['Japanese', '岸田首相は記者会見で述べた、支援を続ける。'],
    ['Thai', 'นายกรัฐมนตรีกล่าวว่า น้ำท่วมครั้งนี้รุนแรง '],
    ['Hindi', 'नरेंद्र मोदी ने कहा कि भारत शांति चाहता है। '],
  ])('hands the segmenter pieces of about CHUNK code units of a long %s text', (_, sentence) => {
    const paragraph = sentence.repeat(Math.ceil(50_000 / sentence.length));
    for (const segmenter of [graphemeSegmenter, wordSegmenter]) {
      const pieces: number[] = [];
      const recording: SegmenterLike = {
        resolvedOptions: () => segmenter.resolvedOptions(),
        segment: (piece: string) => {
          if (piece.length > 2) pieces.push(piece.length);
          return segmenter.segment(piece);
        },
      };
      const segments = [...segmentsOf(recording, paragraph)];
      expect(segments.map((s) => s.segment).join('')).toBe(paragraph);
      expect(pieces.length).toBeGreaterThan(paragraph.length / (2 * CHUNK));
      expect(Math.max(...pieces)).toBeLessThanOrEqual(2 * CHUNK + sentence.length);
    }
  });
});
