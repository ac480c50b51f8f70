import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { problem, PROBLEM_CONTENT_TYPE, slugOf } from './problem.filter';

/** The whole request's time limit, headers and body, in ms: Node's requestTimeout, which serverOptions (app.setup) keeps at Node's default. */
export const REQUEST_TIMEOUT_MS = 300_000;
/** The headers' time limit, in ms: Node's headersTimeout, left at its default (node:http). */
export const HEADERS_TIMEOUT_MS = 60_000;

/**
 * Answers the requests Node's HTTP parser refuses before any route sees them with a problem
 * document (RFC 9457) instead of an empty body: headers or a URL over Node's header limit are
 * 431 (RFC 6585 §5), a malformed request (a duplicated or invalid Content-Length, Content-Length
 * with Transfer-Encoding: RFC 9112 §6.3) is 400, a request whose headers take longer than Node's
 * headersTimeout or whose whole takes longer than its requestTimeout (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS) is 408.
 * The connection is closed after the answer, as Node does. A socket already gone is destroyed.
 * A request before the fault on the same connection (pipelined, RFC 9112 §9.3) is answered first:
 * while the response on the connection answers a request read whole, this waits until it has
 * closed, and then for the next one Node gives the connection, so the refusal comes last, in
 * order. When the fault is in the body of the request being answered, its answer, once begun, is
 * the only one: the connection is ended after it. (Node's own handler writes
 * its 400 at once unless that response has sent its headers: a command pipelined before a
 * malformed request was stored and its answer replaced by the 400.) If such a response closes the
 * connection (the fault was in its own body, say, or it said `Connection: close`), nothing more is
 * written. Given to Fastify as its `clientErrorHandler`, which it listens to Node's 'clientError' with.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // Node's own name for the response on a connection (its socketOnError reads the same field).
  const inFlight = (socket as Duplex & { _httpMessage?: (EventEmitter & { headersSent: boolean; req?: { complete: boolean } }) | null })._httpMessage;
  if (inFlight?.req?.complete) {
    // An earlier request, read whole, is being answered. Node gives the connection to the next
    // response on 'finish', before 'close': look again after it.
    inFlight.once('close', () => setImmediate(() => answerClientError(error, socket)));
    return;
  }
  // The fault is in the body of the request being answered: no second answer once its own has begun.
  if (inFlight?.headersSent) {
    socket.end();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request line and headers are larger than this server reads'
      : status === 408
        ? `The request did not arrive in time: its headers within ${HEADERS_TIMEOUT_MS / 1000} s, or all of it within ${REQUEST_TIMEOUT_MS / 1000} s`
        : 'The request is not valid HTTP/1.1 (RFC 9112)';
  const doc = problem(status, slugOf(status), detail);
  const body = JSON.stringify(doc);
  socket.end(
    `HTTP/1.1 ${status} ${doc.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
