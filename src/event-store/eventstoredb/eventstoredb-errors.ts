import { CancelledError, DeadlineExceededError, NotLeaderError, TimeoutError, UnavailableError, WrongExpectedVersionError } from '@eventstore/db-client';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import { ExpectedRevision } from '../event-store.port';

/** gRPC status codes that say "the server could not be reached or did not answer in time". */
const UNREACHABLE_CODES = new Set([
  1, // CANCELLED by the server side (a client's own cancel never reaches here)
  4, // DEADLINE_EXCEEDED
  10, // ABORTED: the client maps it to TimeoutError (the server gave up waiting on the cluster)
  14, // UNAVAILABLE
]);

function grpcCode(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  return typeof error.code === 'number' ? error.code : null;
}

/**
 * True when a call failed because EventStoreDB was out of reach: the connection dropped or was
 * refused, a deadline passed, the node stopped being the leader, or cluster discovery found no
 * node. The client reports these sometimes as its own error classes and sometimes as raw gRPC
 * errors (e.g. when fetching server features), so both are recognised.
 */
export function isUnreachable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError
  ) {
    return true;
  }
  const code = grpcCode(error);
  if (code !== null && UNREACHABLE_CODES.has(code)) return true;
  if (!(error instanceof Error)) return false;
  // Thrown by the client's gossip discovery when no cluster node answers.
  if (/^Failed to discover after \d+ attempts/.test(error.message)) return true;
  // A known grpc-js/Node race while a connection goes away (grpc-node#2502).
  return /write after end/.test(error.message);
}

/** Maps a failed append onto the port's errors; anything else is returned unchanged. */
export function appendError(error: unknown, streamId: string, expected: ExpectedRevision): unknown {
  if (error instanceof WrongExpectedVersionError) {
    const actual = error.actualVersion;
    return new WrongExpectedRevisionError(streamId, expected, typeof actual === 'bigint' && actual >= 0n ? actual : 'no_stream');
  }
  return storeError(error, `append to ${streamId}`);
}

/** Maps a failed call onto EventStoreUnavailableError when the server was out of reach. */
export function storeError(error: unknown, operation: string): unknown {
  if (!isUnreachable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`EventStoreDB is unavailable (${operation}): ${reason}`, { cause: error });
}
