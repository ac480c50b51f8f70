/**
 * What Unicode's rules cost (src/text): grapheme counting and truncation, word diffs, search
 * indexing, and the quotes search as a scan and as an FTS5 trigram index. It answers: may API
 * limits count graphemes, may a diff run without a budget, should the search move to FTS5?
 * Each figure is the median of several runs. Prints numbers; asserts nothing.
 * Usage: node -r ts-node/register/transpile-only bench/text-cost.ts [graphemes|diffs|search]
 */
import Database from 'better-sqlite3';
import { diffWords } from 'diff';
import { cpus } from 'node:os';
import { CORPUS } from '../src/text/corpus';
import { exceedsGraphemes, graphemeCount, indexText, searchQuery, searchSql, truncate, wordDiff } from '../src/text';

const BLOCK = 20_000;
const BLOCKS = 500;
const QUOTES = 100_000;

/** Median wall time of `fn` in milliseconds, over `runs` runs after one warm-up. */
function time(fn: () => unknown, runs = 5): number {
  fn();
  const took: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    took.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return took.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** Wall time of one run of `fn`, in milliseconds, for what cannot run twice (a load). */
function once(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const ms = (value: number) => (value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(1) : value.toFixed(0)).padStart(8);

/** `length` code units of the sample repeated, never ending in half a surrogate pair. */
function paragraphOf(sample: string, length: number): string {
  const text = `${sample} `.repeat(Math.ceil(length / (sample.length + 1))).slice(0, length);
  return /[\ud800-\udbff]$/.test(text) ? `${text.slice(0, -1)}.` : text;
}

const SAMPLES: Record<string, string> = {
  'ASCII English': 'German Chancellor Friedrich Merz spoke with allies after the talks in Istanbul ended.',
  'French (accents, NFC)': 'Le président a reçu à l’Élysée les négociateurs, déçus par l’échec des pourparlers.',
  Ukrainian: 'Зеленський провів переговори з союзниками у Києві після завершення зустрічі.',
  'Hindi (Devanagari)': 'नरेंद्र मोदी ने कहा कि भारत शांति चाहता है और बातचीत जारी रहेगी।',
  Chinese: '习近平在北京会见了马克龙，双方就乌克兰局势深入交换了意见。',
  'Emoji (ZWJ, flags)': 'Update 👩‍👩‍👧‍👦 🇺🇦 🇵🇱 👍🏽 ❤️ fire 🔥 ok',
};

function graphemeFigures(): void {
  console.log(`\nGrapheme counting (ms, median of 5) on Node ${process.version}, ICU ${process.versions.icu}, ${cpus()[0]?.model ?? '?'}`);
  console.log('text                      code units graphemes  .length code points graphemeCount  raw Segmenter  exceeds(20000) truncate(240)');
  const raw = new Intl.Segmenter('en', { granularity: 'grapheme' });
  for (const [name, sample] of Object.entries(SAMPLES)) {
    const text = paragraphOf(sample, BLOCK);
    const count = graphemeCount(text);
    const codePoints = () => {
      let n = 0;
      for (const _ of text) n++;
      return n;
    };
    const rawCount = () => {
      let n = 0;
      for (const _ of raw.segment(text)) n++;
      return n;
    };
    console.log(
      `${name.padEnd(24)}${String(text.length).padStart(11)}${String(count).padStart(10)}${ms(time(() => text.length))}${ms(time(codePoints))}    ${ms(
        time(() => graphemeCount(text)),
      )}      ${ms(time(rawCount, 3))}      ${ms(time(() => exceedsGraphemes(text, BLOCK)))}      ${ms(time(() => truncate(text, 240)))}`,
    );
  }
  const article = Object.values(SAMPLES)
    .flatMap((sample) => Array.from({ length: Math.ceil(BLOCKS / 6) }, () => paragraphOf(sample, BLOCK)))
    .slice(0, BLOCKS);
  const chars = article.reduce((sum, block) => sum + block.length, 0);
  console.log(`\nA max-size article: ${BLOCKS} blocks, ${chars.toLocaleString('en')} code units, the six samples above in turn`);
  console.log(`  graphemeCount of every block:        ${ms(time(() => article.map(graphemeCount), 3))} ms`);
  console.log(`  code points of every block:          ${ms(time(() => article.map((block) => [...block].length), 3))} ms`);
  console.log(`  exceedsGraphemes(block, 20000) each: ${ms(time(() => article.map((b) => exceedsGraphemes(b, BLOCK)), 3))} ms`);
  const joined = article.join('');
  console.log(`  graphemeCount of one 10M string:     ${ms(time(() => graphemeCount(joined), 3))} ms`);
  console.log(`  truncate(10M string, 240):           ${ms(time(() => truncate(joined, 240), 3))} ms`);
  const nonAscii = article.filter((block) => /[^\p{ASCII}]/u.test(block));
  const nonAsciiChars = nonAscii.reduce((sum, block) => sum + block.length, 0);
  const perMillion = (time(() => nonAscii.map(graphemeCount), 3) / nonAsciiChars) * 1e6;
  console.log(`  non-ASCII text, per million code units: ${ms(perMillion)} ms`);
  const zalgo = `a${'\u0301'.repeat(BLOCK - 1)}`;
  console.log(`  one cluster of 20,000 code units (a + 19,999 accents): ${graphemeCount(zalgo)} grapheme, ${ms(time(() => graphemeCount(zalgo)))} ms`);
}

/** The text with every `every`-th word replaced, as an editor's revision would. */
function edited(text: string, every: number): string {
  return text
    .split(' ')
    .map((word, i) => (i % every === 7 ? `${word}X` : word))
    .join(' ');
}

function diffFigures(): void {
  console.log('\nWord diffs of one 20,000-code-unit paragraph (ms, median of 3)');
  console.log('text                        few edits (1/200 words)  many edits (1/10)  rewritten   jsdiff tokenizer, few edits');
  for (const [name, sample] of Object.entries(SAMPLES)) {
    const before = paragraphOf(sample, BLOCK);
    const few = edited(before, 200);
    const many = edited(before, 10);
    const rewritten = paragraphOf([...sample].reverse().join(''), BLOCK);
    const budgeted = wordDiff(before, rewritten, { timeoutMs: 2000 }) === null ? ' (over 2 s: null)' : '';
    console.log(
      `${name.padEnd(26)}${ms(time(() => wordDiff(before, few), 3))}${' '.repeat(17)}${ms(time(() => wordDiff(before, many), 3))}${' '.repeat(
        3,
      )}${ms(time(() => wordDiff(before, rewritten, { timeoutMs: 2000 }), 1))}${budgeted.padEnd(18)}${ms(time(() => diffWords(before, few), 3))}`,
    );
  }
}

function searchFigures(): void {
  console.log(`\nQuotes search on ${QUOTES.toLocaleString('en')} quotes (the corpus, varied), newest 51 first, as the reader pages`);
  const rows = Array.from({ length: QUOTES }, (_, i) => {
    const quote = CORPUS[i % CORPUS.length];
    const other = CORPUS[(i * 7 + 3) % CORPUS.length];
    return { id: `q${i}`, at: String(i).padStart(8, '0'), speaker: `${quote.speaker}`, text: `${quote.text} ${other.text} ref${i}` };
  });
  const indexing = time(() => rows.slice(0, 2000).map((row) => indexText(row.text)), 3);
  console.log(`  indexText: ${ms((indexing / 2000) * 1000)} µs per quote (${ms(indexing)} ms for 2,000)`);
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE quotes (id TEXT PRIMARY KEY, attributed_at TEXT NOT NULL, speaker_index TEXT NOT NULL, text_index TEXT NOT NULL);
    CREATE INDEX quotes_by_time ON quotes (attributed_at, id);
    CREATE VIRTUAL TABLE quotes_fts USING fts5(speaker_index, text_index, tokenize = 'trigram case_sensitive 1');
  `);
  const insert = db.prepare('INSERT INTO quotes (id, attributed_at, speaker_index, text_index) VALUES (?, ?, ?, ?)');
  const insertFts = db.prepare('INSERT INTO quotes_fts (rowid, speaker_index, text_index) VALUES (?, ?, ?)');
  const indexed = rows.map((row) => [row.id, row.at, indexText(row.speaker), indexText(row.text)] as const);
  const plainLoad = once(() => db.transaction(() => indexed.forEach((row) => insert.run(...row)))());
  const ftsLoad = once(() => db.transaction(() => indexed.forEach((row, i) => insertFts.run(i + 1, row[2], row[3])))());
  const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
  console.log(`  load: plain table ${ms(plainLoad)} ms, FTS5 trigram ${ms(ftsLoad)} ms; database ${((pages * 4096) / 1e6).toFixed(0)} MB in all`);
  console.log('  query (column)               matches    scan (plain table)   FTS5 trigram index');
  const cases: Array<[string, 'speaker_index' | 'text_index']> = [
    ['Zelenskyy', 'speaker_index'],
    ['Muller', 'speaker_index'],
    ['王毅', 'speaker_index'],
    ['ref54321', 'text_index'],
    ['马克龙', 'text_index'],
    ['谈', 'text_index'],
    ['no such word', 'text_index'],
  ];
  for (const [query, column] of cases) {
    const { sql, params } = searchSql(column, searchQuery(query));
    const scan = db.prepare(`SELECT id FROM quotes WHERE ${sql} ORDER BY attributed_at DESC, id DESC LIMIT 51`);
    const fts = db.prepare(`SELECT id FROM quotes WHERE rowid IN (SELECT rowid FROM quotes_fts WHERE ${sql}) ORDER BY attributed_at DESC, id DESC LIMIT 51`);
    const count = (db.prepare(`SELECT count(*) AS n FROM quotes WHERE ${sql}`).get(...params) as { n: number }).n;
    console.log(
      `  ${`${query} (${column})`.padEnd(30)}${String(count).padStart(7)}   ${ms(time(() => scan.all(...params), 3))} ms          ${ms(time(() => fts.all(...params), 3))} ms`,
    );
  }
  db.close();
}

const only = process.argv[2];
if (!only || only === 'graphemes') graphemeFigures();
if (!only || only === 'diffs') diffFigures();
if (!only || only === 'search') searchFigures();
