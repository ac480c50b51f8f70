import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile } from '../../common/data-dir';
import { formatPosition, START } from '../../event-store/event-store.port';
import { CollectionSpec, Projection } from '../../projection-kit/projection';

export type GenerationRole = 'live' | 'next' | 'retired';

/** One generation of a projection: its own tables, checkpoint and state. */
export interface GenerationRow {
  projection: string;
  generation: number;
  version: number;
  /** Signature of the generation's tables (see schemaSignature). */
  schema: string;
  role: GenerationRole;
  /** formatPosition of the last event applied; "-1" before the first. */
  checkpoint: string;
  /** How many events of the log this generation has processed. */
  events: number;
  /** JSON of a ProjectionFailure when the projection threw. */
  failure: string | null;
  /** The identity of the event store whose log this generation follows (null: unknown). */
  storeId: string | null;
  /** The id of the event at `checkpoint` (null before the first, or in a file older than this). */
  lastEventId: string | null;
  /** JSON of a StaleMark when the generation turned out to follow another log. */
  stale: string | null;
  createdAt: string;
}

/** Why a generation no longer matches the log, and since when (ISO-8601). */
export interface StaleMark {
  reason: string;
  since: string;
}

/** Added after the first release: a file without them gets them on open. */
const ORIGIN_COLUMNS = ['store_id', 'last_event_id', 'stale'] as const;

const NAME = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * The read-model SQLite file: the generations registry and every generation's tables.
 * WAL, so that readers never wait for the projector; synchronous=NORMAL because read models
 * are disposable: a power cut may lose the last commits, but never breaks a transaction, so
 * the file still holds a prefix of the log and the projector resumes from its checkpoint.
 */
export class ReadModelDb {
  readonly sql: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
    this.sql = new Database(file);
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = NORMAL');
    this.sql.pragma('busy_timeout = 5000');
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS projection_generations (
        projection TEXT NOT NULL,
        generation INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        schema     TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('live', 'next', 'retired')),
        checkpoint TEXT NOT NULL,
        events     INTEGER NOT NULL DEFAULT 0,
        failure    TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (projection, generation)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS one_live_one_next
        ON projection_generations (projection, role) WHERE role IN ('live', 'next');
      -- The highest generation number each projection has ever had, dropped ones included.
      CREATE TABLE IF NOT EXISTS projection_generation_numbers (
        projection TEXT PRIMARY KEY,
        last       INTEGER NOT NULL
      );
    `);
    // Immediate: a server and the rebuild CLI may open an old file at the same moment.
    this.sql
      .transaction(() => {
        const present = new Set((this.sql.pragma('table_info(projection_generations)') as Array<{ name: string }>).map((c) => c.name));
        for (const column of ORIGIN_COLUMNS) {
          if (!present.has(column)) this.sql.exec(`ALTER TABLE projection_generations ADD COLUMN ${column} TEXT`);
        }
      })
      .immediate();
  }

  /** Prepared once per SQL text; the cache is emptied when tables are dropped, or grows large. */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Searches with many words each make their own SQL text: keep the cache bounded.
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.sql.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as Database.Statement<P, R>;
  }

  generations(projection: string): GenerationRow[] {
    return this.prepare<[string], RawRow>(`${SELECT_ROW} WHERE projection = ? ORDER BY generation`).all(projection).map(toRow);
  }

  generation(projection: string, generation: number): GenerationRow | undefined {
    const raw = this.prepare<[string, number], RawRow>(`${SELECT_ROW} WHERE projection = ? AND generation = ?`).get(projection, generation);
    return raw && toRow(raw);
  }

  withRole(projection: string, role: 'live' | 'next'): GenerationRow | undefined {
    const raw = this.prepare<[string, string], RawRow>(`${SELECT_ROW} WHERE projection = ? AND role = ?`).get(projection, role);
    return raw && toRow(raw);
  }

  /**
   * Creates the tables of a new, empty generation following store `storeId`, in one transaction.
   * Its number is one above any this projection has had in this file, dropped generations included
   * (projection_generation_numbers), so that a number never names two generations.
   */
  createGeneration(projection: Projection, role: 'live' | 'next', storeId: string | null): GenerationRow {
    assertName(projection.name);
    return this.sql
      .transaction(() => {
        // Never a number a dropped generation had: a projector of that one (another process's, which
        // knows its generation by number only) must find its row gone, not write into a new one.
        const { last } = this.prepare<[string, string], { last: number | null }>(
          `SELECT max(coalesce((SELECT max(generation) FROM projection_generations WHERE projection = ?), 0),
                  coalesce((SELECT last FROM projection_generation_numbers WHERE projection = ?), 0)) AS last`,
        ).get(projection.name, projection.name)!;
        const generation = (last ?? 0) + 1;
        this.prepare(
          'INSERT INTO projection_generation_numbers (projection, last) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET last = excluded.last',
        ).run(projection.name, generation);
        for (const [collection, spec] of Object.entries(projection.collections)) {
          assertName(collection);
          this.createCollection(tableName(projection.name, generation, collection), spec);
        }
        this.prepare(
          `INSERT INTO projection_generations (projection, generation, version, schema, role, checkpoint, created_at, store_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(projection.name, generation, projection.version, schemaSignature(projection), role, formatPosition(START), new Date().toISOString(), storeId);
        return this.generation(projection.name, generation)!;
      })
      .immediate();
  }

  /** Drops a generation's tables (whatever collections its version had) and its row. */
  dropGeneration(projection: string, generation: number): void {
    const prefix = `${tableName(projection, generation, '')}`;
    this.sql
      .transaction(() => {
        const tables = this.prepare<[number, string], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?").all(
          prefix.length,
          prefix,
        );
        for (const { name } of tables) this.sql.exec(`DROP TABLE IF EXISTS "${name}"`);
        this.prepare('DELETE FROM projection_generations WHERE projection = ? AND generation = ?').run(projection, generation);
      })
      .immediate();
    this.statements.clear();
  }

  setRole(projection: string, generation: number, role: GenerationRole): void {
    this.prepare('UPDATE projection_generations SET role = ? WHERE projection = ? AND generation = ?').run(role, projection, generation);
  }

  setFailure(projection: string, generation: number, failure: string | null): void {
    this.prepare('UPDATE projection_generations SET failure = ? WHERE projection = ? AND generation = ?').run(failure, projection, generation);
  }

  /** Marks a generation as following another log (or clears the mark with null). */
  setStale(projection: string, generation: number, mark: StaleMark | null): void {
    this.prepare('UPDATE projection_generations SET stale = ? WHERE projection = ? AND generation = ?').run(
      mark && JSON.stringify(mark),
      projection,
      generation,
    );
  }

  /** Records the origin of a generation from a file older than the origin columns, once checked. */
  adoptOrigin(projection: string, generation: number, storeId: string | null, lastEventId: string | null): void {
    this.prepare(
      'UPDATE projection_generations SET store_id = coalesce(store_id, ?), last_event_id = coalesce(last_event_id, ?) WHERE projection = ? AND generation = ?',
    ).run(storeId, lastEventId, projection, generation);
  }

  close(): void {
    this.statements.clear();
    if (this.sql.open) this.sql.close();
  }

  /**
   * Drops the secondary indexes of a generation's tables (each collection's `indexes`; the key's
   * stays), for a load that writes every document once (CatchUp's stream order): SQLite builds an
   * index over a full table by sorting it, far faster than it maintains one row by row in random
   * order. ensureIndexes puts them back. Throws what the database throws.
   */
  dropIndexes(projection: Projection, generation: number): void {
    this.sql
      .transaction(() => {
        for (const { name } of indexesOf(projection, generation)) this.sql.exec(`DROP INDEX IF EXISTS "${name}"`);
      })
      .immediate();
  }

  /**
   * Creates whichever secondary indexes of a generation's tables are missing (see dropIndexes),
   * each in a transaction of its own (an index over a million rows takes seconds, and live commits
   * wait for the file's write lock). Returns how many it created; throws what the database throws.
   */
  ensureIndexes(projection: Projection, generation: number): number {
    const exists = this.prepare<[string], { found: number }>("SELECT 1 AS found FROM sqlite_master WHERE type = 'index' AND name = ?");
    const missing = indexesOf(projection, generation).filter(({ name }) => exists.get(name) === undefined);
    for (const { sql } of missing) this.sql.exec(sql);
    return missing.length;
  }

  private createCollection(table: string, spec: CollectionSpec<object>): void {
    const columns = Object.keys(spec.columns ?? {});
    columns.forEach(assertName);
    const columnsSql = columns.map((c) => `, "${c}"`).join('');
    this.sql.exec(`CREATE TABLE "${table}" (key TEXT PRIMARY KEY, doc TEXT NOT NULL${columnsSql})`);
    for (const { sql } of indexesOfTable(table, spec)) this.sql.exec(sql);
  }
}

/** The secondary indexes of one collection's table: each one's name and CREATE INDEX statement (IF NOT EXISTS). */
function indexesOfTable(table: string, spec: CollectionSpec<object>): Array<{ name: string; sql: string }> {
  const columns = Object.keys(spec.columns ?? {});
  return (spec.indexes ?? []).map((index, i) => {
    index.forEach((c) => c === 'key' || columns.includes(c) || fail(`index of ${table} names unknown column ${c}`));
    const name = `${table}__i${i}`;
    return { name, sql: `CREATE INDEX IF NOT EXISTS "${name}" ON "${table}" (${index.map((c) => `"${c}"`).join(', ')})` };
  });
}

/** The secondary indexes of every table of a generation (see indexesOfTable). */
function indexesOf(projection: Projection, generation: number): Array<{ name: string; sql: string }> {
  return Object.entries(projection.collections).flatMap(([collection, spec]) => indexesOfTable(tableName(projection.name, generation, collection), spec));
}

/** The read models' own SQLite file, beside the event store's in DATA_DIR. */
export function readModelsFile(dataDir: string): string {
  return join(dataDir, 'read-models.sqlite');
}

/** The table of one collection of one generation, e.g. "rm_quotes_g3_quotes". */
export function tableName(projection: string, generation: number, collection: string): string {
  return `rm_${projection}_g${generation}_${collection}`;
}

/**
 * Whether a generation holds a stream-order load that has not ended (CatchUp): checkpoint START
 * (formatPosition: "-1") with events counted. Its documents are no prefix of the log.
 */
export function loadUnfinished(row: GenerationRow): boolean {
  return row.checkpoint === formatPosition(START) && row.events > 0;
}

/** Two generations with the same signature have the same tables, columns and indexes. */
export function schemaSignature(projection: Projection): string {
  const collections = Object.entries(projection.collections)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, spec]) => [name, Object.keys(spec.columns ?? {}), spec.indexes ?? []]);
  return JSON.stringify(collections);
}

export function assertName(name: string): void {
  if (!NAME.test(name)) fail(`"${name}" is not a valid read-model name (lower snake case)`);
}

function fail(message: string): never {
  throw new Error(message);
}

interface RawRow {
  projection: string;
  generation: number;
  version: number;
  schema: string;
  role: GenerationRole;
  checkpoint: string;
  events: number;
  failure: string | null;
  store_id: string | null;
  last_event_id: string | null;
  stale: string | null;
  created_at: string;
}

const SELECT_ROW =
  'SELECT projection, generation, version, schema, role, checkpoint, events, failure, store_id, last_event_id, stale, created_at ' +
  'FROM projection_generations';

function toRow({ created_at, store_id, last_event_id, ...rest }: RawRow): GenerationRow {
  return { ...rest, storeId: store_id, lastEventId: last_event_id, createdAt: created_at };
}
