/** Shared givens for the article decider specs: actors, a deterministic context, ready-made events. */
import type { Role } from '../../src/auth/roles';
import { articleDecider, type DecideContext } from '../../src/articles/domain/article.decider';
import type {
  ArticleDrafted,
  ArticlePublished,
  ArticleRetracted,
  ArticleUnpublished,
  BodyBlock,
  QuoteAttributed,
  QuoteWithdrawn,
} from '../../src/articles/domain/article.events';
import { DeciderSpecification } from './decider-specification';

export const NOW = '2025-03-01T12:00:00.000Z';
export const ARTICLE_ID = '6f1c2d3e-0000-4000-8000-000000000001';

export type Actor = DecideContext['actor'];
export const as = (...roles: Role[]): Actor => ({ id: `user-${roles.join('+') || 'none'}`, name: 'Ada Lovelace', roles });
export const reporter = as('reporter');
export const editor = as('editor');
export const standards = as('standards');
export const admin = as('admin');
export const everyRole = as('reporter', 'editor', 'standards', 'admin');

/** ids id-1, id-2, ... in the order the decider asks for them. */
export function sequentialIds(prefix = 'id'): () => string {
  let next = 0;
  return () => `${prefix}-${++next}`;
}

export const context = (): DecideContext => ({ actor: reporter, now: NOW, newId: sequentialIds(), reason: null });
export const given = DeciderSpecification.for({ ...articleDecider, context });

export const intro: BodyBlock = { id: 'b-intro', type: 'paragraph', text: 'The council met on Tuesday.' };
export const subhead: BodyBlock = { id: 'b-subhead', type: 'heading', text: 'The vote' };
export const points: BodyBlock = { id: 'b-points', type: 'list', items: ['Budget passed', 'Library stays open'] };

export const drafted = (overrides: Partial<ArticleDrafted['data']> = {}): ArticleDrafted => ({
  type: 'ArticleDrafted',
  data: {
    articleId: ARTICLE_ID,
    headline: 'Council passes budget',
    standfirst: 'A late-night vote.',
    body: [intro, subhead, points],
    byline: ['Ada Lovelace'],
    draftedAt: '2025-03-01T09:00:00.000Z',
    ...overrides,
  },
});

export const published = (publishedAt = '2025-03-01T10:00:00.000Z'): ArticlePublished => ({
  type: 'ArticlePublished',
  data: { publishedAt },
});

export const unpublished = (unpublishedAt = '2025-03-01T11:00:00.000Z'): ArticleUnpublished => ({
  type: 'ArticleUnpublished',
  data: { unpublishedAt },
});

export const retracted: ArticleRetracted = {
  type: 'ArticleRetracted',
  data: { note: 'The story was fabricated.', retractedAt: '2025-03-01T11:30:00.000Z' },
};

export const QUOTE_ID = 'q-mayor';
export const quoteAttributed = (overrides: Partial<QuoteAttributed['data']> = {}): QuoteAttributed => ({
  type: 'QuoteAttributed',
  data: {
    quoteId: QUOTE_ID,
    speaker: { name: 'Jane Doe', title: 'Mayor' },
    text: 'We kept the library open.',
    source: { description: 'Press conference' },
    attributedAt: '2025-03-01T09:30:00.000Z',
    ...overrides,
  },
});

export const quoteWithdrawn = (quoteId = QUOTE_ID): QuoteWithdrawn => ({ type: 'QuoteWithdrawn', data: { quoteId } });
