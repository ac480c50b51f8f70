import Database from 'better-sqlite3';
import { CORPUS, QUERIES } from '../src/text/corpus';
import { indexText, searchQuery, searchSql } from '../src/text';
import { indexedWords, quotesProjection, QuoteReadModel } from './quotes.projection';
import { events, REPORTER, TestLog } from './test-support/article-events';
import { columnsOf, given } from './test-support/given-when-then';

const zelenskyy = { name: 'Volodymyr Zelenskyy', title: 'President of Ukraine' };
const macron = { name: 'Emmanuel Macron' };

function story() {
  const log = new TestLog();
  const history = [
    ...log.append('a1', REPORTER, events.drafted('a1')),
    ...log.append('a1', REPORTER, events.quoteAttributed('q1', zelenskyy, 'Ukraine is ready to take the fastest possible steps.')),
    ...log.append('a1', REPORTER, events.headlineRevised('A headline change the quotes do not care about')),
    ...log.append('a1', REPORTER, events.quoteAttributed('q2', macron, 'Moscow rejected the ceasefire once again.')),
  ];
  return { log, history };
}

describe('quotes projection', () => {
  it('given a draft, when a quote is attributed, then it is an active quote of a draft article', () => {
    const { history } = story();
    const { after } = given(quotesProjection, history.slice(0, 1)).when(history[1]);
    expect(after.quotes.q1).toEqual({
      quoteId: 'q1',
      articleId: 'a1',
      speaker: zelenskyy,
      text: 'Ukraine is ready to take the fastest possible steps.',
      source: null,
      status: 'active',
      articleStatus: 'draft',
      attributedAt: '2025-05-16T09:30:00.000Z',
      updatedAt: history[1].occurredAt,
    });
  });

  it('given quotes, when the article is published, unpublished or retracted, then every quote shows it', () => {
    const { log, history } = story();
    const [published, unpublished, retracted] = log.append('a1', REPORTER, events.published(), events.unpublished(), events.retracted('x'));
    const statuses = (quotes: Record<string, QuoteReadModel>) => Object.values(quotes).map((q) => q.articleStatus);
    expect(statuses(given(quotesProjection, history).when(published).after.quotes)).toEqual(['published', 'published']);
    expect(statuses(given(quotesProjection, [...history, published]).when(unpublished).after.quotes)).toEqual(['draft', 'draft']);
    expect(statuses(given(quotesProjection, [...history, published, unpublished]).when(retracted).after.quotes)).toEqual(['retracted', 'retracted']);
  });

  it('amends a quote in place and keeps a withdrawn one, marked withdrawn', () => {
    const { log, history } = story();
    const [amended, withdrawn] = log.append(
      'a1',
      REPORTER,
      events.quoteAmended('q1', { name: 'Volodymyr Zelensky' }, 'Ukraine is ready.', { description: 'A post on X' }),
      events.quoteWithdrawn('q2'),
    );
    const afterAmend = given(quotesProjection, history).when(amended).after.quotes.q1;
    expect(afterAmend).toMatchObject({
      speaker: { name: 'Volodymyr Zelensky' },
      text: 'Ukraine is ready.',
      source: { description: 'A post on X' },
      attributedAt: '2025-05-16T09:30:00.000Z',
      updatedAt: amended.occurredAt,
    });
    const afterWithdraw = given(quotesProjection, [...history, amended]).when(withdrawn).after.quotes.q2;
    expect(afterWithdraw).toMatchObject({ status: 'withdrawn', updatedAt: withdrawn.occurredAt });
  });

  it('the same event twice changes nothing, for every event of a story', () => {
    const { log, history } = story();
    const all = [
      ...history,
      ...log.append('a1', REPORTER, events.published(), events.quoteAmended('q1', macron, 'Non.'), events.quoteWithdrawn('q2')),
      ...log.append('a1', REPORTER, events.unpublished(), events.retracted('x')),
    ];
    all.forEach((event, i) => {
      const { changes, after, before } = given(quotesProjection, all.slice(0, i + 1)).when(event);
      expect(changes).toEqual([]);
      expect(after).toEqual(before);
    });
  });

  describe('search columns, queried in SQLite as the read side does, over a corpus in ten scripts', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE quotes (key TEXT PRIMARY KEY, speaker_words TEXT, text_words TEXT)');
    const log = new TestLog();
    for (const [i, { id, speaker, text }] of CORPUS.entries()) {
      const [drafted, attributed] = log.append(`a${i}`, REPORTER, events.drafted(`a${i}`), events.quoteAttributed(id, { name: speaker }, text));
      const quote = given(quotesProjection, [drafted]).when(attributed).after.quotes[id];
      const { speaker_words, text_words } = columnsOf(quotesProjection, 'quotes', quote);
      db.prepare('INSERT INTO quotes VALUES (?, ?, ?)').run(id, speaker_words, text_words);
    }
    const search = (column: 'speaker_words' | 'text_words', query: string): string[] => {
      const { sql, params } = searchSql(column, searchQuery(query));
      const rows = db.prepare(`SELECT key FROM quotes WHERE ${sql} ORDER BY key`).all(...params) as Array<{ key: string }>;
      return rows.map((row) => row.key);
    };

    it.each(QUERIES.map((query) => [query.field, query.query, query.finds, query.rule] as const))('%s "%s" finds exactly %j (%s)', (field, query, finds) => {
      expect(search(field === 'speaker' ? 'speaker_words' : 'text_words', query)).toEqual([...finds].sort());
    });

    it('finds nothing for a query without a word', () => expect(search('speaker_words', '!!! ???')).toEqual([]));
  });
});

describe('indexedWords (the search keys, remembered)', () => {
  it('gives indexText for every text, asked again and after more texts than it remembers', () => {
    const texts = [...CORPUS.flatMap((quote) => [quote.speaker, quote.text]), ...Array.from({ length: 5000 }, (_, i) => `Zelenskyy said ${i}`)];
    for (const text of texts) expect(indexedWords(text)).toBe(indexText(text));
    // The first ones were forgotten by now, the last ones not: the same answers either way.
    for (const text of [...texts.slice(0, 50), ...texts.slice(-50)]) expect(indexedWords(text)).toBe(indexText(text));
  });
});
