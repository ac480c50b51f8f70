/**
 * The read models as of any instant (issue #15, section 1): what GET /api/articles, /api/quotes
 * and /api/corrections answered at a time in the past, without replaying the log per request.
 *
 * The design is one rule applied to the existing projections, not a second set of read-model
 * logic: the articles, quotes and corrections projections run unchanged inside this one, and each
 * time one of them replaces a listed document (an article's summary, a quote, a correction), the
 * document it replaces is kept as a closed *version*: `{ from, until, doc }`, valid from the
 * occurredAt of the event that wrote it up to (not including) the occurredAt of the event that
 * replaced it. A read as of t takes, for each key, the one version with `from <= t < until`.
 *
 * Time is the occurredAt of each event (its metadata, the server's clock at the append), the same
 * for every event of one append. Versions that no instant can see (replaced within the same
 * millisecond, such as a correction's BodyRevised before its CorrectionIssued, or replaced by an
 * event stamped earlier) are not kept, so "the last revision at or before t" is what a read finds.
 */
import { CollectionName, Change, CollectionSpec, ColumnValue, Docs, ProjectedEvent, Projection, View } from '../src/projection-kit/projection';
import { sortableTime } from '../src/projection-kit/sortable-time';
import type { ArticleSummary, QuoteView } from '../src/articles/view/article-view';
import { ArticleCorrections, ArticleQuotes, articlesProjection } from './articles.projection';
import { CorrectedArticle, CorrectionReadModel, correctionsProjection } from './corrections.projection';
import { QuotedArticle, QuoteReadModel, quotesProjection } from './quotes.projection';

/** One version of a document: valid for `from <= t < until`, `until` null while it is current. */
export interface Version<D> {
  /** occurredAt of the event that wrote it, as sortableTime (ISO-8601 UTC, milliseconds). */
  from: string;
  /** occurredAt of the event that replaced it (sortableTime), or null while it is the current one. */
  until: string | null;
  doc: D;
}

/** The `until_at` column of a current version: after every instant an ISO-8601 time with a four-digit year can name. */
export const OPEN_END = '9999-12-31T23:59:59.999Z~';

/** The collections of the as_of projection: the versioned ones as-of reads page through, and each inner projection's bookkeeping. */
export type AsOfDocs = {
  articles_summaries: Version<ArticleSummary>;
  quotes_quotes: Version<QuoteReadModel>;
  corrections_corrections: Version<CorrectionReadModel>;
  articles_article_quotes: ArticleQuotes;
  articles_article_corrections: ArticleCorrections;
  quotes_articles: QuotedArticle;
  corrections_articles: CorrectedArticle;
};

interface Inner {
  projection: Projection;
  /** The inner collections whose replaced documents are kept, each with the indexes as-of reads use. */
  versioned: Record<string, { indexes: ReadonlyArray<readonly string[]> }>;
  /** What of an unversioned (bookkeeping) document is kept, when not all of it: what the inner projection reads back. */
  kept?: Record<string, (doc: object) => object>;
  /** Unversioned collections the inner projection writes but never reads: not kept at all. */
  dropped?: readonly string[];
}

const INNER: readonly Inner[] = [
  // The as-of article list pages newest revision first: a summary's updatedAt is its version's from.
  {
    projection: articlesProjection,
    // The article's header and body: the articles projection reads neither (its summary, versioned
    // here, holds the header's fields), and the articles read model has both, so neither is kept.
    // Its quotes are kept as their ids: a summary counts them, and the quote events find, replace or
    // drop one by its id (an amended quote is cut back to its id here again).
    dropped: ['article_body'],
    kept: {
      article_quotes: (doc) => ({ quotes: (doc as ArticleQuotes).quotes.map(({ quoteId }) => ({ quoteId }) as QuoteView) }),
    },
    versioned: {
      summaries: {
        indexes: [
          ['from_at', 'key'],
          ['status', 'from_at', 'key'],
        ],
      },
    },
  },
  {
    projection: quotesProjection,
    versioned: {
      quotes: {
        indexes: [
          ['attributed_at', 'key'],
          ['article_id', 'attributed_at', 'key'],
        ],
      },
    },
  },
  {
    projection: correctionsProjection,
    versioned: {
      corrections: {
        indexes: [
          ['issued_at', 'key'],
          ['article_id', 'issued_at', 'key'],
        ],
      },
    },
  },
];

/** `articles` + `summaries` → `articles_summaries`: every inner collection under its projection's name. */
const outer = (inner: Projection, collection: string) => `${inner.name}_${collection}`;

function collectionsOf(inners: readonly Inner[]): Record<string, CollectionSpec<object>> {
  const specs: Record<string, CollectionSpec<object>> = {};
  for (const { projection, versioned, dropped = [] } of inners) {
    for (const [name, spec] of Object.entries(projection.collections)) {
      if (dropped.includes(name)) continue;
      const history = versioned[name];
      if (!history) {
        // Bookkeeping only (the current article, a projection's memory of each article): no columns needed.
        specs[outer(projection, name)] = {};
        continue;
      }
      const columns: Record<string, (v: Version<object>) => ColumnValue> = {};
      for (const [column, value] of Object.entries(spec.columns ?? {})) columns[column] = (v) => value(v.doc);
      columns.from_at = (v) => v.from;
      columns.until_at = (v) => v.until ?? OPEN_END;
      specs[outer(projection, name)] = { columns: columns as CollectionSpec<object>['columns'], indexes: history.indexes };
    }
  }
  return specs;
}

/**
 * The as_of projection: the articles, quotes and corrections projections, each document they
 * replace kept as a version (see the module's comment). Keys: a current version under the inner
 * key; a closed one under `<key>@<position of the event that closed it>`, unique since an event
 * closes each key at most once.
 */
export const asOfProjection: Projection<AsOfDocs> = {
  name: 'as_of',
  // 2: the articles projection keeps corrections apart (articles_article_corrections).
  // 3: the current article keeps its quotes as their ids only (articles_articles).
  // 4: the articles projection keeps body and quotes apart and reads its summary: no articles_articles
  //    (nor articles_article_body), and the quotes' ids in articles_article_quotes.
  version: 4,
  // Every document is keyed by its article (or by a quote's, a correction's or an event's id, each
  // of one article's stream) and read only by that article's events.
  foreachStream: true,
  collections: collectionsOf(INNER) as Projection<AsOfDocs>['collections'],

  handle(e: ProjectedEvent, view: View<AsOfDocs>): Array<Change<AsOfDocs>> {
    const at = sortableTime(e.occurredAt);
    const out: Array<Change<Docs>> = [];
    for (const { projection, versioned, kept = {}, dropped = [] } of INNER) {
      const name = (collection: string) => outer(projection, collection) as CollectionName<AsOfDocs>;
      const innerView: View<Docs> = {
        get: (collection, key) => {
          const doc = view.get(name(collection), key);
          return versioned[collection] ? (doc as Version<object> | undefined)?.doc : doc;
        },
      };
      for (const change of projection.handle(e, innerView)) {
        const collection = name(change.collection);
        if (!versioned[change.collection]) {
          if (dropped.includes(change.collection)) continue;
          const keep = kept[change.collection];
          out.push(change.op === 'put' && keep ? { ...change, collection, doc: keep(change.doc) } : { ...change, collection });
          continue;
        }
        const current = view.get(collection, change.key) as Version<object> | undefined;
        // A version some instant can see is kept, closed at `at`.
        if (current && current.from < at) {
          out.push({ op: 'put', collection, key: `${change.key}@${e.position}`, doc: { ...current, until: at } });
        }
        out.push(
          change.op === 'put'
            ? { op: 'put', collection, key: change.key, doc: { from: at, until: null, doc: change.doc } satisfies Version<object> }
            : { op: 'delete', collection, key: change.key },
        );
      }
    }
    return out as Array<Change<AsOfDocs>>;
  },
};
