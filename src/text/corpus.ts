/**
 * Names and quotes in the scripts a newsroom quotes, with the queries that must find them and
 * the near-misses that must not. Test data for the text module and for the projection specs
 * that will use it; the quotes are made up, the names are real people's.
 */

export interface CorpusQuote {
  id: string;
  script: string;
  speaker: string;
  text: string;
}

export interface CorpusQuery {
  /** ?speaker= searches the speaker's name, ?q= the quote's text. */
  field: 'speaker' | 'text';
  query: string;
  /** Exactly the quotes it finds: every other quote of the corpus must not match. */
  finds: string[];
  /** Which rule the query exercises. */
  rule: string;
}

export const CORPUS: readonly CorpusQuote[] = [
  { id: 'de-mueller', script: 'Latin (German)', speaker: 'Thomas Müller', text: 'Wir müssen die Straße für die Hilfskonvois öffnen.' },
  { id: 'en-mueller', script: 'Latin (English)', speaker: 'Robert Mueller', text: 'The investigation is ongoing.' },
  { id: 'fr-muller', script: 'Latin (French)', speaker: 'Jean-Pierre Muller', text: 'L’Élysée a confirmé la rencontre à Paris.' },
  { id: 'fr-hollande', script: 'Latin (French)', speaker: 'François Hollande', text: 'C’est l’heure d’agir, pas de négocier.' },
  { id: 'pl-walesa', script: 'Latin (Polish)', speaker: 'Lech Wałęsa', text: 'Solidarność zaczęła się w Gdańsku.' },
  { id: 'vi-trong', script: 'Latin (Vietnamese)', speaker: 'Nguyễn Phú Trọng', text: 'Đảng sẽ tiếp tục đổi mới.' },
  { id: 'tr-kilicdaroglu', script: 'Latin (Turkish)', speaker: 'Kemal Kılıçdaroğlu', text: 'İstanbul seçimi kazandı; ışık geliyor.' },
  { id: 'tr-erdogan', script: 'Latin (Turkish)', speaker: 'Recep Tayyip Erdoğan', text: 'Türkiye arabuluculuk yapmaya hazır.' },
  { id: 'no-store', script: 'Latin (Norwegian)', speaker: 'Jonas Gahr Støre', text: 'Norge støtter Ukraina fullt ut.' },
  { id: 'sv-romson', script: 'Latin (Swedish)', speaker: 'Åsa Romson', text: 'Klimatet väntar inte på någon.' },
  // Pasted from a web page: a soft hyphen and a zero-width space inside the name.
  {
    id: 'en-zelenskyy-pasted',
    script: 'Latin (pasted)',
    speaker: 'Volo\u00addymyr Zelen\u200bskyy',
    text: 'Ukraine is ready to take the fastest possible steps.',
  },
  { id: 'uk-zelenskyi', script: 'Cyrillic (Ukrainian)', speaker: 'Володимир Зеленський', text: 'Зеленський провів переговори з союзниками у Києві.' },
  { id: 'uk-kyslytsya', script: 'Cyrillic (Ukrainian)', speaker: 'Сергій Кислиця', text: 'Мир можливий лише через п’ять кроків.' },
  { id: 'ru-zelenskii', script: 'Cyrillic (Russian)', speaker: 'Владимир Зеленский', text: 'Переговоры пройдут в Стамбуле.' },
  { id: 'ru-tolstoy', script: 'Cyrillic (Russian)', speaker: 'Пётр Толстой', text: 'Ещё рано говорить о мире.' },
  { id: 'el-mitsotakis', script: 'Greek', speaker: 'Κυριάκος Μητσοτάκης', text: 'Η Ελλάδα στηρίζει την Ουκρανία στις διαπραγματεύσεις.' },
  { id: 'ar-mbs', script: 'Arabic', speaker: 'محمد بن سلمان', text: 'المملكة تدعم الحوار في المؤتمر.' },
  { id: 'ar-aboulgheit', script: 'Arabic', speaker: 'أحمد أبو الغيط', text: 'الجامعة العربية تدعو إلى وقف إطلاق النار.' },
  { id: 'ar-abbas', script: 'Arabic', speaker: 'محمود عباس', text: 'نريد سلاماً عادلاً.' },
  { id: 'he-netanyahu', script: 'Hebrew', speaker: 'בנימין נתניהו', text: 'ישראל תגן על עצמה.' },
  { id: 'he-herzog', script: 'Hebrew', speaker: 'יצחק הרצוג', text: 'שָׁלוֹם הוא המטרה שלנו.' },
  { id: 'hi-modi', script: 'Devanagari (Hindi)', speaker: 'नरेंद्र मोदी', text: 'भारत शांति चाहता है, ज़ेलेंस्की से बात हुई।' },
  { id: 'hi-kamal', script: 'Devanagari (Hindi)', speaker: 'कमल नाथ', text: 'किसानों को राहत मिलनी चाहिए।' },
  { id: 'hi-komal', script: 'Devanagari (Hindi)', speaker: 'कोमल शर्मा', text: 'हम सच के साथ खड़े हैं।' },
  { id: 'zh-xi-simplified', script: 'Han (simplified)', speaker: '习近平', text: '习近平在北京会见了马克龙。' },
  { id: 'zh-xi-traditional', script: 'Han (traditional)', speaker: '習近平', text: '習近平在北京會見了馬克宏。' },
  { id: 'zh-wangyi', script: 'Han (simplified)', speaker: '王毅', text: '中方支持和平谈判。' },
  { id: 'ja-kishida', script: 'Japanese (kanji)', speaker: '岸田文雄', text: '岸田首相は記者会見で「ゼレンスキー大統領と会談した」と述べた。' },
  { id: 'ja-ishiba', script: 'Japanese (kanji)', speaker: '石破茂', text: '日本はウクライナへの支援を続けます。' },
  { id: 'ko-kimjongun', script: 'Korean (Hangul)', speaker: '김정은', text: '김정은 위원장이 미사일 발사를 참관했다.' },
  { id: 'ko-yoon', script: 'Korean (Hangul)', speaker: '윤석열', text: '한국은 우크라이나를 지지합니다.' },
  { id: 'th-srettha', script: 'Thai', speaker: 'เศรษฐา ทวีสิน', text: 'นายกรัฐมนตรีเศรษฐากล่าวว่าน้ำท่วมครั้งนี้รุนแรง' },
];

const s = (query: string, finds: string[], rule: string): CorpusQuery => ({ field: 'speaker', query, finds, rule });
const q = (query: string, finds: string[], rule: string): CorpusQuery => ({ field: 'text', query, finds, rule });

export const QUERIES: readonly CorpusQuery[] = [
  // Latin: case, accents, transliterations.
  s('Muller', ['de-mueller', 'fr-muller'], 'ü folds to u; Mueller is another spelling'),
  s('Mueller', ['de-mueller', 'en-mueller'], 'ü transliterates to ue'),
  s('müller', ['de-mueller', 'en-mueller', 'fr-muller'], 'a query with ü looks for both spellings'),
  s('MÜLLER', ['de-mueller', 'en-mueller', 'fr-muller'], 'case folding'),
  s('Mu\u0308ller', ['de-mueller', 'en-mueller', 'fr-muller'], 'NFD query'),
  s('Müler', [], 'near-miss: a letter missing'),
  s('Jean-Pierre', ['fr-muller'], 'hyphenated names are two words'),
  s('francois', ['fr-hollande'], 'ç folds to c'),
  s('FRANÇOIS', ['fr-hollande'], 'case folding keeps the cedilla equivalent'),
  s('Françoise', [], 'near-miss: a longer name is not a prefix'),
  q('Elysee', ['fr-muller'], 'a word after an elided article (l’Élysée) is found'),
  q('strasse', ['de-mueller'], 'ß folds to ss'),
  q('strase', [], 'near-miss: ß is two letters'),
  s('Walesa', ['pl-walesa'], 'ł is l, ę is e'),
  s('WAŁĘSA', ['pl-walesa'], 'case folding of Polish letters'),
  s('Walasa', [], 'near-miss'),
  q('Solidarnosc', ['pl-walesa'], 'Polish accents'),
  s('Nguyen Phu Trong', ['vi-trong'], 'Vietnamese stacked diacritics'),
  s('trọng', ['vi-trong'], 'Vietnamese query with its accents'),
  s('Nguyen Phu Thong', [], 'near-miss: one word differs'),
  q('dang', ['vi-trong'], 'đ folds to d'),
  s('Kilicdaroglu', ['tr-kilicdaroglu'], 'dotless ı and ğ, ç as a reader types them'),
  s('KILIÇDAROĞLU', ['tr-kilicdaroglu'], 'I matches ı'),
  s('Erdogan', ['tr-erdogan'], 'ğ folds to g'),
  s('Erdogen', [], 'near-miss'),
  q('istanbul', ['tr-kilicdaroglu'], 'İ matches i'),
  q('ISIK', ['tr-kilicdaroglu'], 'I matches ı (no Turkic casing: one index for all languages)'),
  s('Store', ['no-store'], 'ø folds to o'),
  s('Stoere', ['no-store'], 'ø transliterates to oe'),
  s('Støre', ['no-store'], 'the query as written'),
  s('Asa', ['sv-romson'], 'å folds to a'),
  s('Aasa', ['sv-romson'], 'å transliterates to aa'),
  s('Volodymyr', ['en-zelenskyy-pasted'], 'a soft hyphen inside the stored name is ignored'),
  s('Zelenskyy', ['en-zelenskyy-pasted'], 'a zero-width space inside the stored name is ignored'),
  s('Zelen\u00adskyy Volo\u200bdymyr', ['en-zelenskyy-pasted'], 'ignorables in the query too, any word order'),
  s('Zelenskyi', [], 'near-miss: another transliteration is another name'),
  // Cyrillic.
  s('Зеленський', ['uk-zelenskyi'], 'Ukrainian spelling'),
  s('ЗЕЛЕНСЬКИЙ', ['uk-zelenskyi'], 'Cyrillic case folding'),
  s('Зеленск', ['ru-zelenskii'], 'prefix of the Russian spelling only (the Ukrainian has ь)'),
  s('Зелен', ['uk-zelenskyi', 'ru-zelenskii'], 'prefix of both'),
  s('Зеленский', ['ru-zelenskii'], 'near-miss for the Ukrainian name: Russian spelling'),
  s('Сергій', ['uk-kyslytsya'], 'й is a letter'),
  s('Сергіи', [], 'near-miss: и is not й (CLDR root: primary difference)'),
  s('Петр', ['ru-tolstoy'], 'ё folds to е'),
  q('пʼять', ['uk-kyslytsya'], 'the modifier-letter apostrophe matches ’'),
  q('Києві', ['uk-zelenskyi'], 'inflected Ukrainian word'),
  q('Киеве', [], 'near-miss: the Russian form'),
  // Greek.
  s('Μητσοτάκης', ['el-mitsotakis'], 'final sigma'),
  s('ΜΗΤΣΟΤΑΚΗΣ', ['el-mitsotakis'], 'capital sigma, no tonos'),
  s('μητσοτακησ', ['el-mitsotakis'], 'non-final sigma typed at the end'),
  s('Μητσοτάκη', ['el-mitsotakis'], 'prefix (the genitive)'),
  s('Μητσοτακις', [], 'near-miss: ι is not η'),
  q('Ουκρανια', ['el-mitsotakis'], 'Greek tonos folds'),
  // Arabic.
  s('مُحَمَّد', ['ar-mbs'], 'harakat are ignored'),
  s('محمد', ['ar-mbs'], 'Muhammad'),
  s('محمود', ['ar-abbas'], 'near-miss for Muhammad: Mahmoud'),
  s('احمد', ['ar-aboulgheit'], 'hamza on alef folds (أ → ا)'),
  s('ـأحمـد', ['ar-aboulgheit'], 'tatweel is ignored'),
  q('الموتمر', [], 'hamza on waw does not fold (ؤ ≠ و)'),
  q('المؤتمر', ['ar-mbs'], 'the word as written'),
  // Hebrew.
  s('נְתַנְיָהוּ', ['he-netanyahu'], 'niqqud is ignored'),
  s('נתניהו', ['he-netanyahu'], 'unpointed'),
  s('נתן', [], 'near-miss: final nun is another letter'),
  q('שלום', ['he-herzog'], 'pointed text found by unpointed query'),
  // Devanagari.
  s('मोदी', ['hi-modi'], 'Modi'),
  s('नरेंद्र मोदी', ['hi-modi'], 'full name'),
  s('मोदि', [], 'near-miss: short i is not long ī (vowel signs are spelling)'),
  s('कमल', ['hi-kamal'], 'Kamal'),
  s('कोमल', ['hi-komal'], 'Komal: differs from Kamal by one vowel sign'),
  s('नरेन्द्र', [], 'not folded: half-n and anusvara spellings are different strings'),
  q('जेलेंस्की', ['hi-modi'], 'nukta is ignored (ज़ = ज)'),
  q('शान्ति', [], 'near-miss: the other spelling of शांति is not folded'),
  // Chinese.
  s('习近平', ['zh-xi-simplified'], 'simplified'),
  s('習近平', ['zh-xi-traditional'], 'traditional is not folded to simplified'),
  s('近平', ['zh-xi-simplified', 'zh-xi-traditional'], 'inside a name, the same characters in both'),
  s('王毅', ['zh-wangyi'], 'a two-character name'),
  s('王义', [], 'near-miss'),
  q('马克龙', ['zh-xi-simplified'], 'inside a run of text'),
  q('北京', ['zh-xi-simplified', 'zh-xi-traditional'], 'a word found in both'),
  q('会见', ['zh-xi-simplified'], 'simplified word'),
  q('上海', [], 'near-miss'),
  q('谈', ['zh-wangyi'], 'one character, inside a run'),
  // Japanese.
  s('岸田', ['ja-kishida'], 'family name'),
  s('文雄', ['ja-kishida'], 'given name, inside the run'),
  q('ゼレンスキー', ['ja-kishida'], 'katakana with prolonged sound mark'),
  q('ｾﾞﾚﾝｽｷｰ', ['ja-kishida'], 'half-width katakana (NFKC)'),
  q('セレンスキー', [], 'near-miss: voicing marks are spelling (セ ≠ ゼ)'),
  q('ぜれんすきー', [], 'hiragana is not folded to katakana'),
  q('首相は', ['ja-kishida'], 'kanji and kana'),
  q('支援', ['ja-ishiba'], 'inside a run'),
  // Korean.
  s('김정은', ['ko-kimjongun'], 'Kim Jong-un'),
  s('김정', ['ko-kimjongun'], 'prefix in syllables'),
  s('김정일', [], 'near-miss: Kim Jong-il'),
  s('김정운', [], 'near-miss: one vowel differs'),
  q('위원장', ['ko-kimjongun'], 'a word with its particle (위원장이)'),
  q('우크라이나', ['ko-yoon'], 'Ukraine in Korean'),
  // Thai.
  s('เศรษฐา', ['th-srettha'], 'Srettha'),
  s('ทวีสิน', ['th-srettha'], 'Thavisin'),
  q('เศรษฐา', ['th-srettha'], 'inside a run without spaces'),
  q('น้ำท่วม', ['th-srettha'], 'flood'),
  q('ท่วม', ['th-srettha'], 'inside a run'),
  q('นำ', [], 'near-miss: a tone mark is spelling (นำ ≠ น้ำ)'),
  // No words at all.
  s('!!!', [], 'a query without words matches nothing'),
  s('\u00ad\u200b', [], 'a query of ignorables matches nothing'),
];
