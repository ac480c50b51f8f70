import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { EventStore } from '../../../src/event-store/event-store.port';
import { Projection } from '../../../src/projection-kit/projection';
import { ProjectionRuntime } from '../../../src/read-models/engine/projection-runtime';
import { PROJECTIONS } from '../../../src/read-models/projections.registry';

/** Each live table of a read-models file: row count and a hash of every row, byte for byte. */
export type Fingerprint = Record<string, { rows: number; sha256: string }>;

export function fingerprint(file: string): Fingerprint {
  const db = new Database(file, { readonly: true });
  try {
    const live = db.prepare("SELECT projection, generation FROM projection_generations WHERE role = 'live'").all() as Array<{
      projection: string;
      generation: number;
    }>;
    const result: Fingerprint = {};
    for (const { projection, generation } of live) {
      const prefix = `rm_${projection}_g${generation}_`;
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
      for (const { name } of tables.filter((t) => t.name.startsWith(prefix))) {
        const hash = createHash('sha256');
        let rows = 0;
        for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY key`).iterate()) {
          hash.update(JSON.stringify(row));
          rows++;
        }
        result[`${projection}.${name.slice(prefix.length)}`] = { rows, sha256: hash.digest('hex') };
      }
    }
    return result;
  } finally {
    db.close();
  }
}

/** The documents of one collection of a projection's live generation, by key. */
export function liveDocs(file: string, projection: string, collection: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare("SELECT generation FROM projection_generations WHERE projection = ? AND role = 'live'").get(projection) as
      { generation: number } | undefined;
    if (!row) return {};
    const docs = db.prepare(`SELECT key, doc FROM "rm_${projection}_g${row.generation}_${collection}"`).all() as Array<{ key: string; doc: string }>;
    return Object.fromEntries(docs.map((d) => [d.key, JSON.parse(d.doc)]));
  } finally {
    db.close();
  }
}

/** The reference: the same projections built from scratch into a file of their own. */
export async function cleanBuild(store: EventStore, dir: string, projections: readonly Projection[] = PROJECTIONS): Promise<Fingerprint> {
  const file = join(dir, `clean-${Date.now()}-${Math.random().toString(36).slice(2)}.sqlite`);
  const runtime = new ProjectionRuntime({ store, file, projections });
  runtime.start();
  try {
    await runtime.waitFor(await store.headPosition(), 120_000);
  } finally {
    await runtime.close();
  }
  return fingerprint(file);
}
