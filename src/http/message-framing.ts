import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import type { Middleware } from './body-reading';
import { pathOf, problem, PROBLEM_CONTENT_TYPE, slugOf } from './problem.filter';

/**
 * A request that no route may see as it is, and why: its status (400, 417, 501 or 505) and the
 * problem document's detail, naming the rule broken. Each closes the connection: after a faulty
 * Host, version or framing, nothing else read from it can be trusted to be a request.
 */
export interface FramingFault {
  status: 400 | 417 | 501 | 505;
  detail: string;
}

/**
 * A Host field value (RFC 9112 §3.2): `uri-host [ ":" port ]` of RFC 3986 §3.2.2-3.2.3, where
 * uri-host is a reg-name (unreserved, pct-encoded and sub-delims characters, an IPv4 address
 * among them) or an IP-literal in brackets (an IPv6 address, node:net isIPv6, or an IPvFuture);
 * the port is digits, maybe none. Empty is valid: a request whose target has no authority sends it so.
 */
export function isValidHost(value: string): boolean {
  const literal = /^\[([^\]]*)\](?::[0-9]*)?$/.exec(value);
  if (literal) return isIPv6(literal[1]) || /^v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/.test(literal[1]);
  return /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?::[0-9]*)?$/.test(value);
}

/** How many field lines of `name` (lower case) the request had: Node keeps only the first Host of several. */
function fieldLines(request: IncomingMessage, name: string): number {
  let lines = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i].toLowerCase() === name) lines++;
  return lines;
}

/** Requests whose `Expect` this server cannot meet (anything but 100-continue), marked by answerExpectations. */
const unmetExpectation = new WeakSet<IncomingMessage>();

/**
 * What is wrong with a request's version, Host, Transfer-Encoding or Expect, or null when nothing is:
 * - a major version other than 1 is 505 (RFC 9110 §15.6.6; Node's parser takes `HTTP/2.0` in a
 *   request line);
 * - an HTTP/1.1 request without Host, any request with more than one Host field line, or with a
 *   Host value that is not a valid authority, is 400 (RFC 9112 §3.2 says a server MUST);
 * - a Transfer-Encoding whose final coding is not chunked is 400 (RFC 9112 §6.3, item 4), as is
 *   one in an HTTP/1.0 request (§6.1) or with chunked more than once (§7); a coding other than
 *   chunked (gzip, say, before chunked) is 501, one this server does not implement (§6.1): Node
 *   would hand the route the coded bytes as if they were the body;
 * - an Expect other than 100-continue is 417 (RFC 9110 §10.1.1).
 */
export function framingFault(request: IncomingMessage): FramingFault | null {
  if (request.httpVersionMajor !== 1) {
    return { status: 505, detail: `This server speaks HTTP/1.0 and HTTP/1.1, not HTTP/${request.httpVersion} (RFC 9110 §15.6.6)` };
  }
  const hosts = fieldLines(request, 'host');
  if (hosts === 0 && request.httpVersionMinor >= 1) return { status: 400, detail: 'An HTTP/1.1 request needs a Host header (RFC 9112 §3.2)' };
  if (hosts > 1) return { status: 400, detail: 'A request may have one Host header, not several (RFC 9112 §3.2)' };
  if (hosts === 1 && !isValidHost(request.headers.host ?? '')) {
    return { status: 400, detail: 'The Host header is not a host and optional port (RFC 9112 §3.2, RFC 3986 §3.2.2)' };
  }
  const transferEncoding = request.headers['transfer-encoding'];
  if (transferEncoding !== undefined) {
    // Codings are tokens, case-insensitive, maybe with parameters (RFC 9112 §7); Node joins several field lines with ", ".
    const codings = transferEncoding
      .split(',')
      .map((coding) => coding.split(';')[0].trim().toLowerCase())
      .filter((coding) => coding !== '');
    if (request.httpVersionMinor === 0) return { status: 400, detail: 'An HTTP/1.0 request cannot have a Transfer-Encoding (RFC 9112 §6.1)' };
    if (codings.at(-1) !== 'chunked') return { status: 400, detail: 'A request body with a Transfer-Encoding must be chunked last (RFC 9112 §6.3)' };
    if (codings.indexOf('chunked') !== codings.length - 1) return { status: 400, detail: 'A body may be chunked once only (RFC 9112 §7)' };
    const other = codings.find((coding) => coding !== 'chunked');
    if (other !== undefined) {
      return {
        status: 501,
        detail: `The transfer coding "${other}" is not implemented: send the body chunked only, and name a compression in Content-Encoding (RFC 9112 §6.1)`,
      };
    }
  }
  if (unmetExpectation.has(request)) return { status: 417, detail: 'This server meets no expectation but "100-continue" (RFC 9110 §10.1.1)' };
  return null;
}

/**
 * Middleware answering the requests framingFault finds fault with, as problem documents (RFC
 * 9457) whose `instance` is the path, and closing their connections; others go on. Placed after
 * the security and CORS headers (applyBrowserEdge) and before authentication and the body reader,
 * so that such an answer has the headers every response has, is logged and counted as any other,
 * and no route, token check or body reader meets the request.
 */
export function refuseFaultyFraming(): Middleware {
  return (request, response, next) => {
    const fault = framingFault(request);
    if (!fault) return next();
    const body = JSON.stringify({ ...problem(fault.status, slugOf(fault.status), fault.detail), instance: pathOf(request) });
    response.writeHead(fault.status, { Connection: 'close', 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  };
}

/**
 * Node answers an `Expect` other than 100-continue with a bare 417 of its own unless the server
 * listens for `checkExpectation` (node:http). This listener marks the request and hands it to the
 * app as any other, where refuseFaultyFraming answers the 417 with the headers and the log line
 * every response has. Its body is never read.
 */
export function answerExpectations(server: Server): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    unmetExpectation.add(request);
    server.emit('request', request, response);
  });
}
