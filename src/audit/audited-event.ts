import { toArticleEnvelope } from '../articles/article-stream';
import type { ArticleEvent } from '../articles/domain/article.events';
import type { JsonObject, JsonValue, RecordedEvent } from '../event-store/event-store.port';

export interface Actor {
  id: string;
  name: string;
}

/** One event of an article stream as the audit endpoints see it: upcast, with its metadata read. */
export interface AuditedEvent {
  revision: number;
  /** position.commit as a decimal string. */
  position: string;
  type: string;
  /** The version the event was stored with (it is upcast to today's shape in `event`). */
  schemaVersion: number;
  at: string;
  actor: Actor;
  reason: string | null;
  correlationId: string | null;
  causationId: string | null;
  /** null for an event type this code does not know. */
  event: ArticleEvent | null;
}

/**
 * Reads metadata defensively: the log is the record of what happened and may hold events written
 * by hand or by older code, so a missing field becomes null instead of a failed read.
 */
export function toAuditedEvent(recorded: RecordedEvent): AuditedEvent {
  const { metadata } = recorded;
  return {
    revision: Number(recorded.revision),
    position: recorded.position.commit.toString(),
    type: recorded.type,
    schemaVersion: typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : 1,
    at: text(metadata.occurredAt) ?? recorded.recordedAt,
    actor: actorOf(metadata.actor),
    reason: text(metadata.reason),
    correlationId: text(metadata.$correlationId),
    causationId: text(metadata.$causationId),
    event: toArticleEnvelope(recorded)?.event ?? null,
  };
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function actorOf(value: JsonValue | undefined): Actor {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { id, name } = value as JsonObject;
    if (typeof id === 'string' && typeof name === 'string') return { id, name };
  }
  return { id: 'unknown', name: 'unknown' };
}
