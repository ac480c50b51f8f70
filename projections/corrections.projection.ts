import { unhandledEvent, type CorrectionKind, type FieldChange } from '../src/articles/domain/article.events';
import { ALREADY_APPLIED, Change, changesOf, ProjectedEvent, Projection, trackArticle, View } from '../src/projection-kit/projection';
import { sortableTime } from '../src/projection-kit/sortable-time';

/**
 * One entry of the newsroom's corrections history: GET /api/corrections. A retraction is part of
 * what readers were told, so it is an entry too (kind "retraction", its note, no changes), in
 * order with the corrections (issue #15, section 0).
 */
export interface CorrectionReadModel {
  /** The correction's id; for a retraction, the id of its ArticleRetracted event. */
  correctionId: string;
  articleId: string;
  /** The article's headline once the correction's own changes were made. */
  headline: string;
  kind: CorrectionKind | 'retraction';
  note: string;
  /** issuedAt of the correction, retractedAt of a retraction (ISO-8601). */
  issuedAt: string;
  actor: { id: string; name: string };
  /** The stream revision of the CorrectionIssued event. */
  revision: number;
  changes: FieldChange[];
}

/** What this projection must remember of each article: its current headline. */
export interface CorrectedArticle {
  revision: number;
  headline: string;
}

export type CorrectionsDocs = { corrections: CorrectionReadModel; articles: CorrectedArticle };

const { put } = changesOf<CorrectionsDocs>();

export const correctionsProjection: Projection<CorrectionsDocs> = {
  name: 'corrections',
  // 2: retractions are entries of the history.
  version: 2,
  // Every document is keyed by its article (or by a quote's, a correction's or an event's id, each
  // of one article's stream) and read only by that article's events.
  foreachStream: true,
  collections: {
    corrections: {
      columns: { article_id: (c) => c.articleId, issued_at: (c) => sortableTime(c.issuedAt) },
      indexes: [
        ['issued_at', 'key'],
        ['article_id', 'issued_at', 'key'],
      ],
    },
    articles: {},
  },

  handle(e: ProjectedEvent, view: View<CorrectionsDocs>): Array<Change<CorrectionsDocs>> {
    const { event } = e;
    const article = trackArticle(view.get('articles', e.articleId), e);
    if (article === ALREADY_APPLIED) return [];
    if (article === null) return event.type === 'ArticleDrafted' ? [put('articles', e.articleId, { revision: e.revision, headline: event.data.headline })] : [];
    switch (event.type) {
      case 'HeadlineRevised':
        return [put('articles', e.articleId, { revision: e.revision, headline: event.data.headline })];
      case 'CorrectionIssued': {
        // A correction's own changes are the events just before it in the same append, so the
        // headline remembered here already includes any headline change it made.
        const { correctionId, kind, note, issuedAt, changes } = event.data;
        const { headline } = article;
        const correction: CorrectionReadModel = {
          correctionId,
          articleId: e.articleId,
          headline,
          kind,
          note,
          issuedAt,
          actor: e.actor,
          revision: e.revision,
          changes,
        };
        return [put('corrections', correctionId, correction), put('articles', e.articleId, { headline, revision: e.revision })];
      }
      case 'ArticleRetracted': {
        const { note, retractedAt } = event.data;
        const { headline } = article;
        const retraction: CorrectionReadModel = {
          correctionId: e.eventId,
          articleId: e.articleId,
          headline,
          kind: 'retraction',
          note,
          issuedAt: retractedAt,
          actor: e.actor,
          revision: e.revision,
          changes: [],
        };
        return [put('corrections', e.eventId, retraction), put('articles', e.articleId, { headline, revision: e.revision })];
      }
      case 'ArticleDrafted': // trackArticle answered for it
      case 'StandfirstRevised':
      case 'BodyRevised':
      case 'QuoteAttributed':
      case 'QuoteAmended':
      case 'QuoteWithdrawn':
      case 'ArticlePublished':
      case 'ArticleUnpublished':
        return [];
      default:
        return unhandledEvent(event);
    }
  },
};
