/**
 * The one text module (DESIGN.md): Unicode's rules for text wherever it is compared,
 * segmented, searched or cut. Pure functions, no I/O; each one cites its rule.
 */
export { nfc, nfcDeep, nfcShared, isWellFormed, type JsonValue } from './normalize';
export { isBlank, withoutIgnorables } from './visible';
export { graphemeCount, exceedsGraphemes, truncate } from './graphemes';
export { wordSegmenter, words, wordDiff, type WordChange, type DiffBudget } from './words';
export { segmentsOf, type Segment } from './segments';
export { searchKey, searchSpellings } from './fold';
export {
  indexText,
  indexTokens,
  searchQuery,
  searchSql,
  matches,
  matchesTokens,
  MAX_SEARCH_TERMS,
  TooManySearchTermsError,
  type SearchQuery,
  type SearchTerm,
  type SqlCondition,
} from './search';
