import {
  ARTICLE_ID,
  drafted,
  intro,
  published,
  QUOTE_ID,
  quoteAttributed,
  quoteWithdrawn,
  retracted,
  unpublished,
} from '../../../test/support/article-fixtures';
import { evolve, fold, initialState } from './article.decider';
import type { ArticleEvent } from './article.events';
import type { ArticleState } from './article.state';

const correctionIssued: ArticleEvent = {
  type: 'CorrectionIssued',
  data: { correctionId: 'c-1', kind: 'correction', note: 'n', issuedAt: '2025-03-02T08:00:00.000Z', changes: [] },
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

describe('evolve', () => {
  it('starts from nothing', () => expect(fold([])).toBe(initialState));

  it('builds a draft from ArticleDrafted', () =>
    expect(fold([drafted()])).toStrictEqual({
      ...initialState,
      exists: true,
      articleId: ARTICLE_ID,
      headline: 'Council passes budget',
      standfirst: 'A late-night vote.',
      body: drafted().data.body,
      byline: ['Ada Lovelace'],
      createdAt: '2025-03-01T09:00:00.000Z',
      updatedAt: '2025-03-01T09:00:00.000Z',
    }));

  it('applies revisions', () => {
    const state = fold([
      drafted(),
      { type: 'HeadlineRevised', data: { headline: 'H2' } },
      { type: 'StandfirstRevised', data: { standfirst: null } },
      { type: 'BodyRevised', data: { body: [intro] } },
    ]);
    expect(state).toMatchObject({ headline: 'H2', standfirst: null, body: [intro] });
  });

  it('keeps firstPublishedAt through unpublishing and republishing', () => {
    const state = fold([drafted(), published('2025-03-01T10:00:00.000Z'), unpublished(), published('2025-03-01T15:00:00.000Z')]);
    expect(state).toMatchObject({ status: 'published', firstPublishedAt: '2025-03-01T10:00:00.000Z', publishedAt: '2025-03-01T15:00:00.000Z' });
  });

  it('clears publishedAt when unpublished', () =>
    expect(fold([drafted(), published(), unpublished()])).toMatchObject({ status: 'draft', publishedAt: null, updatedAt: '2025-03-01T11:00:00.000Z' }));

  it('marks the quotes live at publication as published once, and keeps the mark', () => {
    const state = fold([
      drafted(),
      quoteAttributed(),
      quoteAttributed({ quoteId: 'q-gone' }),
      quoteWithdrawn('q-gone'),
      published(),
      unpublished(),
      quoteAttributed({ quoteId: 'q-later' }),
    ]);
    expect(state.quotes.map(({ quoteId, withdrawn, publishedOnce }) => ({ quoteId, withdrawn, publishedOnce }))).toEqual([
      { quoteId: QUOTE_ID, withdrawn: false, publishedOnce: true },
      { quoteId: 'q-gone', withdrawn: true, publishedOnce: false },
      { quoteId: 'q-later', withdrawn: false, publishedOnce: false },
    ]);
  });

  it('applies a quote amendment', () => {
    const amended: ArticleEvent = { type: 'QuoteAmended', data: { quoteId: QUOTE_ID, speaker: { name: 'X' }, text: 'T', source: null } };
    expect(fold([drafted(), quoteAttributed(), amended]).quotes[0]).toMatchObject({ speaker: { name: 'X' }, text: 'T', source: null });
  });

  it('records corrections and retraction', () =>
    expect(fold([drafted(), published(), correctionIssued, retracted])).toMatchObject({
      status: 'retracted',
      corrections: ['c-1'],
      retractedAt: retracted.data.retractedAt,
      firstPublishedAt: '2025-03-01T10:00:00.000Z',
    }));

  it('never mutates the state it is given', () => {
    const events: ArticleEvent[] = [drafted(), quoteAttributed(), published(), unpublished(), quoteWithdrawn(), correctionIssued, retracted];
    expect(() => events.reduce((state, event) => deepFreeze(evolve(state, event)), deepFreeze(initialState))).not.toThrow();
  });

  it('is total: events about unknown quotes or of unknown types leave the state alone', () => {
    const state = fold([drafted()]);
    expect(evolve(state, quoteWithdrawn('q-unknown')).quotes).toEqual([]);
    expect(evolve(state, { type: 'SomethingNew', data: {} } as unknown as ArticleEvent)).toBe(state);
  });

  it('is plain JSON', () => {
    const state: ArticleState = fold([drafted(), quoteAttributed(), published(), correctionIssued]);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
  });
});
