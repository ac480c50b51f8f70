import { schemaVersionOf } from '../articles/article-stream';
import { ARTICLE_EVENT_SCHEMA_VERSIONS, ARTICLE_STREAM_PREFIX, isArticleEventType } from '../articles/domain/article.events';
import { upcast } from '../articles/domain/article.upcasters';
import { formatPosition, JsonObject, RecordedEvent } from '../event-store/event-store.port';
import { ProjectedEvent } from './projection';

/**
 * Turns a recorded event into what projections read, upcast to today's shape. Events of other
 * streams are not theirs (null: the checkpoint moves past them). An article event this code
 * cannot read throws: the projection then stops as failed rather than skip it silently.
 */
export function toProjectedEvent(recorded: RecordedEvent): ProjectedEvent | null {
  if (!recorded.streamId.startsWith(ARTICLE_STREAM_PREFIX)) return null;
  const { type, metadata } = recorded;
  if (!isArticleEventType(type)) throw new Error(`Unknown article event type "${type}"`);
  const schemaVersion = schemaVersionOf(metadata);
  if (schemaVersion > ARTICLE_EVENT_SCHEMA_VERSIONS[type]) {
    throw new Error(`${type} has schema version ${schemaVersion}, newer than this code reads`);
  }
  const event = upcast(type, schemaVersion, recorded.data)!;
  return {
    articleId: recorded.streamId.slice(ARTICLE_STREAM_PREFIX.length),
    revision: Number(recorded.revision),
    position: formatPosition(recorded.position),
    // The store's own time is the fallback, so that a replay gives the same documents.
    occurredAt: typeof metadata.occurredAt === 'string' ? metadata.occurredAt : recorded.recordedAt,
    actor: actorOf(metadata),
    event,
  };
}

function actorOf(metadata: JsonObject): { id: string; name: string } {
  const actor = metadata.actor;
  if (actor && typeof actor === 'object' && !Array.isArray(actor)) {
    const { id, name } = actor;
    if (typeof id === 'string' && typeof name === 'string') return { id, name };
  }
  return { id: 'unknown', name: 'unknown' };
}
