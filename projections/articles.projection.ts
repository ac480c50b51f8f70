import { evolveArticleView, summariseArticle, type ArticleSummary, type ArticleView } from '../src/articles/view/article-view';
import { ALREADY_APPLIED, Change, changesOf, ProjectedEvent, Projection, trackArticle, View } from '../src/projection-kit/projection';
import { sortableTime } from '../src/projection-kit/sortable-time';

/** The current article, GET /api/articles/{id}: the one article view at the stream's last revision. */
export type ArticleReadModel = ArticleView;

export type ArticlesDocs = { articles: ArticleView; summaries: ArticleSummary };

const { put } = changesOf<ArticlesDocs>();

/**
 * The articles read model: each article's view (evolveArticleView, the fold the audit's
 * revisions and diffs use too) and its summary for lists.
 */
export const articlesProjection: Projection<ArticlesDocs> = {
  name: 'articles',
  // 2: a retracted article's publishedAt is null, as its /revisions/{last} always said.
  version: 2,
  collections: {
    articles: {},
    summaries: {
      columns: { status: (s) => s.status, updated_at: (s) => sortableTime(s.updatedAt) },
      // Newest update first, optionally within a status; "key" breaks ties for keyset paging.
      indexes: [
        ['updated_at', 'key'],
        ['status', 'updated_at', 'key'],
      ],
    },
  },

  handle(e: ProjectedEvent, view: View<ArticlesDocs>): Array<Change<ArticlesDocs>> {
    const current = trackArticle(view.get('articles', e.articleId), e);
    if (current === ALREADY_APPLIED) return [];
    const next = evolveArticleView(current, e);
    return [put('articles', next.id, next), put('summaries', next.id, summariseArticle(next))];
  },
};
