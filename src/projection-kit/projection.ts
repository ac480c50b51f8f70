/**
 * The projection kit: what a projection is, for the projections in projections/ and the engine
 * that runs them (src/read-models/engine) alike. A projection is a pure description of how
 * article events change the documents of the collections it owns. It does no I/O: it reads
 * current documents through a `View` and returns the changes; the engine applies them, together
 * with the checkpoint, in one transaction.
 */
import { isArticleStream, readArticleEvent, type StoredArticleEvent } from '../articles/stored-article-event';
import type { RecordedEvent } from '../event-store/event-store.port';
import { BrokenStreamError } from '../articles/view/article-view';

/** An article event as projections see it: the one reader's StoredArticleEvent. */
export type ProjectedEvent = StoredArticleEvent;

/**
 * A recorded event as projections read it: null for an event of another stream (not theirs: the
 * checkpoint moves past it); an article event the reader cannot read throws UnreadableEventError,
 * and the projection stops as failed there rather than skip it.
 */
export function toProjectedEvent(recorded: RecordedEvent): ProjectedEvent | null {
  return isArticleStream(recorded.streamId) ? readArticleEvent(recorded) : null;
}

/** A value of an indexed column. */
export type ColumnValue = string | number | null;

/** One key-value document table with a few columns computed from the document, for queries. */
export interface CollectionSpec<D> {
  /** Column name (lower snake case) → its value for a document. */
  readonly columns?: Readonly<Record<string, ColumnOf<D>>>;
  /** Composite indexes, each a list of column names; "key" may close one, for keyset paging. */
  readonly indexes?: ReadonlyArray<readonly string[]>;
}

// Declared as a method so that a projection's typed collections fit the runtime's untyped view.
type ColumnOf<D> = { column(doc: D): ColumnValue }['column'];

/** Collection name → document type. */
export type Docs = Record<string, object>;

export type CollectionName<C extends Docs> = keyof C & string;

export interface View<C extends Docs> {
  get<K extends CollectionName<C>>(collection: K, key: string): C[K] | undefined;
}

export type Change<C extends Docs> = {
  [K in CollectionName<C>]:
    | { readonly op: 'put'; readonly collection: K; readonly key: string; readonly doc: C[K] }
    | { readonly op: 'delete'; readonly collection: K; readonly key: string };
}[CollectionName<C>];

export interface Projection<C extends Docs = Docs> {
  /** Lower snake case; names its tables and its row in GET /api/projections. */
  readonly name: string;
  /** Bump it when the read model's shape or logic changes: the runtime rebuilds it on start. */
  readonly version: number;
  readonly collections: { readonly [K in CollectionName<C>]: CollectionSpec<C[K]> };
  /**
   * true when each of its documents belongs to one stream: every document an event reads or writes
   * is one that only events of that event's stream read or write: the partitioning of
   * EventStoreDB's `foreachStream()` in its projections API, one state per stream. Its read model
   * is then the same whether the log is applied in log order or stream by stream, and a rebuild may
   * load it stream by stream (see CatchUp), building each stream's documents in memory and writing
   * them once. Unset: log order only.
   */
  readonly foreachStream?: boolean;
  /** Pure: the same event and view always give the same changes; never mutates what it reads. */
  handle(event: ProjectedEvent, view: View<C>): Array<Change<C>>;
}

/** Typed `put` and `remove` for one projection's collections. */
export function changesOf<C extends Docs>() {
  return {
    put: <K extends CollectionName<C>>(collection: K, key: string, doc: C[K]) => ({ op: 'put', collection, key, doc }) as Change<C>,
    remove: <K extends CollectionName<C>>(collection: K, key: string) => ({ op: 'delete', collection, key }) as Change<C>,
  };
}

/** trackArticle's answer for an event whose revision the projection has applied already. */
export const ALREADY_APPLIED = Symbol('already applied');

/**
 * The bookkeeping of a projection that keeps one document per article recording the stream
 * revision (a number) it last applied: the revision guard and the "never drafted" check, in one
 * place for every projection.
 *
 * @param tracked the projection's document for `e.articleId`, if it has one.
 * @returns ALREADY_APPLIED when `tracked.revision >= e.revision` (a redelivery: apply nothing);
 *   null for the ArticleDrafted of an article not seen yet; otherwise `tracked`.
 * @throws BrokenStreamError for an event of an article never drafted, or a second ArticleDrafted:
 *   the log is broken, and the projection stops there rather than guess.
 */
export function trackArticle<T extends { readonly revision: number }>(tracked: T | undefined, e: ProjectedEvent): T | null | typeof ALREADY_APPLIED {
  if (tracked && tracked.revision >= e.revision) return ALREADY_APPLIED;
  if (e.event.type === 'ArticleDrafted') {
    if (tracked) throw new BrokenStreamError(e, 'the article was drafted already');
    return null;
  }
  if (!tracked) throw new BrokenStreamError(e, 'the article was never drafted');
  return tracked;
}
