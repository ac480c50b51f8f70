/**
 * Folding for matching names and quote text: what a reader considers "the same letters".
 *
 * The steps, in order (each is a Unicode rule, or a named exception justified below):
 * 1. Default_Ignorable_Code_Point characters are removed (UAX #44; Unicode §5.21), first, so a
 *    soft hyphen between a letter and its accent cannot block composition.
 * 2. Compatibility caseless matching (Unicode §3.13, D146): NFKD(fold(NFKD(fold(NFD(X))))).
 *    Full case folding (CaseFolding.txt, statuses C+F) is done with the platform's case
 *    mapping, toUpperCase then toLowerCase, plus two named exceptions: ς → σ (toLowerCase
 *    applies the Final_Sigma context of SpecialCasing.txt, case folding does not) and ß → ss
 *    (ẞ U+1E9E lowercases to ß). Compared with Python's str.casefold (CaseFolding.txt of
 *    Unicode 14) on every code point assigned there, the only other differences are Cherokee,
 *    which folds to lowercase here and to uppercase there (same classes), and dotless ı (4.).
 * 3. Marks are removed only where they are accents on a letter, decided by the base letter's
 *    Script (UAX #24):
 *    - after a Latin, Greek or Cyrillic letter, the marks that CLDR root collation (UTS #10)
 *      ranks as secondary (accent) differences: all of them except the breve of Cyrillic й,
 *      a letter of its own (primary in CLDR root). The Greek iota subscript is not a mark by
 *      then: case folding made it ι (ᾳ → αι, step 2);
 *    - after a Hebrew letter, the points (niqqud) and cantillation, which everyday Hebrew
 *      does not write;
 *    - after an Arabic letter, the harakat (short vowels, shadda, sukun, tanwin), which
 *      everyday Arabic does not write, and hamza or madda on alef only (أ إ آ → ا, as CLDR's
 *      Arabic collation and common Arabic search normalisation treat them), not on waw or
 *      yeh (ؤ and ئ stay);
 *    - Devanagari's nukta (primary-ignorable in CLDR root; ज़ and ज are written
 *      interchangeably in Hindi).
 *    Every other mark is part of the spelling and stays: Devanagari vowel signs and virama,
 *    Thai vowels and tone marks, kana voicing marks (か ≠ が), Hangul jamo (recomposed by NFC).
 * 4. Latin letters with no decomposition that CLDR root collation equates with plain letters
 *    at primary strength: æ → ae, œ → oe, ø → o, ł → l, đ → d, ð → d, ħ → h; and ı → i, a
 *    deliberate departure from CaseFolding.txt (which keeps ı): readers without a Turkish
 *    keyboard type "Kilicdaroglu", and one index serves every language, so Turkic folding
 *    (I → ı) cannot be chosen per reader. İ, I, i and ı all match.
 * 5. After NFKD: Arabic tatweel U+0640 (a stretching stroke with no meaning, Unicode §9.2) is
 *    removed, and U+02BC modifier letter apostrophe, Ukrainian's recommended apostrophe,
 *    becomes U+0027, so that п’ять, п'ять and пʼять are the same word.
 * 6. NFC at the end, so that kept marks are recomposed: が stays one code point and "か" is
 *    not found inside it.
 *
 * Transliterations that readers type (ä → ae, ö → oe, ü → ue, å → aa, ø → oe, þ → th) are a
 * second spelling, not a fold: `searchSpellings` gives both, so "Müller" is found by
 * "Muller", "Mueller" and "müller".
 *
 * Not folded, by design: traditional and simplified Chinese (習近平 ≠ 习近平: a variant
 * mapping is many-to-many and needs a dictionary, not a Unicode property); hiragana and
 * katakana; Hindi spelling variants such as नरेंद्र / नरेन्द्र (anusvara or half-n).
 */

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const TATWEEL = /\u0640/g;
const MODIFIER_APOSTROPHE = /\u02bc/g;
const DEVANAGARI_NUKTA = /\u093c/g;

// A base letter of a script whose marks may be accents, with the marks that follow it.
const LETTER_WITH_MARKS = /([\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Hebrew}\p{sc=Arabic}])(\p{M}+)/gu;
const BREVE = '\u0306';
const ARABIC_NOT_HAMZA_OR_MADDA = /[^\u0653-\u0655]/gu;
const CYRILLIC_I = 'и';
const ARABIC_ALEF = 'ا';

const PLAIN_LETTERS: Readonly<Record<string, string>> = { æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', ħ: 'h', ı: 'i' };
const PLAIN_LETTER = /[æœøłđðħı]/g;

// On NFD text: a, o, u with diaeresis (U+0308), a with ring (U+030A); ø and þ have no decomposition.
const TRANSLITERATION = /([aou])\u0308|a\u030a|ø|þ/g;
const TRANSLITERATED: Readonly<Record<string, string>> = { ø: 'oe', þ: 'th', 'a\u030a': 'aa' };

/**
 * The text ready for word segmentation: ignorables and tatweel removed, compatibility
 * caseless-folded (Unicode §3.13 D146, steps 1, 2 and 5 above), in NFC. Marks are still there.
 */
export function caselessText(text: string): string {
  const folded = caseFold(caseFold(text.replace(IGNORABLE, '').normalize('NFD')).normalize('NFKD'));
  // Again after NFKD, which can produce them (U+FE71 is tatweel with fathatan, ŉ is ʼn).
  return folded.replace(IGNORABLE, '').replace(TATWEEL, '').replace(MODIFIER_APOSTROPHE, "'").normalize('NFC');
}

/**
 * The search key of a text: `caselessText` with accents folded and letters made plain (steps
 * 3, 4 and 6 above), in NFC. Equal keys mean "the same for a reader who searches": "Müller",
 * "MULLER" and "mu\u0308ller" share "muller"; "Μητσοτάκης" and "ΜΗΤΣΟΤΑΚΗΣ" share
 * "μητσοτακησ". Idempotent; keys of NFC and NFD forms are equal; never throws.
 */
export function searchKey(text: string): string {
  return plainSpelling(caselessText(text).normalize('NFD'));
}

/**
 * The spellings under which a reader may look for the text: its `searchKey`, then, when it
 * differs, the key of its transliteration (ä → ae, ö → oe, ü → ue, å → aa, ø → oe, þ → th,
 * the German and Nordic conventions; harmless as an extra spelling in other languages).
 * "Müller" gives ["muller", "mueller"]; "Mueller" gives ["mueller"].
 */
export function searchSpellings(text: string): string[] {
  return caselessSpellings(caselessText(text));
}

/** `searchSpellings` of a text that is already `caselessText`'s output (saves folding twice). */
export function caselessSpellings(caseless: string): string[] {
  const decomposed = caseless.normalize('NFD');
  const plain = plainSpelling(decomposed);
  const transliterated = plainSpelling(decomposed.replace(TRANSLITERATION, transliterate));
  return transliterated === plain ? [plain] : [plain, transliterated];
}

/** Full case folding with the platform (see step 2 above); the input must be in NFD. */
function caseFold(decomposed: string): string {
  return decomposed.toUpperCase().toLowerCase().normalize('NFD').replace(/ς/g, 'σ').replace(/ß/g, 'ss');
}

/** Steps 3, 4 and 6, on case-folded NFD text. */
function plainSpelling(decomposed: string): string {
  return decomposed
    .replace(LETTER_WITH_MARKS, keepSpellingMarks)
    .replace(DEVANAGARI_NUKTA, '')
    .replace(PLAIN_LETTER, (letter) => PLAIN_LETTERS[letter])
    .normalize('NFC');
}

function keepSpellingMarks(_: string, letter: string, marks: string): string {
  if (letter === CYRILLIC_I) return letter + (marks.includes(BREVE) ? BREVE : '');
  if (/\p{sc=Arabic}/u.test(letter) && letter !== ARABIC_ALEF) {
    return letter + marks.replace(ARABIC_NOT_HAMZA_OR_MADDA, '');
  }
  return letter;
}

function transliterate(match: string, vowel: string | undefined): string {
  return vowel === undefined ? TRANSLITERATED[match] : `${vowel}e`;
}
