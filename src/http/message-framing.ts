import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import { corsHeaders, edgeSecurityHeaders } from './browser-edge';
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
  // isIPv6 takes a zone id (fe80::1%eth0), which RFC 3986's IP-literal has no room for; "v" is case-insensitive (RFC 5234 §2.3).
  if (literal) return (isIPv6(literal[1]) && !literal[1].includes('%')) || /^v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/i.test(literal[1]);
  return /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?::[0-9]*)?$/.test(value);
}

/** How many field lines of `name` (lower case) the request had: Node keeps only the first Host of several. Runs on every request: only names of the right length are lower-cased. */
function fieldLines(request: IncomingMessage, name: string): number {
  let lines = 0;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name) lines++;
  return lines;
}

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
 * - an Expect with any member other than 100-continue is 417 (RFC 9110 §10.1.1), in HTTP/1.1;
 *   an empty one names no expectation.
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
  const expect = request.headers.expect;
  if (expect === undefined) return null;
  // Node's own test for 100-continue is looser (it finds the word anywhere in the value): every member counts here.
  const expectations = expect
    .split(',')
    .map((member) => member.trim().toLowerCase())
    .filter((member) => member !== '');
  // An HTTP/1.0 request's expectations are ignored, as Node ignores them (RFC 9110 §10.1.1: its 100-continue MUST be).
  if (request.httpVersionMinor >= 1 && expectations.some((member) => member !== '100-continue')) {
    return { status: 417, detail: 'This server meets no expectation but "100-continue" (RFC 9110 §10.1.1)' };
  }
  return null;
}

/**
 * Answers `fault` (framingFault's) as a problem document (RFC 9457) whose `instance` is the path,
 * with the headers every response has (helmet's, and CORS for an origin in `corsOrigins`,
 * CORS_ORIGINS) and `Connection: close`, written on Node's response at once: Node's parser may
 * meet the body's faulty framing right after, and its error handler (answerClientError) must find
 * the answer begun, or it would send one of its own without those headers.
 */
function answerFramingFault(request: IncomingMessage, response: ServerResponse, fault: FramingFault, corsOrigins: readonly string[]): void {
  const body = JSON.stringify({ ...problem(fault.status, slugOf(fault.status), fault.detail), instance: pathOf(request) });
  edgeSecurityHeaders(request, response, () => {
    const headers = { ...corsHeaders(corsOrigins, request.headers.origin), Connection: 'close', 'Content-Type': PROBLEM_CONTENT_TYPE };
    response.writeHead(fault.status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  });
}

/**
 * When framingFault finds fault with the request, takes the reply from Fastify and answers it
 * (answerFramingFault): true. False, and nothing done, for a request without fault.
 */
export function refusedFraming(request: FastifyRequest, reply: FastifyReply, corsOrigins: readonly string[]): boolean {
  const fault = framingFault(request.raw);
  if (!fault) return false;
  reply.hijack();
  answerFramingFault(request.raw, reply.raw, fault, corsOrigins);
  return true;
}

/**
 * The part of Fastify's first onRequest hook (observeRequests' `then`) that answers the requests
 * framingFault finds fault with (refusedFraming); others go on. First, before CORS (whose
 * preflight answer would skip it), the middleware and the routes: no token check, body reader or
 * route meets such a request, and it is logged and counted (the same hook observed it just
 * before) as any other.
 */
export function refuseFaultyFraming(corsOrigins: readonly string[]) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (!refusedFraming(request, reply, corsOrigins)) done();
  };
}

/**
 * Node answers an `Expect` it does not take for 100-continue with a bare 417 of its own unless
 * the server listens for `checkExpectation` (node:http). This listener hands such a request to
 * the app as any other, where refuseFaultyFraming answers it (framingFault decides, member by
 * member) with the headers and the log line every response has. Its body is never read.
 */
export function answerExpectations(server: Server): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => server.emit('request', request, response));
}
