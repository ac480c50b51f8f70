import { status as Status } from '@grpc/grpc-js';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { JsonObject, JsonValue, Position, RecordedEvent } from '../../../src/event-store/event-store.port';

/**
 * How the protocol test server spells the embedded store's data on the wire.
 *
 * Positions: the embedded store numbers events 1, 2, 3... with commit === prepare. Real
 * EventStoreDB positions are byte offsets in its log. The test server sends commit = 2n and
 * prepare = 2n - 1 for event n, and refuses any other pair, so an adapter that drops or
 * invents the prepare half fails here instead of in production.
 */
export function toWirePosition(stored: Position): Position {
  return { commit: stored.commit * 2n, prepare: stored.commit * 2n - 1n };
}

/** The stored position (event number) of a wire position, or an INVALID_ARGUMENT error. */
export function fromWirePosition(commit: string, prepare: string): bigint {
  const c = BigInt(commit);
  const p = BigInt(prepare);
  if (c < 2n || c % 2n !== 0n || p !== c - 1n) {
    throw grpcError(Status.INVALID_ARGUMENT, `Invalid position ${commit}/${prepare}: no event is recorded there`);
  }
  return c / 2n;
}

export interface GrpcError extends Error {
  code: Status;
  details: string;
}

export function grpcError(code: Status, details: string): GrpcError {
  return Object.assign(new Error(details), { code, details });
}

function isGrpcError(error: unknown): error is GrpcError {
  return error instanceof Error && 'code' in error && typeof error.code === 'number';
}

/** A handler's failure as a gRPC status: INTERNAL unless it already is one. */
export function asGrpcError(error: unknown): GrpcError {
  return isGrpcError(error) ? error : grpcError(Status.INTERNAL, String(error));
}

export function streamName(identifier: StreamIdentifier | undefined): string {
  if (!identifier) throw grpcError(Status.INVALID_ARGUMENT, 'stream_identifier is required');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Event ids must be UUIDs, as EventStoreDB requires. */
export function uuidString(uuid: UUID | undefined): string {
  if (!uuid) throw grpcError(Status.INVALID_ARGUMENT, 'id is required');
  if (uuid.hasString()) {
    const text = uuid.getString();
    if (!UUID_TEXT.test(text)) throw grpcError(Status.INVALID_ARGUMENT, `Invalid UUID: ${text}`);
    return text;
  }
  const structured = uuid.getStructured();
  if (!structured) throw grpcError(Status.INVALID_ARGUMENT, 'id is empty');
  const hex = [structured.getMostSignificantBits(), structured.getLeastSignificantBits()]
    .map((bits) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuid(value: string): UUID {
  return new UUID().setString(value);
}

/** One proposed event as the embedded store takes it: JSON data and JSON-object metadata. */
export interface ProposedEvent {
  id: string;
  type: string;
  data: JsonValue;
  metadata: JsonObject;
}

interface ProposedMessageLike {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** Decodes Append's and BatchAppend's ProposedMessage: the test server stores JSON only. */
export function toProposedEvent(message: ProposedMessageLike): ProposedEvent {
  const map = message.getMetadataMap();
  const type = map.get('type');
  if (!type) throw grpcError(Status.INVALID_ARGUMENT, 'Missing required metadata property "type"');
  if (map.get('content-type') !== 'application/json') {
    throw grpcError(Status.INVALID_ARGUMENT, 'The protocol test server stores application/json events only');
  }
  const metadataBytes = message.getCustomMetadata_asU8();
  const metadata = metadataBytes.length === 0 ? {} : parseJson(metadataBytes, 'custom metadata');
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw grpcError(Status.INVALID_ARGUMENT, 'The protocol test server stores JSON-object metadata only');
  }
  return { id: uuidString(message.getId()), type, data: parseJson(message.getData_asU8(), 'data'), metadata };
}

function parseJson(bytes: Uint8Array, what: string): JsonValue {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as JsonValue;
  } catch {
    throw grpcError(Status.INVALID_ARGUMENT, `The ${what} of an application/json event is not JSON`);
  }
}

/** EventStoreDB's "created": 100 ns ticks since the Unix epoch. */
const TICKS_PER_MS = 10_000n;

export function readEventResponse(event: RecordedEvent): ReadResp {
  const wire = toWirePosition(event.position);
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuid(event.id))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(wire.commit.toString())
    .setPreparePosition(wire.prepare.toString())
    .setData(Buffer.from(JSON.stringify(event.data), 'utf8'))
    .setCustomMetadata(Buffer.from(JSON.stringify(event.metadata), 'utf8'));
  const map = recorded.getMetadataMap();
  map.set('type', event.type);
  map.set('content-type', 'application/json');
  map.set('created', (BigInt(Date.parse(event.recordedAt)) * TICKS_PER_MS).toString());
  const read = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(wire.commit.toString());
  return new ReadResp().setEvent(read);
}
