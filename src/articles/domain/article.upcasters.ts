import { ARTICLE_EVENT_SCHEMA_VERSIONS, ArticleEvent, ArticleEventType, isArticleEventType } from './article.events';

type EventData = Record<string, unknown>;
/** Turns the data of version n into the data of version n + 1. */
type Upcaster = (data: EventData) => EventData;

/**
 * For each event type, the upcaster from each old version to the next. When an event's shape
 * changes, bump its version in ARTICLE_EVENT_SCHEMA_VERSIONS and add the step here: old logs
 * then replay unchanged.
 */
const UPCASTERS: Partial<Record<ArticleEventType, Record<number, Upcaster>>> = {};

/** An event as stored (any schema version) in the current shape; null for a foreign type. */
export function upcast(type: string, schemaVersion: number, data: unknown): ArticleEvent | null {
  if (!isArticleEventType(type)) return null;
  let current = data as EventData;
  const target = ARTICLE_EVENT_SCHEMA_VERSIONS[type];
  for (let version = schemaVersion; version < target; version++) {
    const step = UPCASTERS[type]?.[version];
    if (!step) throw new Error(`No upcaster for ${type} from schema version ${version}`);
    current = step(current);
  }
  return { type, data: current } as ArticleEvent;
}
