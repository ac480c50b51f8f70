import {
  ANY,
  AppendExpectedRevision,
  EventData,
  jsonEvent,
  JSONType,
  NO_STREAM,
  Position as ClientPosition,
  ReadPosition,
  RecordedEvent as ClientRecordedEvent,
  START as CLIENT_START,
  STREAM_EXISTS,
} from '@eventstore/db-client';
import { EventToAppend, ExpectedRevision, JsonObject, JsonValue, Position, RecordedEvent, START } from '../event-store.port';

/**
 * Every call goes to the cluster's leader, so a read sees every acknowledged append (a follower
 * may lag). A node that is no longer leader answers NotLeader; the client then reconnects to
 * the new leader and the adapter repeats the call there.
 */
export const LEADER = { requiresLeader: true } as const;

/** EventStoreDB reserves event types starting with `$` for itself (links, metadata, stats...). */
export function isSystemEvent(type: string): boolean {
  return type.startsWith('$');
}

export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

export function toEventData(event: EventToAppend): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    // The client JSON-serialises `data` whatever it is; its JSONType just leaves out the
    // scalars (number, boolean, null) that the port allows.
    data: event.data as JSONType,
    metadata: event.metadata,
  });
}

/** The port's START is "before the first event"; the client spells it as a constant. */
export function toReadPosition(position: Position): ReadPosition {
  return isStart(position) ? CLIENT_START : { commit: position.commit, prepare: position.prepare };
}

export function isStart(position: Position): boolean {
  return position.commit === START.commit && position.prepare === START.prepare;
}

/** Servers before 22.6 leave a stream read's position unset (0/0) or at 2^64-1. */
const NO_POSITION = (1n << 64n) - 1n;

function toPosition(position: ClientPosition | undefined): Position {
  const unset = !position || position.commit === NO_POSITION || (position.commit === 0n && position.prepare === 0n);
  return unset ? START : { commit: position.commit, prepare: position.prepare };
}

function toJsonValue(event: ClientRecordedEvent): JsonValue {
  if (event.isJson) return event.data as JsonValue;
  // Not written by Newsroom: keep JSON that was stored as bytes, otherwise the bytes as base64.
  const text = Buffer.from(event.data).toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return Buffer.from(event.data).toString('base64');
  }
}

function toMetadata(metadata: unknown): JsonObject {
  const isObject = typeof metadata === 'object' && metadata !== null;
  return isObject && !Array.isArray(metadata) && !(metadata instanceof Uint8Array) ? (metadata as JsonObject) : {};
}

export function toRecordedEvent(event: ClientRecordedEvent): RecordedEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: event.revision,
    position: toPosition(event.position),
    data: toJsonValue(event),
    metadata: toMetadata(event.metadata),
    recordedAt: event.created.toISOString(),
  };
}
