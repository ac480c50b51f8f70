import { evolveArticleView, summariseArticle, type ArticleSummary, type ArticleView, type CorrectionView } from '../src/articles/view/article-view';
import { ALREADY_APPLIED, Change, changesOf, ProjectedEvent, Projection, trackArticle, View } from '../src/projection-kit/projection';
import { sortableTime } from '../src/projection-kit/sortable-time';

/** The current article, GET /api/articles/{id}: the one article view at the stream's last revision. */
export type ArticleReadModel = ArticleView;

/** An article's corrections, kept apart from the rest of its view (see articlesProjection). */
export interface ArticleCorrections {
  corrections: CorrectionView[];
}

/**
 * `articles`: each article's view with `corrections: []` in the place of its corrections (held in
 * `article_corrections` when it has any; assembleArticle and articleJson put them back).
 */
export type ArticlesDocs = { articles: ArticleView; article_corrections: ArticleCorrections; summaries: ArticleSummary };

const { put } = changesOf<ArticlesDocs>();

/**
 * The articles read model: each article's view (evolveArticleView, the fold the audit's
 * revisions and diffs use too) and its summary for lists. A correction's changes carry the text
 * before and after, the heaviest part of a corrected article and the rarest to change, so the
 * corrections are a document of their own, written only by CorrectionIssued: every other event
 * reads and rewrites the article without them (its summary says how many there are).
 */
export const articlesProjection: Projection<ArticlesDocs> = {
  name: 'articles',
  // 2: a retracted article's publishedAt is null, as its /revisions/{last} always said.
  // 3: corrections apart, in article_corrections.
  version: 3,
  collections: {
    articles: {},
    article_corrections: {},
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
    if (e.event.type === 'CorrectionIssued' && current) {
      const next = evolveArticleView({ ...current, corrections: view.get('article_corrections', e.articleId)?.corrections ?? [] }, e);
      return [
        put('articles', next.id, { ...next, corrections: [] }),
        put('article_corrections', next.id, { corrections: next.corrections }),
        put('summaries', next.id, summariseArticle(next)),
      ];
    }
    // Any other event leaves the corrections as they are: their count comes from the summary.
    const next = evolveArticleView(current, e);
    const correctionCount = current ? (view.get('summaries', e.articleId)?.correctionCount ?? 0) : 0;
    return [put('articles', next.id, next), put('summaries', next.id, { ...summariseArticle(next), correctionCount })];
  },
};

/** The whole article from its two documents (the `articles` one and its `article_corrections`, if any). */
export function assembleArticle(article: ArticleView, corrections: ArticleCorrections | undefined): ArticleView {
  return { ...article, corrections: corrections?.corrections ?? [] };
}

/** What every stored article document holds in the place of its corrections (JSON.stringify's text). */
const PLACEHOLDER = Buffer.from(',"corrections":[],"createdAt":');
const CORRECTIONS_PREFIX = Buffer.from('{"corrections":');

/**
 * The whole article's JSON text, byte for byte JSON.stringify(assembleArticle(...)), from the
 * stored texts of its two documents (UTF-8), without parsing either: the corrections' array is
 * spliced in at the placeholder. The last one: only `retraction` (whose fields are strings) follows
 * it, and within strings quotes are escaped, so nothing else can spell it.
 * @throws Error when the article's text has no placeholder (a document not written by this version).
 */
export function articleJson(article: Buffer, corrections: Buffer | undefined): Buffer {
  if (!corrections) return article;
  const at = article.lastIndexOf(PLACEHOLDER);
  if (at < 0 || !corrections.subarray(0, CORRECTIONS_PREFIX.length).equals(CORRECTIONS_PREFIX)) {
    throw new Error('The stored article has no place for its corrections');
  }
  const array = corrections.subarray(CORRECTIONS_PREFIX.length, corrections.length - 1);
  const open = at + ',"corrections":'.length;
  return Buffer.concat([article.subarray(0, open), array, article.subarray(open + 2)]);
}
