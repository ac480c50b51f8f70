import type { BodyBlock, CorrectionKind, FieldChange, QuoteSource, Speaker } from '../src/articles/domain/article.events';
import { Change, changesOf, ProjectedEvent, Projection, View } from '../src/read-models/projection';
import { sortableTime } from '../src/read-models/sortable-time';

/** The current article: GET /api/articles/{id}. */
export interface ArticleReadModel {
  id: string;
  /** The stream revision this document reflects; also its ETag. */
  revision: number;
  status: 'draft' | 'published' | 'retracted';
  headline: string;
  standfirst: string | null;
  body: BodyBlock[];
  byline: string[];
  /** Quotes in force (withdrawn ones are left out), in attribution order. */
  quotes: ArticleQuote[];
  corrections: ArticleCorrection[];
  createdAt: string;
  updatedAt: string;
  firstPublishedAt: string | null;
  /** When the current publication began; null while not published. */
  publishedAt: string | null;
  retraction: { note: string; retractedAt: string } | null;
}

export interface ArticleQuote {
  quoteId: string;
  speaker: Speaker;
  text: string;
  source: QuoteSource | null;
  attributedAt: string;
  updatedAt: string;
}

export interface ArticleCorrection {
  correctionId: string;
  kind: CorrectionKind;
  note: string;
  issuedAt: string;
  actor: { id: string; name: string };
  revision: number;
  changes: FieldChange[];
}

/** An item of GET /api/articles: the article without its heavy parts. */
export type ArticleSummary = Omit<ArticleReadModel, 'body' | 'quotes' | 'corrections'> & {
  quoteCount: number;
  correctionCount: number;
};

export type ArticlesDocs = { articles: ArticleReadModel; summaries: ArticleSummary };

const { put } = changesOf<ArticlesDocs>();

export const articlesProjection: Projection<ArticlesDocs> = {
  name: 'articles',
  version: 1,
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
    const current = view.get('articles', e.articleId);
    // Already applied (a redelivery): the document has seen this revision.
    if (current && current.revision >= e.revision) return [];
    const next = evolve(current, e);
    return [put('articles', next.id, next), put('summaries', next.id, summarise(next))];
  },
};

function evolve(article: ArticleReadModel | undefined, e: ProjectedEvent): ArticleReadModel {
  const { event } = e;
  if (event.type === 'ArticleDrafted') {
    const d = event.data;
    return {
      id: e.articleId,
      revision: e.revision,
      status: 'draft',
      headline: d.headline,
      standfirst: d.standfirst,
      body: d.body,
      byline: d.byline,
      quotes: [],
      corrections: [],
      createdAt: d.draftedAt,
      updatedAt: e.occurredAt,
      firstPublishedAt: null,
      publishedAt: null,
      retraction: null,
    };
  }
  // An event before the article's ArticleDrafted means a broken log: stop, do not guess.
  if (!article) throw new Error(`${event.type} for article ${e.articleId}, which was never drafted`);
  const a: ArticleReadModel = { ...article, revision: e.revision, updatedAt: e.occurredAt };
  switch (event.type) {
    case 'HeadlineRevised':
      return { ...a, headline: event.data.headline };
    case 'StandfirstRevised':
      return { ...a, standfirst: event.data.standfirst };
    case 'BodyRevised':
      return { ...a, body: event.data.body };
    case 'QuoteAttributed': {
      const { quoteId, speaker, text, source, attributedAt } = event.data;
      return { ...a, quotes: [...a.quotes, { quoteId, speaker, text, source, attributedAt, updatedAt: e.occurredAt }] };
    }
    case 'QuoteAmended': {
      const { quoteId, speaker, text, source } = event.data;
      const quotes = a.quotes.map((q) => (q.quoteId === quoteId ? { ...q, speaker, text, source, updatedAt: e.occurredAt } : q));
      return { ...a, quotes };
    }
    case 'QuoteWithdrawn':
      return { ...a, quotes: a.quotes.filter((q) => q.quoteId !== event.data.quoteId) };
    case 'ArticlePublished': {
      const at = event.data.publishedAt;
      return { ...a, status: 'published', publishedAt: at, firstPublishedAt: a.firstPublishedAt ?? at };
    }
    case 'ArticleUnpublished':
      return { ...a, status: 'draft', publishedAt: null };
    case 'CorrectionIssued': {
      const { correctionId, kind, note, issuedAt, changes } = event.data;
      const correction = { correctionId, kind, note, issuedAt, actor: e.actor, revision: e.revision, changes };
      return { ...a, corrections: [...a.corrections, correction] };
    }
    case 'ArticleRetracted':
      return { ...a, status: 'retracted', retraction: { note: event.data.note, retractedAt: event.data.retractedAt } };
  }
}

function summarise(a: ArticleReadModel): ArticleSummary {
  return {
    id: a.id,
    revision: a.revision,
    status: a.status,
    headline: a.headline,
    standfirst: a.standfirst,
    byline: a.byline,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    firstPublishedAt: a.firstPublishedAt,
    publishedAt: a.publishedAt,
    retraction: a.retraction,
    quoteCount: a.quotes.length,
    correctionCount: a.corrections.length,
  };
}
