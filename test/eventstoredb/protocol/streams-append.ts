import { sendUnaryData, ServerDuplexStream, ServerReadableStream, status as Status } from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { AllStreamPosition, Empty, Unknown, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb';
import { Status as RpcStatus } from '@eventstore/db-client/generated/status_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { WrongExpectedRevisionError } from '../../../src/event-store/event-store.errors';
import { AppendResult, EventStore, ExpectedRevision } from '../../../src/event-store/event-store.port';
import { asGrpcError, grpcError, ProposedEvent, streamIdentifier, streamName, toProposedEvent, toWirePosition, uuid } from './wire';

type Outcome = { ok: true; result: AppendResult } | { ok: false; refused: WrongExpectedRevisionError };

/** Appends through the embedded store, which applies EventStoreDB's expected-revision and idempotence rules. */
async function append(store: EventStore, stream: string, events: ProposedEvent[], expected: ExpectedRevision) {
  if (events.length === 0) throw grpcError(Status.INVALID_ARGUMENT, 'An append needs at least one event');
  try {
    return { ok: true, result: await store.appendToStream(stream, events, expected) } satisfies Outcome;
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) return { ok: false, refused: error } satisfies Outcome;
    throw error;
  }
}

function appendExpected(options: AppendReq.Options): ExpectedRevision {
  if (options.hasRevision()) return BigInt(options.getRevision());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return 'any';
}

/** Streams.Append: options, then one message per event; one response when the client ends. */
export function appendHandler(store: EventStore) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>) => {
    let options: AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    let invalid: unknown = null;
    call.on('data', (request: AppendReq) => {
      try {
        const message = request.getProposedMessage();
        if (request.hasOptions()) options = request.getOptions();
        else if (message) events.push(toProposedEvent(message));
      } catch (error) {
        invalid ??= error;
      }
    });
    call.on('end', () => {
      const run = async () => {
        if (invalid) throw invalid;
        if (!options) throw grpcError(Status.INVALID_ARGUMENT, 'The first message must carry options');
        const expected = appendExpected(options);
        const outcome = await append(store, streamName(options.getStreamIdentifier()), events, expected);
        return outcome.ok ? appendSuccess(outcome.result) : appendRefused(outcome.refused);
      };
      run().then(
        (response) => callback(null, response),
        (error: unknown) => callback(asGrpcError(error)),
      );
    });
  };
}

function appendSuccess(result: AppendResult): AppendResp {
  const wire = toWirePosition(result.position);
  const position = new AppendResp.Position().setCommitPosition(wire.commit.toString()).setPreparePosition(wire.prepare.toString());
  const success = new AppendResp.Success().setCurrentRevision(result.nextExpectedRevision.toString()).setPosition(position);
  return new AppendResp().setSuccess(success);
}

function appendRefused({ expected, actual }: WrongExpectedRevisionError): AppendResp {
  const wrong = new AppendResp.WrongExpectedVersion();
  if (actual === 'no_stream') wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(actual.toString());
  if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
  else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
  else if (expected === 'any') wrong.setExpectedAny(new Empty());
  else wrong.setExpectedRevision(expected.toString());
  return new AppendResp().setWrongExpectedVersion(wrong);
}

function batchExpected(options: BatchAppendReq.Options): ExpectedRevision {
  if (options.hasStreamPosition()) return BigInt(options.getStreamPosition());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return 'any';
}

interface PendingBatch {
  options: BatchAppendReq.Options;
  messages: BatchAppendReq.ProposedMessage[];
}

/**
 * Streams.BatchAppend: one long-lived duplex call; each append is a run of requests sharing a
 * correlation id (options on the first, is_final on the last), answered by one response.
 */
export function batchAppendHandler(store: EventStore) {
  return (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
    const pending = new Map<string, PendingBatch>();
    const inFlight = new Set<Promise<void>>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId()?.getString();
      const options = request.getOptions();
      const batch = correlation ? (pending.get(correlation) ?? (options ? { options, messages: [] } : null)) : null;
      if (!correlation || !batch) {
        call.emit('error', grpcError(Status.INVALID_ARGUMENT, 'A batch needs a correlation id and, first, options'));
        return;
      }
      pending.set(correlation, batch);
      batch.messages.push(...request.getProposedMessagesList());
      if (!request.getIsFinal()) return;
      pending.delete(correlation);
      const done = batchResponse(store, correlation, batch).then(
        (response) => void (call.cancelled || call.write(response)),
        (error: unknown) => void call.emit('error', asGrpcError(error)),
      );
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    });
    call.on('end', () => void Promise.allSettled([...inFlight]).then(() => call.end()));
  };
}

async function batchResponse(store: EventStore, correlation: string, batch: PendingBatch): Promise<BatchAppendResp> {
  const stream = streamName(batch.options.getStreamIdentifier());
  const expected = batchExpected(batch.options);
  const response = new BatchAppendResp().setCorrelationId(uuid(correlation)).setStreamIdentifier(streamIdentifier(stream));
  if (typeof expected === 'bigint') response.setStreamPosition(expected.toString());
  else if (expected === 'no_stream') response.setNoStream(new GoogleEmpty());
  else if (expected === 'stream_exists') response.setStreamExists(new GoogleEmpty());
  else response.setAny(new GoogleEmpty());
  try {
    const events = batch.messages.map(toProposedEvent);
    const outcome = await append(store, stream, events, expected);
    if (outcome.ok) {
      const wire = toWirePosition(outcome.result.position);
      const position = new AllStreamPosition().setCommitPosition(wire.commit.toString()).setPreparePosition(wire.prepare.toString());
      const success = new BatchAppendResp.Success().setCurrentRevision(outcome.result.nextExpectedRevision.toString()).setPosition(position);
      return response.setSuccess(success);
    }
    return response.setError(wrongExpectedVersionStatus(outcome.refused));
  } catch (error) {
    const failure = asGrpcError(error);
    // The client reads the details of every error (and throws without them): say Unknown.
    const details = new Any();
    details.pack(new Unknown().serializeBinary(), 'event_store.client.Unknown');
    // google.rpc.Code and gRPC status codes are the same numbers.
    return response.setError(new RpcStatus().setCode(Number(failure.code)).setMessage(failure.details).setDetails(details));
  }
}

/** A google.rpc.Status whose details pack event_store.client.WrongExpectedVersion, as the server sends. */
function wrongExpectedVersionStatus({ expected, actual }: WrongExpectedRevisionError): RpcStatus {
  const details = new WrongExpectedVersion();
  if (actual === 'no_stream') details.setCurrentNoStream(new GoogleEmpty());
  else details.setCurrentStreamRevision(actual.toString());
  if (expected === 'no_stream') details.setExpectedNoStream(new GoogleEmpty());
  else if (expected === 'stream_exists') details.setExpectedStreamExists(new GoogleEmpty());
  else if (expected === 'any') details.setExpectedAny(new GoogleEmpty());
  else details.setExpectedStreamPosition(expected.toString());
  const any = new Any();
  any.pack(details.serializeBinary(), 'event_store.client.WrongExpectedVersion');
  return new RpcStatus().setCode(Code.FAILED_PRECONDITION).setMessage('Wrong expected version').setDetails(any);
}
