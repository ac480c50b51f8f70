import type { BodyBlock } from '../src/articles/domain/article.events';
import {
  evolveArticleView,
  summariseArticle,
  type ArticleSummary,
  type ArticleView,
  type CorrectionView,
  type QuoteView,
} from '../src/articles/view/article-view';
import { ALREADY_APPLIED, Change, changesOf, ProjectedEvent, Projection, trackArticle, View } from '../src/projection-kit/projection';
import { sortableTime } from '../src/projection-kit/sortable-time';

/** The current article, GET /api/articles/{id}: the one article view at the stream's last revision. */
export type ArticleReadModel = ArticleView;

/** An article's body, kept apart from the rest of its view (see articlesProjection). */
export interface ArticleBody {
  body: BodyBlock[];
}

/** An article's quotes in force, kept apart from the rest of its view (see articlesProjection). */
export interface ArticleQuotes {
  quotes: QuoteView[];
}

/** An article's corrections, kept apart from the rest of its view (see articlesProjection). */
export interface ArticleCorrections {
  corrections: CorrectionView[];
}

/** The parts of an article kept in documents of their own, each its document where it has one. */
export interface ArticleParts {
  body?: ArticleBody;
  quotes?: ArticleQuotes;
  corrections?: ArticleCorrections;
}

/** The stored JSON texts (UTF-8) of an article's parts' documents, where it has them. */
export type ArticlePartTexts = { [K in keyof ArticleParts]?: Buffer };

/**
 * `summaries`: each article's summary, which holds every field of its view but the three lists
 * (and their counts): its header (headerOf) is the view with `body: []`, `quotes: []` and
 * `corrections: []` in the places of its parts, which are held in `article_body`,
 * `article_quotes` (when it ever had a quote) and `article_corrections` (when it has any);
 * assembleArticle and articleJson put them back.
 */
export type ArticlesDocs = {
  article_body: ArticleBody;
  article_quotes: ArticleQuotes;
  article_corrections: ArticleCorrections;
  summaries: ArticleSummary;
};

const { put } = changesOf<ArticlesDocs>();

const QUOTE_EVENTS: ReadonlySet<string> = new Set(['QuoteAttributed', 'QuoteAmended', 'QuoteWithdrawn']);

/** The article view of a summary with the parts given, its keys in the order of evolveArticleView's (so as JSON, the same text as JSON.stringify of the view). */
function viewOf(s: ArticleSummary, quotes: QuoteView[], corrections: CorrectionView[]): ArticleView {
  return {
    id: s.id,
    revision: s.revision,
    status: s.status,
    headline: s.headline,
    standfirst: s.standfirst,
    body: [],
    byline: s.byline,
    quotes,
    corrections,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    firstPublishedAt: s.firstPublishedAt,
    publishedAt: s.publishedAt,
    retraction: s.retraction,
  };
}

/**
 * The articles read model: each article's view (evolveArticleView, the fold the audit's
 * revisions and diffs use too) and its summary for lists. The view is four documents: the
 * summary, which holds every field but the three lists (its header, headerOf) and the body, the
 * quotes and the corrections, each written only by the events that change it (ArticleDrafted and
 * BodyRevised; the quote events; CorrectionIssued) and read only by those that extend it (the
 * quote events, CorrectionIssued). An event reads and rewrites the summary, about 1 KB, not the
 * whole article (issue #13).
 */
export const articlesProjection: Projection<ArticlesDocs> = {
  name: 'articles',
  // 2: a retracted article's publishedAt is null, as its /revisions/{last} always said.
  // 3: corrections apart, in article_corrections.
  // 4: body and quotes apart too, in article_body and article_quotes; events read the summary.
  // 5: no header document (`articles`): the summary held all of it, and every event wrote both.
  version: 5,
  // Every document is keyed by its article (or by a quote's, a correction's or an event's id, each
  // of one article's stream) and read only by that article's events.
  foreachStream: true,
  collections: {
    article_body: {},
    article_quotes: {},
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
    const summary = trackArticle(view.get('summaries', e.articleId), e);
    if (summary === ALREADY_APPLIED) return [];
    const { type } = e.event;
    const quoted = QUOTE_EVENTS.has(type);
    const corrected = type === 'CorrectionIssued';
    const current =
      summary &&
      viewOf(
        summary,
        quoted ? (view.get('article_quotes', e.articleId)?.quotes ?? []) : [],
        corrected ? (view.get('article_corrections', e.articleId)?.corrections ?? []) : [],
      );
    const next = evolveArticleView(current, e);
    const changes: Array<Change<ArticlesDocs>> = [];
    if (type === 'ArticleDrafted' || type === 'BodyRevised') changes.push(put('article_body', next.id, { body: next.body }));
    if (quoted) changes.push(put('article_quotes', next.id, { quotes: next.quotes }));
    if (corrected) changes.push(put('article_corrections', next.id, { corrections: next.corrections }));
    // A part not read keeps its count from the summary.
    const quoteCount = quoted || !summary ? next.quotes.length : summary.quoteCount;
    const correctionCount = corrected || !summary ? next.corrections.length : summary.correctionCount;
    changes.push(put('summaries', next.id, { ...summariseArticle(next), quoteCount, correctionCount }));
    return changes;
  },
};

/**
 * An article's header: its view with an empty list in the place of each part (body, quotes,
 * corrections), from its summary, which holds every other field. As JSON, the same text as the
 * view's with those lists emptied, keys in evolveArticleView's order.
 */
export function headerOf(summary: ArticleSummary): ArticleView {
  return viewOf(summary, [], []);
}

/** The whole article from its header (headerOf) and its parts' documents (absent: the header's own list). */
export function assembleArticle(header: ArticleView, parts: ArticleParts): ArticleView {
  return {
    ...header,
    ...(parts.body ? { body: parts.body.body } : {}),
    ...(parts.quotes ? { quotes: parts.quotes.quotes } : {}),
    ...(parts.corrections ? { corrections: parts.corrections.corrections } : {}),
  };
}

/** Each part: its field in the header (JSON.stringify's text, the empty list in its place) and its own document's prefix. */
const SPLICES = (['body', 'quotes', 'corrections'] as const).map((field) => ({
  field,
  placeholder: Buffer.from(`,"${field}":[],`),
  prefix: Buffer.from(`{"${field}":`),
}));

/**
 * The whole article's JSON text, byte for byte JSON.stringify(assembleArticle(...)), from the
 * stored texts (UTF-8) of its header and of its parts' documents, without parsing any: each
 * part's array is spliced in at its empty list in the header. A placeholder such as
 * `,"body":[],` cannot occur within a string of the header, where every `"` is escaped.
 * A part with no document leaves the header's list as it is.
 * @param header the header's JSON text (headerOf), UTF-8.
 * @param parts the texts of its `article_body`, `article_quotes` and `article_corrections` documents, where it has them.
 * @throws Error when the header has no empty list where a part goes, or a part's text is not its document.
 */
export function articleJson(header: Buffer, parts: ArticlePartTexts): Buffer {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const { field, placeholder, prefix } of SPLICES) {
    const part = parts[field];
    if (!part) continue;
    const at = header.indexOf(placeholder, from);
    if (at < 0 || !part.subarray(0, prefix.length).equals(prefix)) throw new Error(`The stored article has no place for its ${field}`);
    const open = at + placeholder.length - 3; // at the "[]"
    pieces.push(header.subarray(from, open), part.subarray(prefix.length, part.length - 1));
    from = open + 2;
  }
  if (pieces.length === 0) return header;
  pieces.push(header.subarray(from));
  return Buffer.concat(pieces);
}
