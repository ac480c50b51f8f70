import type { CorrectionKind, FieldChange } from '../src/articles/domain/article.events';
import { Change, changesOf, ProjectedEvent, Projection, View } from '../src/read-models/projection';
import { sortableTime } from '../src/read-models/sortable-time';

/** One entry of the newsroom's corrections history: GET /api/corrections. */
export interface CorrectionReadModel {
  correctionId: string;
  articleId: string;
  /** The article's headline once the correction's own changes were made. */
  headline: string;
  kind: CorrectionKind;
  note: string;
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
  version: 1,
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
    if (event.type === 'ArticleDrafted') {
      if (view.get('articles', e.articleId)) return [];
      return [put('articles', e.articleId, { revision: e.revision, headline: event.data.headline })];
    }
    if (event.type !== 'HeadlineRevised' && event.type !== 'CorrectionIssued') return [];
    const article = view.get('articles', e.articleId);
    if (!article) throw new Error(`${event.type} for article ${e.articleId}, which was never drafted`);
    if (article.revision >= e.revision) return [];
    if (event.type === 'HeadlineRevised') {
      return [put('articles', e.articleId, { revision: e.revision, headline: event.data.headline })];
    }
    // A correction's own changes are the events just before it in the same append, so the
    // headline remembered here already includes any headline change it made.
    const { correctionId, kind, note, issuedAt, changes } = event.data;
    const correction: CorrectionReadModel = {
      correctionId,
      articleId: e.articleId,
      headline: article.headline,
      kind,
      note,
      issuedAt,
      actor: e.actor,
      revision: e.revision,
      changes,
    };
    return [put('corrections', correctionId, correction), put('articles', e.articleId, { ...article, revision: e.revision })];
  },
};
