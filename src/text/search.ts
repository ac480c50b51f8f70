/**
 * Word search over names and quotes, for every script, as three pure pieces that agree:
 * `indexText` (what a projection stores in a column), `searchQuery` + `searchSql` (the SQL
 * condition on that column) and `matches` (the same rule as a predicate, for tests and for
 * anything that filters in memory).
 *
 * Tokens. Both sides are folded (`caselessText`, see fold.ts) and cut into UAX #29 words
 * (`wordSegmenter`). A word of a spaced script becomes a token, written with its letters,
 * marks and digits only (l’homme → lhomme, O'Brien → obrien, 3.14 → 314), plus the tails after
 * its inner punctuation (homme, brien, 14) so that "Élysée" finds "l’Élysée". Words that
 * contain a letter of a script written without spaces (Han, Hiragana, Katakana, Thai, Lao,
 * Khmer, Myanmar: the scripts for which ICU's UAX #29 segmentation uses a dictionary) join
 * the words next to them into one run token, the whole unbroken stretch of text, so that a
 * dictionary's guess at word boundaries can never hide a match. Each token is stored under
 * every spelling of `searchSpellings` (muller and mueller for Müller).
 *
 * Query semantics. The query is folded and cut into UAX #29 words the same way; each word is
 * a term, with the spellings of `searchSpellings`. A text matches when it has a token and
 * EVERY term has a spelling that
 * - starts some token, for a word of a spaced script ("zelen" finds Zelenskyy, "muller" and
 *   "mueller" find Müller, "मोदी" finds मोदी but not मादी);
 * - occurs anywhere inside some token, for a run of an unspaced script ("近平" finds 习近平在北京,
 *   "น้ำ" finds น้ำท่วม), of any length: one- and two-character terms included. A query's
 *   unspaced run is one term, as a stored run is one token: "近平在" finds 习近平在北京, but
 *   "近平北京" does not (it is not in the text), and "かかみ" never finds かがみ or みかか.
 * A query with no word ("!!!", "", only spaces or invisible characters) matches nothing.
 * A text always matches any piece of itself that starts where a word starts and ends between
 * two grapheme clusters (a property test checks it on the corpus).
 *
 * Storage. A plain column scanned with GLOB, as the LIKE search is today: the projection
 * runtime needs no change, and on 100,000 quotes (bench/text-cost.ts) a page of a common term
 * takes under 1 ms (the scan walks the attributed_at index and stops at 51 rows) and a rare or
 * absent term ~35 ms (every row read). The same condition runs unchanged on an FTS5 table with
 * the trigram tokenizer: rare terms then take under 1 ms, but common ones 13-36 ms (every match
 * is fetched before sorting) and terms under three characters fall back to a scan. Worth it
 * when quotes number in the millions; search.sqlite.spec.ts runs both against the predicate.
 */
import { caselessSpellings, caselessText } from './fold';
import { segmentsOf } from './segments';
import { wordSegmenter } from './words';

/** At most this many distinct words in one query: each costs one scan of the column. */
export const MAX_SEARCH_TERMS = 32;

/** A query with more distinct terms than searchQuery allows; `count` is how many it has. */
export class TooManySearchTermsError extends RangeError {
  constructor(
    readonly count: number,
    readonly max: number,
  ) {
    super(`a search may have at most ${max} distinct words, not ${count}`);
    this.name = 'TooManySearchTermsError';
  }
}

/** One word of a query: found at the start of a token (`prefix`) or anywhere in one (`inside`). */
export interface SearchTerm {
  kind: 'prefix' | 'inside';
  /** The term's spellings (see `searchSpellings`); any one of them may match. */
  spellings: string[];
}

/** A parsed query: every term must match. No terms: nothing matches. */
export interface SearchQuery {
  terms: SearchTerm[];
}

/** An SQL condition with its positional parameters, for better-sqlite3. */
export interface SqlCondition {
  sql: string;
  params: string[];
}

// Scripts written without spaces between words. Script_Extensions, so that the prolonged
// sound mark ー (U+30FC, Script=Common) and the iteration mark 々 count as Japanese.
const UNSPACED = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;
// What a token is written with; everything else (apostrophes, periods, hyphens) separates parts.
const NOT_SPELLING = /[^\p{L}\p{M}\p{N}]+/u;
const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The stored form of a text for `searchSql`: its tokens (see the module comment), each once,
 * in order of first appearance, each preceded and followed by a space: " zelenskyy volodymyr ".
 * "" when the text has no word. Deterministic (same text, same value) for a given Node.js:
 * a Node upgrade that changes its ICU or Unicode version may change values, so the
 * projection that stores them must be rebuilt then (bump its version). Never throws.
 */
export function indexText(text: string): string {
  const tokens = indexTokens(text);
  return tokens.length === 0 ? '' : ` ${tokens.join(' ')} `;
}

/** The distinct tokens of a text, in order of first appearance (see the module comment). */
export function indexTokens(text: string): string[] {
  const tokens = new Set<string>();
  const add = (form: string) => {
    if (form !== '') for (const spelling of caselessSpellings(form)) tokens.add(spelling);
  };
  let run = '';
  for (const { segment, isWordLike } of segmentsOf(wordSegmenter, caselessText(text))) {
    if (isWordLike && UNSPACED.test(segment)) {
      run += spelled(segment);
      continue;
    }
    add(run);
    run = '';
    if (!isWordLike) continue;
    const parts = segment.split(NOT_SPELLING).filter((part) => part !== '');
    for (let start = 0; start < parts.length; start++) add(parts.slice(start).join(''));
  }
  add(run);
  return [...tokens];
}

/**
 * The query's terms (see the module comment for the semantics), each distinct term once.
 *
 * @throws TooManySearchTermsError (a RangeError) when the query has more than `maxTerms` distinct terms (the caller
 *         answers 400: a longer query would cost one scan per term).
 */
export function searchQuery(query: string, maxTerms = MAX_SEARCH_TERMS): SearchQuery {
  const terms = new Map<string, SearchTerm>();
  const add = (kind: SearchTerm['kind'], form: string) => {
    if (form === '') return;
    const term: SearchTerm = { kind, spellings: caselessSpellings(form) };
    terms.set(`${term.kind} ${term.spellings.join(' ')}`, term);
  };
  // A run of unspaced script is one term, found whole inside a stored run: the dictionary's
  // guess at its words (かかみ → か|か|み for a name it does not know) must not turn it into
  // letters that match in any order.
  let run = '';
  for (const { segment, isWordLike } of segmentsOf(wordSegmenter, caselessText(query))) {
    if (isWordLike && UNSPACED.test(segment)) {
      run += spelled(segment);
      continue;
    }
    add('inside', run);
    run = '';
    if (isWordLike) add('prefix', spelled(segment));
  }
  add('inside', run);
  if (terms.size > maxTerms) throw new TooManySearchTermsError(terms.size, maxTerms);
  return { terms: [...terms.values()] };
}

/**
 * The SQL condition that holds exactly when `matches` does, on a column that holds
 * `indexText` values: one GLOB per spelling, `* term*` for a prefix, `*term*` for an inside
 * term; spellings OR-ed, terms AND-ed; "0" for a query without terms. GLOB is exact and
 * case-sensitive, and tokens are letters, marks and digits only, so no spelling contains a
 * GLOB wildcard (* ? [) and nothing needs escaping. The same condition works on a plain
 * column (a scan, as the LIKE search today) and on an FTS5 table with
 * `tokenize='trigram case_sensitive 1'`, where SQLite uses the trigram index for any GLOB
 * with three or more characters between wildcards and scans for shorter ones.
 *
 * @throws Error when the column name is not a plain lower-case SQL identifier.
 */
export function searchSql(column: string, query: SearchQuery): SqlCondition {
  if (!COLUMN_NAME.test(column)) throw new Error(`not a column name: ${column}`);
  if (query.terms.length === 0) return { sql: '0', params: [] };
  const params: string[] = [];
  const conditions = query.terms.map(({ kind, spellings }) => {
    for (const spelling of spellings) params.push(kind === 'prefix' ? `* ${spelling}*` : `*${spelling}*`);
    return `(${spellings.map(() => `"${column}" GLOB ?`).join(' OR ')})`;
  });
  return { sql: conditions.join(' AND '), params };
}

/**
 * Whether the text matches the query (semantics in the module comment): the predicate that
 * `searchSql` implements in SQL, stated over tokens. A string query is parsed with
 * `searchQuery` (and may throw as it does).
 */
export function matches(query: string | SearchQuery, text: string): boolean {
  return matchesTokens(typeof query === 'string' ? searchQuery(query) : query, indexTokens(text));
}

/** `matches` on the tokens of a text (`indexTokens`), to test many queries against one text. */
export function matchesTokens({ terms }: SearchQuery, tokens: readonly string[]): boolean {
  if (terms.length === 0) return false;
  return terms.every(({ kind, spellings }) =>
    spellings.some((spelling) => tokens.some((token) => (kind === 'prefix' ? token.startsWith(spelling) : token.includes(spelling)))),
  );
}

/** A word-like segment written with its letters, marks and digits only. */
function spelled(segment: string): string {
  return segment.split(NOT_SPELLING).join('');
}
