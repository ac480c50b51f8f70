import { unhandledEvent, type QuoteSource, type Speaker } from '../src/articles/domain/article.events';
import type { ArticleStatus } from '../src/articles/view/article-view';
import { ALREADY_APPLIED, Change, changesOf, ProjectedEvent, Projection, trackArticle, View } from '../src/projection-kit/projection';
import { indexText } from '../src/text';
import { sortableTime } from '../src/projection-kit/sortable-time';

/** One quote across the newsroom: GET /api/quotes. */
export interface QuoteReadModel {
  quoteId: string;
  articleId: string;
  speaker: Speaker;
  text: string;
  source: QuoteSource | null;
  status: 'active' | 'withdrawn';
  articleStatus: ArticleStatus;
  attributedAt: string;
  updatedAt: string;
}

/** What this projection must remember of each article: its status and which quotes it holds. */
export interface QuotedArticle {
  revision: number;
  status: ArticleStatus;
  quoteIds: string[];
}

export type QuotesDocs = { quotes: QuoteReadModel; articles: QuotedArticle };

const { put } = changesOf<QuotesDocs>();

/** How many texts indexedWords remembers: a quote's text is indexed again at each of its changes, and its as_of versions. */
const INDEXED_TEXTS = 4096;
const indexed = new Map<string, string>();

/**
 * indexText(text), remembered for the last INDEXED_TEXTS texts (oldest forgotten first). A quote
 * is written again, its text unchanged, whenever its source is amended or its article's status
 * changes, and as_of writes each replaced version once more: the search keys were a tenth of a
 * rebuild's CPU time. indexText is pure, so the columns are the same.
 */
export function indexedWords(text: string): string {
  let words = indexed.get(text);
  if (words === undefined) {
    if (indexed.size >= INDEXED_TEXTS) indexed.delete(indexed.keys().next().value!);
    indexed.set(text, (words = indexText(text)));
  }
  return words;
}

export const quotesProjection: Projection<QuotesDocs> = {
  name: 'quotes',
  // 2: search keys by Unicode's rules (case folding, ignorables, words in every script).
  version: 2,
  // Every document is keyed by its article (or by a quote's, a correction's or an event's id, each
  // of one article's stream) and read only by that article's events.
  foreachStream: true,
  collections: {
    quotes: {
      columns: {
        article_id: (q) => q.articleId,
        status: (q) => q.status,
        // Search keys by Unicode's rules (src/text/search.ts); a Node upgrade that changes ICU wants a rebuild.
        speaker_words: (q) => indexedWords(q.speaker.name),
        text_words: (q) => indexedWords(q.text),
        // Attribution time never changes, so pages stay stable while quotes are amended.
        attributed_at: (q) => sortableTime(q.attributedAt),
      },
      indexes: [
        ['attributed_at', 'key'],
        ['article_id', 'attributed_at', 'key'],
      ],
    },
    articles: {},
  },

  handle(e: ProjectedEvent, view: View<QuotesDocs>): Array<Change<QuotesDocs>> {
    const { event } = e;
    const article = trackArticle(view.get('articles', e.articleId), e);
    if (article === ALREADY_APPLIED) return [];
    if (article === null) return [put('articles', e.articleId, { revision: e.revision, status: 'draft', quoteIds: [] })];
    const seen = { ...article, revision: e.revision };
    const quote = (quoteId: string): QuoteReadModel => {
      const found = view.get('quotes', quoteId);
      if (!found) throw new Error(`${event.type} for quote ${quoteId}, which was never attributed`);
      return found;
    };

    switch (event.type) {
      case 'QuoteAttributed': {
        const { quoteId, speaker, text, source, attributedAt } = event.data;
        const doc: QuoteReadModel = {
          quoteId,
          articleId: e.articleId,
          speaker,
          text,
          source,
          status: 'active',
          articleStatus: article.status,
          attributedAt,
          updatedAt: e.occurredAt,
        };
        return [put('quotes', quoteId, doc), put('articles', e.articleId, { ...seen, quoteIds: [...article.quoteIds, quoteId] })];
      }
      case 'QuoteAmended': {
        const { quoteId, speaker, text, source } = event.data;
        const amended = { ...quote(quoteId), speaker, text, source, updatedAt: e.occurredAt };
        return [put('quotes', quoteId, amended), put('articles', e.articleId, seen)];
      }
      case 'QuoteWithdrawn': {
        const withdrawn = { ...quote(event.data.quoteId), status: 'withdrawn' as const, updatedAt: e.occurredAt };
        return [put('quotes', withdrawn.quoteId, withdrawn), put('articles', e.articleId, seen)];
      }
      case 'ArticlePublished':
        return statusChanged(e.articleId, seen, 'published', quote);
      case 'ArticleUnpublished':
        return statusChanged(e.articleId, seen, 'draft', quote);
      case 'ArticleRetracted':
        return statusChanged(e.articleId, seen, 'retracted', quote);
      case 'ArticleDrafted': // trackArticle answered for it
      case 'HeadlineRevised':
      case 'StandfirstRevised':
      case 'BodyRevised':
      case 'CorrectionIssued':
        return [];
      default:
        return unhandledEvent(event);
    }
  },
};

/** The article's status is copied onto each of its quotes, so that searches can show it. */
function statusChanged(
  articleId: string,
  article: QuotedArticle,
  status: ArticleStatus,
  quote: (quoteId: string) => QuoteReadModel,
): Array<Change<QuotesDocs>> {
  const quotes = article.quoteIds.map((id) => put('quotes', id, { ...quote(id), articleStatus: status }));
  return [...quotes, put('articles', articleId, { ...article, status })];
}
