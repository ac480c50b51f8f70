import { InvalidInputError } from '../../common/app-error';
import { CollectionName, ColumnValue, Docs, Projection } from '../../projection-kit/projection';
import { ReadModelDb, tableName } from './read-model-db';
import { searchSql, type SearchQuery } from '../../text';

/**
 * `column = value`; or the column, which holds indexText values, matches the search
 * (src/text/search.ts); or `column <= atMost`, `column > above` (text order: for sortableTime
 * columns, time order), which an as-of read uses to find the version valid at an instant.
 */
export type Filter =
  { column: string; equals: string } | { column: string; matches: SearchQuery } | { column: string; atMost: string } | { column: string; above: string };

export interface PageRequest {
  filters: readonly Filter[];
  /** An indexed column; pages go from its greatest value down, ties broken by key. */
  newestFirstBy: string;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Reads the live generation of a projection. Each read is one SQLite read transaction, so
 * the generation it looks up and the rows it reads belong to the same snapshot even when a
 * rebuild (maybe in another process) swaps generations meanwhile.
 */
export class ReadModelReader {
  constructor(private readonly db: ReadModelDb) {}

  get<C extends Docs, K extends CollectionName<C>>(projection: Projection<C>, collection: K, key: string): C[K] | undefined {
    const text = this.getJson(projection, collection, key);
    return text === undefined ? undefined : (JSON.parse(text) as C[K]);
  }

  /** The document as stored: its JSON text (what JSON.stringify made of it), or undefined. */
  getJson<C extends Docs, K extends CollectionName<C>>(projection: Projection<C>, collection: K, key: string): string | undefined {
    return this.getJsonBytes(projection, collection, key)?.toString('utf8');
  }

  /** The document's JSON text as its UTF-8 bytes (as SQLite holds it: no decoding), or undefined. */
  getJsonBytes<C extends Docs, K extends CollectionName<C>>(projection: Projection<C>, collection: K, key: string): Buffer | undefined {
    return this.snapshot(() => {
      const table = this.liveTable(projection.name, collection);
      const row = table && this.db.prepare<[string], { doc: Buffer }>(`SELECT CAST(doc AS BLOB) AS doc FROM "${table}" WHERE key = ?`).get(key);
      return row ? row.doc : undefined;
    });
  }

  /** Runs `read` in one read transaction, so that the reads it makes (get, getJson, page) see one snapshot. */
  snapshot<T>(read: () => T): T {
    return this.db.sql.transaction(read)();
  }

  page<C extends Docs, K extends CollectionName<C>>(projection: Projection<C>, collection: K, request: PageRequest): Page<C[K]> {
    const after = request.cursor === undefined ? null : decodeCursor(request.cursor);
    return this.db.sql.transaction((): Page<C[K]> => {
      const table = this.liveTable(projection.name, collection);
      if (!table) return { items: [], nextCursor: null };
      const where: string[] = [];
      const params: ColumnValue[] = [];
      for (const filter of request.filters) {
        if ('equals' in filter) {
          where.push(`"${filter.column}" = ?`);
          params.push(filter.equals);
        } else if ('atMost' in filter) {
          where.push(`"${filter.column}" <= ?`);
          params.push(filter.atMost);
        } else if ('above' in filter) {
          where.push(`"${filter.column}" > ?`);
          params.push(filter.above);
        } else {
          // A search with no searchable word ("?speaker=!!!") matches nothing, not everything.
          const condition = searchSql(filter.column, filter.matches);
          where.push(condition.sql);
          for (const param of condition.params) params.push(param);
        }
      }
      const sort = `"${request.newestFirstBy}"`;
      if (after) {
        where.push(`(${sort}, key) < (?, ?)`);
        params.push(after.sort, after.key);
      }
      const sql = `SELECT key, doc, ${sort} AS sort FROM "${table}" ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY ${sort} DESC, key DESC LIMIT ?`;
      const rows = this.db.prepare<ColumnValue[], { key: string; doc: string; sort: ColumnValue }>(sql).all(...params, request.limit + 1);
      const more = rows.length > request.limit;
      const page = more ? rows.slice(0, request.limit) : rows;
      const last = page[page.length - 1];
      return {
        items: page.map((row) => JSON.parse(row.doc) as C[K]),
        nextCursor: more ? encodeCursor({ sort: last.sort, key: last.key }) : null,
      };
    })();
  }

  private liveTable(projection: string, collection: string): string | null {
    const live = this.db.withRole(projection, 'live');
    return live ? tableName(projection, live.generation, collection) : null;
  }
}

interface Cursor {
  sort: ColumnValue;
  key: string;
}

/** Opaque to clients: where the previous page ended. */
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && ['string', 'number'].includes(typeof value[0]) && typeof value[1] === 'string') {
      return { sort: value[0] as ColumnValue, key: value[1] };
    }
  } catch {
    // falls through to the 400 below
  }
  throw new InvalidInputError('The cursor is not one this server returned', [{ field: 'cursor', message: 'cursor must be a nextCursor from a previous page' }]);
}
