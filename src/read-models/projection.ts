import type { ArticleEvent } from '../articles/domain/article.events';

/**
 * What a projection is: a pure description of how article events change the documents of the
 * collections it owns. It does no I/O: it reads current documents through a `View` and returns
 * the changes; the runtime applies them, together with the checkpoint, in one transaction.
 */

/** An article event as projections see it: typed, plus the stream facts a read model needs. */
export interface ProjectedEvent {
  readonly articleId: string;
  /** The event's revision in its article stream (first event = 0). */
  readonly revision: number;
  /** The event's global log position (formatPosition). */
  readonly position: string;
  /** metadata.occurredAt: the time of the event. */
  readonly occurredAt: string;
  readonly actor: { readonly id: string; readonly name: string };
  readonly event: ArticleEvent;
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
  /** Pure: the same event and view always give the same changes; never mutates what it reads. */
  handle(event: ProjectedEvent, view: View<C>): Array<Change<C>>;
}

/** Typed `put` and `remove` for one projection's collections. */
export function changesOf<C extends Docs>() {
  return {
    put: <K extends CollectionName<C>>(collection: K, key: string, doc: C[K]) =>
      ({ op: 'put', collection, key, doc }) as Change<C>,
    remove: <K extends CollectionName<C>>(collection: K, key: string) => ({ op: 'delete', collection, key }) as Change<C>,
  };
}
