import fc from 'fast-check';
import { CORPUS, CorpusQuery, QUERIES } from './corpus';
import { indexText, indexTokens, matches, MAX_SEARCH_TERMS, searchQuery, searchSql } from './search';
import { withoutIgnorables } from './visible';

const IGNORABLES = ['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];
const graphemes = (text: string) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)];
const wordStarts = (text: string) => [...new Intl.Segmenter('en', { granularity: 'word' }).segment(text)].filter((s) => s.isWordLike).map((s) => s.index);

/** The ids of the corpus quotes that a query finds, by the predicate. */
function found(query: CorpusQuery | { field: 'speaker' | 'text'; query: string }): string[] {
  return CORPUS.filter((quote) => matches(query.query, query.field === 'speaker' ? quote.speaker : quote.text)).map((quote) => quote.id);
}

function withIgnorables(text: string, inserts: Array<[number, string]>): string {
  const units = [...text];
  for (const [at, ignorable] of inserts) units.splice(at % (units.length + 1), 0, ignorable);
  return units.join('');
}

describe('the corpus', () => {
  it('covers at least ten scripts', () => {
    const scripts = new Set(CORPUS.map((quote) => quote.script.replace(/ \(.*\)$/, '')));
    expect(scripts.size).toBeGreaterThanOrEqual(10);
  });

  it.each(QUERIES.map((query) => [`${query.field}=${query.query}`, query.rule, query] as const))('%s (%s)', (_, __, query) => {
    expect(found(query)).toEqual(CORPUS.filter((quote) => query.finds.includes(quote.id)).map((quote) => quote.id));
  });
});

describe('indexText', () => {
  it('stores each token once, between spaces, under every spelling', () => {
    expect(indexText('Thomas Müller and Thomas Mueller')).toBe(' thomas muller mueller and ');
    expect(indexText("L’Élysée, d'Alembert et O'Brien")).toBe(' lelysee elysee dalembert alembert et obrien brien ');
  });

  it('keeps a run of unspaced script whole, across the dictionary words inside it', () => {
    expect(indexText('习近平在北京会见了马克龙。王毅')).toBe(' 习近平在北京会见了马克龙 王毅 ');
    expect(indexText('岸田首相は「支援する」と述べた')).toBe(' 岸田首相は 支援する と述べた ');
  });

  it('stores no lone surrogate (SQLite could not): one separates words, as a punctuation mark would', () => {
    expect(indexText('Zelen\ud800skyy \udc00')).toBe(' zelen skyy ');
  });

  it('is empty for a text without words', () => {
    expect(indexText('')).toBe('');
    expect(indexText(' !!! 😀 \u200b')).toBe('');
  });

  it('has only letters, marks and digits in its tokens, so no GLOB wildcard can occur', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        for (const token of indexTokens(text)) expect(token).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
      }),
    );
  });
});

describe('searchQuery', () => {
  it('makes a prefix term of a spaced word and an inside term of an unspaced one', () => {
    expect(searchQuery('Müller 近平').terms).toEqual([
      { kind: 'prefix', spellings: ['muller', 'mueller'] },
      { kind: 'inside', spellings: ['近平'] },
    ]);
  });

  it('has no terms for a query without words, and such a query matches nothing', () => {
    for (const query of ['', '   ', '!!!', '\u00ad\u200b', '😀']) {
      expect(searchQuery(query).terms).toEqual([]);
      expect(matches(query, 'any text at all')).toBe(false);
    }
  });

  it('counts a repeated word once, and refuses more than MAX_SEARCH_TERMS distinct words', () => {
    expect(searchQuery('Zelenskyy zelenskyy ZELENSKYY').terms).toHaveLength(1);
    const many = Array.from({ length: MAX_SEARCH_TERMS + 1 }, (_, i) => `w${i}`).join(' ');
    expect(() => searchQuery(many)).toThrow(RangeError);
    expect(searchQuery(many.split(' ').slice(1).join(' ')).terms).toHaveLength(MAX_SEARCH_TERMS);
  });
});

describe('searchSql', () => {
  it('ANDs the terms and ORs the spellings of each, one GLOB per spelling', () => {
    expect(searchSql('speaker_index', searchQuery('Müller 近平'))).toEqual({
      sql: '("speaker_index" GLOB ? OR "speaker_index" GLOB ?) AND ("speaker_index" GLOB ?)',
      params: ['* muller*', '* mueller*', '*近平*'],
    });
  });

  it('is false for a query without terms', () => {
    expect(searchSql('text_index', searchQuery('!!!'))).toEqual({ sql: '0', params: [] });
  });

  it('refuses a column name that is not a plain identifier', () => {
    expect(() => searchSql('x" OR 1 --', searchQuery('a'))).toThrow(/not a column name/);
  });
});

describe('matches', () => {
  it('finds a speaker word at the start of a stored word, in any order', () => {
    expect(matches('zelen volo', 'Volodymyr Zelenskyy')).toBe(true);
    expect(matches('enskyy', 'Volodymyr Zelenskyy')).toBe(false);
    expect(matches('Volodymyr Putin', 'Volodymyr Zelenskyy')).toBe(false);
  });

  it('finds an unspaced term anywhere inside a run, including one and two characters', () => {
    expect(matches('平', '习近平在北京')).toBe(true);
    expect(matches('平在', '习近平在北京')).toBe(true);
    // A query's run is one term, found whole: not its dictionary words in any order.
    expect(matches('近平在北京', '习近平在北京')).toBe(true);
    expect(matches('近平北京', '习近平在北京')).toBe(false);
    expect(matches('北京近平', '习近平在北京')).toBe(false);
    // A name the dictionary does not know is cut into single kana; the query still needs them in order.
    expect(matches('かかみ', 'かがみ たろう')).toBe(false);
    expect(matches('かみか', 'みかか')).toBe(false);
    expect(matches('がみ', 'かがみ たろう')).toBe(true);
    expect(matches('とうが', 'がとう')).toBe(false);
  });

  it('accepts a parsed query as well as a string', () => {
    expect(matches(searchQuery('muller'), 'Thomas Müller')).toBe(true);
  });

  const corpusQuery = fc.constantFrom(...QUERIES);
  const ignorableInserts = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...IGNORABLES)), { maxLength: 4 });

  it('does not change when soft hyphens or zero-width characters are inserted anywhere, on either side', () => {
    fc.assert(
      fc.property(corpusQuery, ignorableInserts, ignorableInserts, (query, inQuery, inText) => {
        for (const quote of CORPUS) {
          const text = query.field === 'speaker' ? quote.speaker : quote.text;
          expect(matches(withIgnorables(query.query, inQuery), withIgnorables(text, inText))).toBe(matches(query.query, text));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('does not change with the normal form or the case of either side', () => {
    for (const query of QUERIES) {
      const expected = found(query);
      for (const form of ['NFD', 'NFKD'] as const) {
        expect(found({ ...query, query: query.query.normalize(form) })).toEqual(expected);
      }
      expect(found({ ...query, query: query.query.toUpperCase() })).toEqual(expected);
    }
    for (const quote of CORPUS) {
      for (const query of QUERIES.filter((q) => q.finds.includes(quote.id))) {
        const text = query.field === 'speaker' ? quote.speaker : quote.text;
        expect(matches(query.query, text.normalize('NFD'))).toBe(true);
        expect(matches(query.query, text.toUpperCase())).toBe(true);
      }
    }
  });

  it('finds a text by any piece of it that starts at a word and ends between graphemes', () => {
    // Ignorables are not there for a reader (the property above), so neither are the word starts they make.
    const texts = CORPUS.flatMap((quote) => [quote.speaker, quote.text]).map(withoutIgnorables);
    const piece = fc
      .constantFrom(...texts)
      .chain((text) => fc.tuple(fc.constant(text), fc.constantFrom(...wordStarts(text)), fc.integer({ min: 1, max: graphemes(text).length })));
    fc.assert(
      fc.property(piece, ([text, start, length]) => {
        const ends = graphemes(text)
          .map((g) => g.index + g.segment.length)
          .filter((end) => end > start);
        const query = text.slice(start, ends[Math.min(length, ends.length) - 1]);
        if (searchQuery(query).terms.length > 0) expect(matches(query, text)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
