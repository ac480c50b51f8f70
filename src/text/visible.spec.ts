import fc from 'fast-check';
import { isBlank, withoutIgnorables } from './visible';

describe('isBlank', () => {
  it.each([
    ['empty', ''],
    ['spaces and line breaks', ' \t\r\n\u00a0\u2003\u3000\u2028'],
    ['soft hyphen', '\u00ad'],
    ['zero-width space, non-joiner and joiner', '\u200b\u200c\u200d'],
    ['byte order mark and word joiner', '\ufeff\u2060'],
    ['variation selectors', '\ufe0f\u{e0100}'],
    ['Mongolian vowel separator (no longer White_Space, but ignorable)', '\u180e'],
    ['Hangul fillers', '\u3164\u115f'],
    ['a tag sequence', '\u{e0067}\u{e0062}\u{e007f}'],
    ['control characters', '\u0000\u0007\u009f'],
  ])('%s: blank', (_, text) => {
    expect(isBlank(text)).toBe(true);
  });

  it.each([
    ['a letter', 'a'],
    ['a period', '.'],
    ['an emoji', '😀'],
    ['a lone combining mark, drawn on a dotted circle', '\u0301'],
    ['a letter hidden among ignorables', '\u200b\u00adx\ufeff'],
    ['an ideographic full stop', '。'],
  ])('%s: not blank', (_, text) => {
    expect(isBlank(text)).toBe(false);
  });

  it('is never true for text that has a letter or a digit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('a', 'Ж', '字', '٣', 'ก'), (text, visible) => {
        expect(isBlank(text + visible)).toBe(false);
      }),
    );
  });
});

describe('withoutIgnorables', () => {
  it('removes Default_Ignorable_Code_Point characters and nothing else', () => {
    expect(withoutIgnorables('Volo\u00addymyr\u200b Zelen\u2060skyy\ufeff')).toBe('Volodymyr Zelenskyy');
    expect(withoutIgnorables('a b\u0301')).toBe('a b\u0301');
  });
});
