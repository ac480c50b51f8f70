import type { Change, CollectionName, ColumnValue, Docs, ProjectedEvent, Projection, View } from '../../src/projection-kit/projection';

/** A projection's read model in memory: collection → key → document. */
export type MemoryState<C extends Docs> = { [K in CollectionName<C>]: Record<string, C[K]> };

/**
 * given(events) → when(event) → then(read model), in memory, with the runtime's rules: changes
 * replace whole documents, and the documents a projection reads are frozen, so a projection
 * that mutates what it reads fails its spec instead of corrupting a batch.
 */
export function given<C extends Docs>(projection: Projection<C>, history: readonly ProjectedEvent[]) {
  const before = history.reduce((state, event) => apply(state, projection.handle(event, viewOf(state))), empty(projection));
  return {
    before,
    when(event: ProjectedEvent) {
      const changes = projection.handle(event, viewOf(before));
      const after = apply(before, changes);
      return { changes, after, before };
    },
  };
}

/** The column values the runtime would store for a document. */
export function columnsOf<C extends Docs, K extends CollectionName<C>>(projection: Projection<C>, collection: K, doc: C[K]): Record<string, ColumnValue> {
  const columns = projection.collections[collection].columns ?? {};
  return Object.fromEntries(Object.entries(columns).map(([name, value]) => [name, value(doc)]));
}

function empty<C extends Docs>(projection: Projection<C>): MemoryState<C> {
  const state: Partial<MemoryState<C>> = {};
  for (const name of Object.keys(projection.collections) as Array<CollectionName<C>>) state[name] = {};
  return state as MemoryState<C>;
}

function viewOf<C extends Docs>(state: MemoryState<C>): View<C> {
  return { get: (collection, key) => state[collection][key] };
}

function apply<C extends Docs>(state: MemoryState<C>, changes: ReadonlyArray<Change<C>>): MemoryState<C> {
  const next = { ...state };
  for (const change of changes) {
    const docs: Record<string, object> = { ...next[change.collection] };
    if (change.op === 'put') docs[change.key] = deepFreeze(structuredClone(change.doc));
    else delete docs[change.key];
    next[change.collection] = docs as MemoryState<C>[typeof change.collection];
  }
  return next;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
