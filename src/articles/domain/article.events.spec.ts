import { checkedArticleEvent, MalformedEventError, type ArticleEvent } from './article.events';

describe('the schema of each event, checked before an append', () => {
  it('passes a well-formed event through', () => {
    const event: ArticleEvent = { type: 'QuoteWithdrawn', data: { quoteId: 'q1' } };
    expect(checkedArticleEvent(event)).toBe(event);
  });

  it.each([
    ['a block without a type', { type: 'BodyRevised', data: { body: [{ id: 'b1', text: 'x' }] } }],
    ['a null headline', { type: 'HeadlineRevised', data: { headline: null } }],
    ['a source that is an empty object', { type: 'QuoteAmended', data: { quoteId: 'q', speaker: { name: 'A' }, text: 't', source: {} } }],
    ['a stray field', { type: 'ArticlePublished', data: { publishedAt: '2025-01-01T00:00:00.000Z', by: 'x' } }],
    ['a time that is not a time', { type: 'ArticlePublished', data: { publishedAt: 'yesterday' } }],
    ['an unknown type', { type: 'ArticleShredded', data: {} }],
  ])('refuses %s', (_, event) => {
    expect(() => checkedArticleEvent(event as unknown as ArticleEvent)).toThrow(MalformedEventError);
  });
});
