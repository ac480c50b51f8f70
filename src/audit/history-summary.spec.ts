import type { ArticleEvent } from '../articles/domain/article.events';
import { drafted, published, quoteAttributed, quoteWithdrawn, retracted } from '../../test/support/article-fixtures';
import type { StoredArticleEvent } from '../articles/stored-article-event';
import { storedEvent } from '../../test/support/stored-events';
import { summarise } from './history-summary';

const by = (event: ArticleEvent, reason: string | null = null, name = 'Eddie Editor'): StoredArticleEvent =>
  storedEvent(event, { revision: 3, occurredAt: '2025-05-16T10:00:00.000Z', actor: { id: 'u', name }, reason });

describe('history summaries', () => {
  it('say what happened, who did it and why, in one line', () => {
    expect(summarise(by({ type: 'HeadlineRevised', data: { headline: 'H' } }, 'Sharper'))).toBe('Headline revised by Eddie Editor: Sharper');
    expect(summarise(by(drafted(), null, 'Rita Reporter'))).toBe('Article drafted by Rita Reporter');
    expect(summarise(by(published(), '  '))).toBe('Published by Eddie Editor');
    expect(summarise(by(quoteAttributed()))).toBe('Quote from Jane Doe attributed by Eddie Editor');
    expect(summarise(by(quoteWithdrawn(), 'Source retracted it'))).toBe('Quote withdrawn by Eddie Editor: Source retracted it');
    expect(summarise(by({ type: 'StandfirstRevised', data: { standfirst: null } }))).toBe('Standfirst removed by Eddie Editor');
  });

  it('give a correction its kind and its note', () => {
    const issued = (kind: 'correction' | 'clarification' | 'editors-note'): ArticleEvent => ({
      type: 'CorrectionIssued',
      data: { correctionId: 'c', kind, note: 'He is Friedrich Merz.', issuedAt: 'x', changes: [] },
    });
    expect(summarise(by(issued('correction'), 'ignored', 'Sam Standards'))).toBe('Correction issued by Sam Standards: He is Friedrich Merz.');
    expect(summarise(by(issued('clarification')))).toBe('Clarification issued by Eddie Editor: He is Friedrich Merz.');
    expect(summarise(by(issued('editors-note')))).toBe("Editor's note added by Eddie Editor: He is Friedrich Merz.");
    expect(summarise(by(retracted))).toBe('Retracted by Eddie Editor: The story was fabricated.');
  });

  it('flatten and cut long reasons', () => {
    const long = summarise(by({ type: 'BodyRevised', data: { body: [] } }, `Line one\n\nline two ${'x'.repeat(500)}`));
    expect(long).toMatch(/^Body revised by Eddie Editor: Line one line two x+…$/);
    expect(long).toHaveLength(240);
  });
});
