import type {
  ArticleDrafted,
  ArticleEvent,
  BodyBlock,
  CorrectionIssued,
  FieldChange,
  QuoteAttributed,
  QuoteSource,
  Speaker,
} from '../../src/articles/domain/article.events';
import type { ProjectedEvent } from '../../src/projection-kit/projection';
import { storedEvent } from '../../test/support/stored-events';

/** Terse constructors for article events, for projection specs and seeded logs. */
export const events = {
  drafted: (articleId: string, data: Partial<ArticleDrafted['data']> = {}): ArticleEvent => ({
    type: 'ArticleDrafted',
    data: {
      articleId,
      headline: `Headline of ${articleId}`,
      standfirst: null,
      body: [paragraph('p1', 'First paragraph.')],
      byline: ['Rita Reporter'],
      draftedAt: '2025-05-16T09:00:00.000Z',
      ...data,
    },
  }),
  headlineRevised: (headline: string): ArticleEvent => ({ type: 'HeadlineRevised', data: { headline } }),
  standfirstRevised: (standfirst: string | null): ArticleEvent => ({ type: 'StandfirstRevised', data: { standfirst } }),
  bodyRevised: (body: BodyBlock[]): ArticleEvent => ({ type: 'BodyRevised', data: { body } }),
  quoteAttributed: (quoteId: string, speaker: Speaker, text: string, more: Partial<QuoteAttributed['data']> = {}): ArticleEvent => ({
    type: 'QuoteAttributed',
    data: { quoteId, speaker, text, source: null, attributedAt: '2025-05-16T09:30:00.000Z', ...more },
  }),
  quoteAmended: (quoteId: string, speaker: Speaker, text: string, source: QuoteSource | null = null): ArticleEvent => ({
    type: 'QuoteAmended',
    data: { quoteId, speaker, text, source },
  }),
  quoteWithdrawn: (quoteId: string): ArticleEvent => ({ type: 'QuoteWithdrawn', data: { quoteId } }),
  published: (publishedAt = '2025-05-16T10:00:00.000Z'): ArticleEvent => ({ type: 'ArticlePublished', data: { publishedAt } }),
  unpublished: (unpublishedAt = '2025-05-16T11:00:00.000Z'): ArticleEvent => ({
    type: 'ArticleUnpublished',
    data: { unpublishedAt },
  }),
  correctionIssued: (correctionId: string, changes: FieldChange[], more: Partial<CorrectionIssued['data']> = {}): ArticleEvent => ({
    type: 'CorrectionIssued',
    data: { correctionId, kind: 'correction', note: 'We got it wrong.', issuedAt: '2025-05-17T08:00:00.000Z', changes, ...more },
  }),
  retracted: (note: string, retractedAt = '2025-05-18T08:00:00.000Z'): ArticleEvent => ({
    type: 'ArticleRetracted',
    data: { note, retractedAt },
  }),
};

export function paragraph(id: string, text: string): BodyBlock {
  return { id, type: 'paragraph', text };
}

export const REPORTER = { id: 'u-reporter', name: 'Rita Reporter' };
export const STANDARDS = { id: 'u-standards', name: 'Sam Standards' };

/**
 * A log in memory: stamps events with their stream revision, a global position and a time
 * (one minute apart, so that "newest first" orders are easy to read in specs).
 */
export class TestLog {
  private position = 0;
  private readonly revisions = new Map<string, number>();

  append(articleId: string, actor: { id: string; name: string }, ...articleEvents: ArticleEvent[]): ProjectedEvent[] {
    return articleEvents.map((event) => {
      const revision = (this.revisions.get(articleId) ?? -1) + 1;
      this.revisions.set(articleId, revision);
      this.position++;
      const occurredAt = new Date(Date.UTC(2025, 4, 16, 9) + this.position * 60_000).toISOString();
      return storedEvent(event, { articleId, revision, position: String(this.position), occurredAt, actor });
    });
  }
}
