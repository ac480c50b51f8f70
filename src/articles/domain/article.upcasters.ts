import { ARTICLE_EVENT_SCHEMA_VERSIONS, ArticleEvent, ArticleEventType } from './article.events';

type EventData = Record<string, unknown>;
/** Turns the data of version n into the data of version n + 1. */
type Upcaster = (data: EventData) => EventData;

/**
 * ArticleDrafted v1 → v2: the byline was one string of names joined with ", " or " and "
 * ("Rita Reporter, Eddie Editor and Sam Standards"); it is now a list of names. A byline that
 * is already a list passes through, since logs written before the version bump stored lists
 * under schema version 1.
 */
export function bylineAsList(data: EventData): EventData {
  const { byline } = data;
  if (Array.isArray(byline)) return data;
  const names = typeof byline === 'string' ? splitNames(byline) : [];
  return { ...data, byline: names };
}

/** "A, B and C", "A, B, and C", "A and B" → names; a name containing " and " cannot be told apart. */
function splitNames(joined: string): string[] {
  return joined
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/)
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/**
 * For each event type, the upcaster from each old version to the next. When an event's shape
 * changes, bump its version in ARTICLE_EVENT_SCHEMA_VERSIONS and add the step here: old logs
 * then replay unchanged.
 */
export const UPCASTERS: Partial<Record<ArticleEventType, Record<number, Upcaster>>> = {
  ArticleDrafted: { 1: bylineAsList },
};

/**
 * An event as stored (any schema version up to today's) in the current shape. Throws Error when a
 * step from `schemaVersion` to today's is missing. The data is not checked here (see
 * readArticleEvent, which checks the result against today's schema).
 */
export function upcast(type: ArticleEventType, schemaVersion: number, data: unknown): ArticleEvent {
  let current = data as EventData;
  const target = ARTICLE_EVENT_SCHEMA_VERSIONS[type];
  for (let version = schemaVersion; version < target; version++) {
    const step = UPCASTERS[type]?.[version];
    if (!step) throw new Error(`No upcaster for ${type} from schema version ${version}`);
    current = step(current);
  }
  return { type, data: current } as ArticleEvent;
}
