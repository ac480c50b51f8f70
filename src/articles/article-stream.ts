import { JsonObject, RecordedEvent } from '../event-store/event-store.port';
import { ArticleEvent, ArticleEventMetadata } from './domain/article.events';
import { upcast } from './domain/article.upcasters';

/** A stored article event in its current shape, with its place in the log and its metadata. */
export interface ArticleEnvelope {
  event: ArticleEvent;
  recorded: RecordedEvent;
  metadata: ArticleEventMetadata;
}

export function schemaVersionOf(metadata: JsonObject): number {
  return typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : 1;
}

/** Reads a recorded event as an article event (upcast to the current shape), or null if foreign. */
export function toArticleEnvelope(recorded: RecordedEvent): ArticleEnvelope | null {
  const event = upcast(recorded.type, schemaVersionOf(recorded.metadata), recorded.data);
  if (!event) return null;
  return { event, recorded, metadata: recorded.metadata as unknown as ArticleEventMetadata };
}
