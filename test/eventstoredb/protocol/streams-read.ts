import { Metadata, ServerWritableStream, status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EventStore, RecordedEvent } from '../../../src/event-store/event-store.port';
import { toEventFilter } from './filter';
import { asGrpcError, fromWirePosition, grpcError, readEventResponse, streamIdentifier, streamName, toWirePosition } from './wire';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

/** Events fetched from the embedded store per query, whatever the client's count. */
const PAGE = 256;

/** Streams.Read: one stream, $all forwards or backwards, and catch-up subscriptions to $all. */
export function readHandler(store: EventStore): (call: ReadCall) => void {
  return (call) => {
    read(store, call).catch((error: unknown) => {
      const failure = asGrpcError(error);
      call.emit('error', { code: failure.code, details: failure.details, metadata: new Metadata() });
    });
  };
}

async function read(store: EventStore, call: ReadCall): Promise<void> {
  const options = call.request.getOptions();
  if (!options) throw grpcError(Status.INVALID_ARGUMENT, 'options are required');
  const count = options.hasCount() ? Math.min(Number(options.getCount()), Number.MAX_SAFE_INTEGER) : Infinity;
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const stream = options.getStream();
  const all = options.getAll();
  if (options.hasSubscription()) {
    if (!all) throw grpcError(Status.UNIMPLEMENTED, 'The protocol test server subscribes to $all only');
    await subscribeToAll(store, call, options, all);
  } else if (stream) {
    await readStream(store, call, stream, count, backwards);
  } else if (all) {
    await readAll(store, call, options, all, count, backwards);
  } else {
    throw grpcError(Status.INVALID_ARGUMENT, 'stream_option is required');
  }
  if (!call.cancelled) call.end();
}

/** Writes one response, waiting while the client's window is full (backpressure). */
async function send(call: ReadCall, response: ReadResp): Promise<void> {
  if (call.cancelled || call.write(response)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
  });
}

async function readStream(store: EventStore, call: ReadCall, options: ReadReq.Options.StreamOptions, count: number, backwards: boolean): Promise<void> {
  const name = streamName(options.getStreamIdentifier());
  const last = await store.streamRevision(name);
  if (last === null) {
    const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name));
    return send(call, new ReadResp().setStreamNotFound(notFound));
  }
  const at = options.hasRevision() ? BigInt(options.getRevision()) : options.hasEnd() ? last : 0n;
  let left = count;
  if (!backwards) {
    let from = options.hasEnd() ? last + 1n : at;
    while (left > 0 && !call.cancelled) {
      const wanted = Math.min(left, PAGE);
      const page = await store.readStream(name, { fromRevision: from, maxCount: wanted });
      for (const event of page) await send(call, readEventResponse(event));
      left -= page.length;
      if (page.length < wanted) return;
      from = page[page.length - 1].revision + 1n;
    }
    return;
  }
  // Backwards from a revision includes it, as EventStoreDB does for streams.
  let upTo = at < last ? at : last;
  while (left > 0 && upTo >= 0n && !call.cancelled) {
    const span = BigInt(Math.min(left, PAGE));
    const from = upTo - span + 1n > 0n ? upTo - span + 1n : 0n;
    const page = await store.readStream(name, { fromRevision: from, maxCount: Number(upTo - from + 1n) });
    for (const event of page.reverse()) await send(call, readEventResponse(event));
    left -= page.length;
    upTo = from - 1n;
  }
}

async function readAll(
  store: EventStore,
  call: ReadCall,
  options: ReadReq.Options,
  all: ReadReq.Options.AllOptions,
  count: number,
  backwards: boolean,
): Promise<void> {
  const filter = toEventFilter(options);
  const wire = all.getPosition();
  const at = wire ? fromWirePosition(wire.getCommitPosition(), wire.getPreparePosition()) : null;
  let left = count;
  const deliver = async (event: RecordedEvent) => {
    if (filter && !filter.matches(event)) return;
    await send(call, readEventResponse(event));
    left--;
  };
  if (!backwards) {
    // Forwards from a position includes the event at it (EventStoreDB does the same).
    let after = all.hasEnd() ? (await store.headPosition()).commit : at === null ? 0n : at - 1n;
    while (left > 0 && !call.cancelled) {
      const page = await store.readAll({ after: { commit: after, prepare: after }, maxCount: PAGE });
      for (const event of page) {
        if (left === 0) break;
        after = event.position.commit;
        await deliver(event);
      }
      if (page.length < PAGE) return;
    }
    return;
  }
  // Backwards from a position excludes the event at it.
  let before = all.hasStart() ? 1n : (at ?? (await store.headPosition()).commit + 1n);
  while (left > 0 && before > 1n && !call.cancelled) {
    const from = before - BigInt(PAGE) > 1n ? before - BigInt(PAGE) : 1n;
    const start = { commit: from - 1n, prepare: from - 1n };
    const page = await store.readAll({ after: start, maxCount: Number(before - from) });
    for (const event of page.filter((e) => e.position.commit < before).reverse()) {
      if (left === 0) break;
      await deliver(event);
    }
    before = from;
  }
}

/** Confirmation, catch-up, CaughtUp, then live; with a filter, a Checkpoint every window. */
async function subscribeToAll(store: EventStore, call: ReadCall, options: ReadReq.Options, all: ReadReq.Options.AllOptions): Promise<void> {
  const filter = toEventFilter(options);
  const head = (await store.headPosition()).commit;
  const wire = all.getPosition();
  const from = wire ? fromWirePosition(wire.getCommitPosition(), wire.getPreparePosition()) : null;
  const after = from ?? (all.hasEnd() ? head : 0n);
  const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
  await send(call, new ReadResp().setConfirmation(confirmation));
  let caughtUp = false;
  const reachedHead = async (position: bigint) => {
    if (caughtUp || position < head) return;
    caughtUp = true;
    await send(call, new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
  };
  await reachedHead(after);
  const subscription = store.subscribeToAll({ after: { commit: after, prepare: after } });
  call.on('cancelled', () => void subscription.close());
  if (call.cancelled) await subscription.close();
  let looked = 0;
  for await (const event of subscription) {
    if (call.cancelled) break;
    if (!filter || filter.matches(event)) await send(call, readEventResponse(event));
    if (filter && ++looked >= filter.checkpointInterval) {
      looked = 0;
      const position = toWirePosition(event.position);
      const checkpoint = new ReadResp.Checkpoint().setCommitPosition(position.commit.toString()).setPreparePosition(position.prepare.toString());
      await send(call, new ReadResp().setCheckpoint(checkpoint));
    }
    await reachedHead(event.position.commit);
  }
  await subscription.close();
}
