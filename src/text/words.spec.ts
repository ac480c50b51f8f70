import fc from 'fast-check';
import { WordChange, wordDiff, words, wordSegmenter } from './words';

const changed = (diff: WordChange[], op: 'insert' | 'delete') => diff.filter((c) => c.op === op).map((c) => c.text);

/** Every word of every changed run is a whole word of the text it came from: no fragments. */
function expectWholeWords(before: string, after: string, diff: WordChange[]): void {
  const [from, to] = [new Set(words(before)), new Set(words(after))];
  for (const run of changed(diff, 'delete')) for (const word of words(run)) expect(from).toContain(word);
  for (const run of changed(diff, 'insert')) for (const word of words(run)) expect(to).toContain(word);
}

describe('words (UAX #29)', () => {
  it('finds the words of spaced and unspaced scripts, without punctuation or spaces', () => {
    expect(words('Зеленський провів переговори, з союзниками!')).toEqual(['Зеленський', 'провів', 'переговори', 'з', 'союзниками']);
    expect(words("l’homme d'affaires")).toEqual(['l’homme', "d'affaires"]);
    expect(words('习近平在北京')).toEqual(['习', '近平', '在', '北京']);
    expect(words('น้ำท่วม')).toEqual(['น้ำ', 'ท่วม']);
  });

  it('uses a word segmenter with a pinned locale', () => {
    expect(wordSegmenter.resolvedOptions()).toMatchObject({ granularity: 'word', locale: 'en' });
  });
});

describe('wordDiff', () => {
  it('diffs the Ukrainian headline of issue 11 in whole words', () => {
    const before = 'Зеленський провів переговори з союзниками';
    const after = 'Зеленський провів розмову із союзниками';
    expect(wordDiff(before, after)).toEqual([
      { op: 'equal', text: 'Зеленський провів ' },
      { op: 'delete', text: 'переговори з' },
      { op: 'insert', text: 'розмову із' },
      { op: 'equal', text: ' союзниками' },
    ]);
  });

  it.each([
    [
      'Greek',
      'Ο πρωθυπουργός Κυριάκος Μητσοτάκης συναντήθηκε με τον Ζελένσκι',
      'Ο πρωθυπουργός Κυριάκος Μητσοτάκης μίλησε με τον Ζελένσκι',
      ['συναντήθηκε'],
      ['μίλησε'],
    ],
    ['Chinese', '习近平在北京会见了马克龙', '习近平在上海会见了朔尔茨', ['北京', '马克龙'], ['上海', '朔尔茨']],
    ['Japanese', 'ゼレンスキー大統領は東京で岸田首相と会談した', 'ゼレンスキー大統領は広島で岸田首相と会談した', ['東京'], ['広島']],
    ['Thai', 'นายกรัฐมนตรีกล่าวว่าน้ำท่วมหนัก', 'นายกรัฐมนตรีบอกว่าน้ำท่วมหนักมาก', ['กล่าว'], ['บอก', 'มาก']],
    ['Hindi', 'नरेंद्र मोदी ने कहा कि भारत शांति चाहता है', 'नरेंद्र मोदी ने कहा कि भारत हमेशा शांति चाहता है', [], ['हमेशा ']],
    ['Arabic', 'محمد بن سلمان قال إن المملكة تدعم الحوار', 'محمد بن سلمان أكد أن المملكة تدعم الحوار', ['قال إن'], ['أكد أن']],
    ['Hebrew', 'נתניהו אמר שישראל תגן על עצמה', 'נתניהו הודיע שישראל תגן על עצמה', ['אמר'], ['הודיע']],
    ['Korean', '김정은 위원장이 미사일 발사를 참관했다', '김정은 위원장이 위성 발사를 참관했다', ['미사일'], ['위성']],
  ])('%s: whole words deleted and inserted', (_, before, after, deleted, inserted) => {
    const diff = wordDiff(before, after);
    expect(changed(diff, 'delete')).toEqual(deleted);
    expect(changed(diff, 'insert')).toEqual(inserted);
    expectWholeWords(before, after, diff);
  });

  it('sees no change between the NFC and NFD forms of the same text', () => {
    expect(wordDiff('Café Müller', 'Cafe\u0301 Mu\u0308ller')).toEqual([{ op: 'equal', text: 'Café Müller' }]);
  });

  it('never cuts a word, in any script, and rebuilds the new text exactly', () => {
    const word = fc.constantFrom('Зеленський', 'переговори', 'з', 'Μητσοτάκης', 'είπε', '习近平', '北京', 'น้ำท่วม', 'मोदी', 'محمد', 'שלום', '김정은', 'Müller');
    const separator = fc.constantFrom(' ', ', ', '\n', '. ');
    const text = fc.array(fc.tuple(word, separator), { maxLength: 10 }).map((pairs) => pairs.flat().join(''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = wordDiff(before, after);
        expectWholeWords(before, after, diff);
        expect(
          diff
            .filter((c) => c.op !== 'delete')
            .map((c) => c.text)
            .join(''),
        ).toBe(after);
      }),
    );
  });

  describe('with a time budget', () => {
    afterEach(() => jest.restoreAllMocks());

    it('gives the same diff as without one when the budget suffices', () => {
      const [before, after] = ['Зеленський провів переговори з союзниками', 'Зеленський провів розмову із союзниками'];
      expect(wordDiff(before, after, { timeoutMs: 60_000 })).toEqual(wordDiff(before, after));
    });

    it('returns null when the budget runs out, so the caller can fall back', () => {
      // jsdiff reads the clock with Date.now(); each read here is an hour later than the last.
      let now = 0;
      jest.spyOn(Date, 'now').mockImplementation(() => (now += 3_600_000));
      const before = Array.from({ length: 200 }, (_, i) => `слово${i}`).join(' ');
      const after = Array.from({ length: 200 }, (_, i) => `інше${i}`).join(' ');
      expect(wordDiff(before, after, { timeoutMs: 1000 })).toBeNull();
    });

    it('refuses a budget that is not a positive number of milliseconds', () => {
      for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => wordDiff('a', 'b', { timeoutMs })).toThrow(RangeError);
      }
    });
  });
});
