import Database from 'better-sqlite3';
import fc from 'fast-check';
import { CORPUS, QUERIES } from './corpus';
import { indexText, indexTokens, matches, matchesTokens, searchQuery, searchSql } from './search';

/**
 * The SQL of searchSql gives exactly the quotes that the predicate `matches` gives, on the
 * whole corpus, for every query of the corpus and for many made from it: on a plain table (a
 * scan, as the quotes read model searches today) and on an FTS5 trigram table (an index).
 */
type Field = 'speaker' | 'text';
const COLUMNS: Record<Field, string> = { speaker: 'speaker_index', text: 'text_index' };

const db = new Database(':memory:');
db.exec(`
  CREATE TABLE quotes (id TEXT PRIMARY KEY, speaker_index TEXT NOT NULL, text_index TEXT NOT NULL);
  CREATE VIRTUAL TABLE quotes_fts USING fts5(id UNINDEXED, speaker_index, text_index, tokenize = 'trigram case_sensitive 1');
`);
for (const quote of CORPUS) {
  const row = [quote.id, indexText(quote.speaker), indexText(quote.text)];
  db.prepare('INSERT INTO quotes (id, speaker_index, text_index) VALUES (?, ?, ?)').run(...row);
  db.prepare('INSERT INTO quotes_fts (id, speaker_index, text_index) VALUES (?, ?, ?)').run(...row);
}
afterAll(() => db.close());

function bySql(table: 'quotes' | 'quotes_fts', field: Field, query: string): string[] {
  const { sql, params } = searchSql(COLUMNS[field], searchQuery(query));
  return db
    .prepare<string[], { id: string }>(`SELECT id FROM ${table} WHERE ${sql} ORDER BY id`)
    .all(...params)
    .map((row) => row.id);
}

const TOKENS = CORPUS.map((quote) => ({ id: quote.id, speaker: indexTokens(quote.speaker), text: indexTokens(quote.text) }));

function byPredicate(field: Field, query: string): string[] {
  const parsed = searchQuery(query);
  const found = TOKENS.filter((tokens) => matchesTokens(parsed, tokens[field])).map((tokens) => tokens.id);
  // matchesTokens is matches on tokens computed once per text; check that on a sample.
  const quote = CORPUS[query.length % CORPUS.length];
  expect(matches(query, quote[field])).toBe(found.includes(quote.id));
  return found.sort();
}

/** Runs a query three ways and returns what they found, so a caller can check it is not vacuous. */
function expectSameResults(field: Field, query: string): string[] {
  const expected = byPredicate(field, query);
  expect({ query, field, found: bySql('quotes', field, query) }).toEqual({ query, field, found: expected });
  expect({ query, field, found: bySql('quotes_fts', field, query) }).toEqual({ query, field, found: expected });
  return expected;
}

const graphemes = (text: string) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
const wordsOf = (text: string) => [...new Intl.Segmenter('en', { granularity: 'word' }).segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);
const texts = (field: Field) => CORPUS.map((quote) => (field === 'speaker' ? quote.speaker : quote.text));

describe.each(['speaker', 'text'] as const)('searchSql on the %s column', (field) => {
  it('agrees with the predicate for every query of the corpus', () => {
    const hits = QUERIES.map((query) => expectSameResults(field, query.query).length);
    expect(hits.some((count) => count > 1)).toBe(true);
    expect(hits.some((count) => count === 0)).toBe(true);
  });

  it('agrees with the predicate for every prefix of every stored word, and every pair of words', () => {
    let matched = 0;
    for (const text of texts(field)) {
      const words = wordsOf(text);
      for (const word of words) {
        const parts = graphemes(word);
        for (let length = 1; length <= parts.length; length++) matched += expectSameResults(field, parts.slice(0, length).join('')).length;
      }
      for (let i = 0; i + 1 < words.length; i++) matched += expectSameResults(field, `${words[i]} ${words[i + 1]}`).length;
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('agrees with the predicate for one- to four-grapheme pieces of every text, short CJK terms included', () => {
    for (const text of texts(field)) {
      const parts = graphemes(text);
      for (let start = 0; start < parts.length; start++) {
        for (let length = 1; length <= 4 && start + length <= parts.length; length++) {
          expectSameResults(field, parts.slice(start, start + length).join(''));
        }
      }
    }
  });

  it('agrees with the predicate for random queries written with the corpus alphabet', () => {
    const alphabet = [...new Set(CORPUS.flatMap((quote) => graphemes(`${quote.speaker} ${quote.text}`))), ' ', '\u00ad', 'ss'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 6 }), (letters) => {
        expectSameResults(field, letters.join(''));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the FTS5 trigram table', () => {
  it('answers GLOB conditions from its index rather than by reading every row', () => {
    const { sql, params } = searchSql('text_index', searchQuery('马克龙'));
    const plan = db
      .prepare<string[], { detail: string }>(`EXPLAIN QUERY PLAN SELECT id FROM quotes_fts WHERE ${sql}`)
      .all(...params)
      .map((row) => row.detail);
    expect(plan.join('\n')).toMatch(/VIRTUAL TABLE INDEX/);
  });
});
