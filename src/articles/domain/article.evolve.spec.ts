import { drafted, intro, published, QUOTE_ID, quoteAttributed, quoteWithdrawn, retracted, unpublished } from '../../../test/support/article-fixtures';
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
      headline: 'Council passes budget',
      standfirst: 'A late-night vote.',
      body: drafted().data.body,
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

  it('remembers that an article was published once, through unpublishing', () => {
    expect(fold([drafted()])).toMatchObject({ status: 'draft', publishedOnce: false });
    expect(fold([drafted(), published(), unpublished()])).toMatchObject({ status: 'draft', publishedOnce: true });
  });

  it('marks the quotes live at publication as published once, keeps the mark, and drops withdrawn quotes', () => {
    const state = fold([
      drafted(),
      quoteAttributed(),
      quoteAttributed({ quoteId: 'q-gone' }),
      quoteWithdrawn('q-gone'),
      published(),
      unpublished(),
      quoteAttributed({ quoteId: 'q-later' }),
    ]);
    expect(state.quotes.map(({ quoteId, publishedOnce }) => ({ quoteId, publishedOnce }))).toEqual([
      { quoteId: QUOTE_ID, publishedOnce: true },
      { quoteId: 'q-later', publishedOnce: false },
    ]);
  });

  it('applies a quote amendment', () => {
    const amended: ArticleEvent = { type: 'QuoteAmended', data: { quoteId: QUOTE_ID, speaker: { name: 'X' }, text: 'T', source: null } };
    expect(fold([drafted(), quoteAttributed(), amended]).quotes[0]).toMatchObject({ speaker: { name: 'X' }, text: 'T', source: null });
  });

  it('records a retraction; a correction changes nothing decide reads', () => {
    const corrected = fold([drafted(), published(), correctionIssued]);
    expect(evolve(corrected, correctionIssued)).toBe(corrected);
    expect(evolve(corrected, retracted)).toMatchObject({ status: 'retracted', publishedOnce: true });
  });

  it('never mutates the state it is given', () => {
    const events: ArticleEvent[] = [drafted(), quoteAttributed(), published(), unpublished(), quoteWithdrawn(), correctionIssued, retracted];
    expect(() => events.reduce((state, event) => deepFreeze(evolve(state, event)), deepFreeze(initialState))).not.toThrow();
  });

  it('leaves the quotes alone for a quote it does not hold, and refuses an event type it does not know', () => {
    const state = fold([drafted()]);
    expect(evolve(state, quoteWithdrawn('q-unknown')).quotes).toEqual([]);
    // The reader never hands an unknown type over (UnreadableEventError); if code did, the fold says so.
    expect(() => evolve(state, { type: 'SomethingNew', data: {} } as unknown as ArticleEvent)).toThrow('Unhandled article event SomethingNew');
  });

  it('is plain JSON', () => {
    const state: ArticleState = fold([drafted(), quoteAttributed(), published(), correctionIssued]);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
  });
});
