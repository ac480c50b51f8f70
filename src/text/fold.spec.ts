import fc from 'fast-check';
import { caselessText, searchKey, searchSpellings } from './fold';

const IGNORABLES = ['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\ufe0f', '\u034f', '\u{e0020}'];

/** Every code point of the planes that hold letters (0–3), as strings. */
function codePoints(filter: RegExp): string[] {
  const found: string[] = [];
  for (let cp = 0; cp <= 0x3ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    if (filter.test(ch)) found.push(ch);
  }
  return found;
}

describe('searchKey', () => {
  it.each([
    ['German umlaut and case', 'MÜLLER', 'muller'],
    ['sharp s', 'Straße', 'strasse'],
    ['capital sharp s', 'STRAẞE', 'strasse'],
    ['French cedilla', 'François', 'francois'],
    ['Polish ł and ogonek', 'Wałęsa', 'walesa'],
    ['Vietnamese stacked marks and đ', 'Nguyễn Đặng', 'nguyen dang'],
    ['Turkish dotless and dotted i', 'Kılıçdaroğlu İstanbul', 'kilicdaroglu istanbul'],
    ['Nordic ø and å', 'Støre Åsa', 'store asa'],
    ['ligatures æ and œ', 'Ærø Œuvre', 'aero oeuvre'],
    ['Greek tonos and final sigma', 'Μητσοτάκης', 'μητσοτακησ'],
    ['Greek capitals', 'ΜΗΤΣΟΤΆΚΗΣ', 'μητσοτακησ'],
    ['Cyrillic ё and ї fold (CLDR root: accents)', 'Пётр Київ', 'петр киів'],
    ['Cyrillic й stays (CLDR root: a letter)', 'Зеленський', 'зеленський'],
    ['Cyrillic stress mark', 'Зеле́нський', 'зеленський'],
    ['Hebrew niqqud', 'שָׁלוֹם', 'שלום'],
    ['Arabic harakat', 'مُحَمَّد', 'محمد'],
    ['Arabic hamza on alef', 'أحمد إبراهيم آمنة', 'احمد ابراهيم امنة'],
    ['Arabic hamza on waw and yeh stays', 'مؤتمر رئيس', 'مؤتمر رئيس'],
    ['Arabic tatweel', 'مـحـمـد', 'محمد'],
    ['Devanagari vowel signs and virama stay', 'नरेंद्र मोदी', 'नरेंद्र मोदी'],
    ['Devanagari nukta folds', 'ज़ेलेंस्की', 'जेलेंस्की'],
    ['kana voicing marks stay', 'ガが', 'ガが'],
    ['half-width katakana (compatibility)', 'ｾﾞﾚﾝｽｷｰ', 'ゼレンスキー'],
    ['full-width Latin (compatibility)', 'ＧＡＦＡ', 'gafa'],
    ['Hangul stays', '김정은', '김정은'],
    ['Thai tone marks stay', 'น้ำ', 'น้\u0e4d\u0e32'],
    ['Chinese: traditional is not simplified', '習近平', '習近平'],
    ['ignorables', 'Volo\u00addymyr Zelen\u200bskyy\ufeff', 'volodymyr zelenskyy'],
    ['modifier apostrophe', 'пʼять', "п'ять"],
  ])('%s', (_, text, key) => {
    expect(searchKey(text)).toBe(key);
  });

  it('is the same for NFC, NFD, NFKC and NFKD forms', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        const key = searchKey(text);
        for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD']) expect(searchKey(text.normalize(form))).toBe(key);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        expect(searchKey(searchKey(text))).toBe(searchKey(text));
      }),
    );
  });

  it('does not change when ignorable characters are inserted anywhere', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...IGNORABLES)), { maxLength: 5 }), (text, inserts) => {
        const units = [...text];
        for (const [at, ignorable] of inserts) units.splice(at % (units.length + 1), 0, ignorable);
        expect(searchKey(units.join(''))).toBe(searchKey(text));
      }),
    );
  });

  it('keeps the case-folding classes of CaseFolding.txt (as the regexp engine applies them)', () => {
    const mismatches: string[] = [];
    for (const ch of codePoints(/\p{Changes_When_Casefolded}|\p{Changes_When_Lowercased}|\p{Changes_When_Uppercased}/u)) {
      const caseless = new RegExp(`^\\u{${ch.codePointAt(0)?.toString(16)}}$`, 'iu');
      const partners = [ch.toLowerCase(), ch.toUpperCase(), ch.toUpperCase().toLowerCase(), ch.toLowerCase().toUpperCase()];
      for (const partner of partners) {
        const singleCodePoint = [...partner].length === 1;
        // Simple foldings: one code point each, equal under the regexp's case folding.
        if (singleCodePoint && caseless.test(partner) && searchKey(partner) !== searchKey(ch)) mismatches.push(`${ch}/${partner}`);
        // Full foldings (ß → ss, ŉ → ʼn, ᾳ → αι): a character and its case mappings share a key.
        if (!singleCodePoint && searchKey(partner) !== searchKey(ch)) mismatches.push(`${ch}/${partner}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('equates σ, ς and Σ, and ß, ẞ, ss and SS', () => {
    expect(new Set(['σ', 'ς', 'Σ'].map(searchKey))).toEqual(new Set(['σ']));
    expect(new Set(['ß', 'ẞ', 'ss', 'SS', 'Ss'].map(searchKey))).toEqual(new Set(['ss']));
  });

  it('folds exactly the marks that CLDR root collation ranks as accents, on every Latin, Greek and Cyrillic letter', () => {
    const root = new Intl.Collator('und', { sensitivity: 'base' });
    const disagreements: string[] = [];
    for (const letter of codePoints(/^[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}]$/u)) {
      if (!/\p{L}/u.test(letter) || letter.normalize('NFD') === letter) continue;
      // The Greek iota subscript is an accent to collation but ι to case folding (ᾳ uppercases
      // to ΑΙ, CaseFolding.txt maps U+0345 to ι): case folding wins, ᾳ is αι.
      if (letter.normalize('NFD').includes('\u0345')) continue;
      const base = [...letter.normalize('NFD')][0];
      const accentOnly = root.compare(letter, base) === 0;
      if ((searchKey(letter) === searchKey(base)) !== accentOnly) disagreements.push(letter);
    }
    expect(disagreements).toEqual([]);
  });

  it('keeps every Devanagari mark but the nukta, every Thai mark and the kana voicing marks', () => {
    const folded = (base: string, marks: string[]) => marks.filter((mark) => searchKey(base + mark) === searchKey(base));
    const devanagari = codePoints(/^\p{M}$/u).filter((m) => /\p{sc=Devanagari}/u.test(m));
    expect(devanagari.length).toBeGreaterThan(40);
    expect(folded('क', devanagari)).toEqual(['\u093c']);
    const thai = codePoints(/^\p{M}$/u).filter((m) => /\p{sc=Thai}/u.test(m));
    expect(thai.length).toBeGreaterThan(15);
    expect(folded('ก', thai)).toEqual([]);
    expect(folded('か', ['\u3099'])).toEqual([]);
    expect(folded('は', ['\u309a'])).toEqual([]);
    expect(searchKey('か')).not.toBe(searchKey('が'));
    expect(searchKey('カ')).not.toBe(searchKey('ガ'));
  });

  it('leaves every Hangul syllable as it is', () => {
    const syllables = codePoints(/^\p{sc=Hangul}$/u).filter((ch) => ch >= '\uac00' && ch <= '\ud7a3');
    expect(syllables).toHaveLength(11172);
    expect(syllables.filter((ch) => searchKey(ch) !== ch)).toEqual([]);
  });

  it('removes every Hebrew point and cantillation mark, and the Arabic harakat', () => {
    const hebrewMarks = codePoints(/^\p{M}$/u).filter((m) => /\p{sc=Hebrew}/u.test(m));
    expect(hebrewMarks.filter((mark) => searchKey(`ש${mark}`) !== 'ש')).toEqual([]);
    const harakat = ['\u064b', '\u064c', '\u064d', '\u064e', '\u064f', '\u0650', '\u0651', '\u0652', '\u0670'];
    expect(harakat.filter((mark) => searchKey(`ب${mark}`) !== 'ب')).toEqual([]);
  });
});

describe('searchSpellings', () => {
  it.each([
    ['Müller', ['muller', 'mueller']],
    ['Mueller', ['mueller']],
    ['Muller', ['muller']],
    ['Göttingen Äpfel', ['gottingen apfel', 'goettingen aepfel']],
    ['Støre', ['store', 'stoere']],
    ['Åsa', ['asa', 'aasa']],
    ['Þór', ['þor', 'thor']],
    ['Зеленський', ['зеленський']],
  ])('%s', (text, spellings) => {
    expect(searchSpellings(text)).toEqual(spellings);
  });

  it('starts with the search key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(searchSpellings(text)[0]).toBe(searchKey(text));
      }),
    );
  });
});

describe('caselessText', () => {
  it('keeps marks and word boundaries, for segmentation', () => {
    expect(caselessText('Thomas MÜLLER, Volo\u00addymyr')).toBe('thomas müller, volodymyr');
  });
});
