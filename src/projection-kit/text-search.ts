/**
 * Case- and accent-insensitive word search on a plain SQLite column. A projection stores
 * `wordsColumn(text)`, the folded words between spaces; a query word matches when a stored
 * word starts with it (LIKE '% word%'). Folding is done here, in one place, for both sides.
 */

// Letters that Unicode does not decompose into a base letter plus a combining mark.
const UNDECOMPOSED: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};

export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþıħ]/g, (letter) => UNDECOMPOSED[letter]);
}

export function searchWords(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** The stored form: " word word ", so that every word is preceded by a space. */
export function wordsColumn(text: string): string {
  const words = searchWords(text);
  return words.length === 0 ? '' : ` ${words.join(' ')} `;
}

/** The LIKE pattern matching a stored word that starts with `word` (which is already folded). */
export function wordPattern(word: string): string {
  return `% ${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
