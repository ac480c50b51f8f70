import { isUtf8 } from 'node:buffer';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import bytes from 'bytes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { largestCommandBytes, largestCommandValues } from '../articles/commands/command.schemas';
import { parse as parseContentType } from 'content-type';
import { PayloadTooLargeError, RequestTimeoutError, UnauthenticatedError, UnsupportedMediaTypeError } from '../common/app-error';
import { requestUser, type UserDirectory } from '../auth/users';
import { BODY_TOO_LARGE, pathOf, PROBLEM_CONTENT_TYPE, toProblem } from './problem.filter';
import { hasContent, isJsonMediaType } from './request-schema';
import { PIECE_UNITS, utf8TextInTurns } from '../common/in-turns';

/** Bodies larger than this are read one at a time, so a few of them cannot exhaust the heap together. */
export const LARGE_BODY_BYTES = 16 * 1024 * 1024;

/** Connect-style middleware on Node's request and response, as @fastify/middie runs it. */
export type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** Allows one task at a time; the others wait in arrival order. */
class OneAtATime {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with a release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const turn = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return turn;
  }
}

/** Ends a raw response (middleware runs on Node's objects under @fastify/middie) with the problem document of `error`. */
function answer(response: ServerResponse, request: IncomingMessage, error: unknown, close = false): void {
  const { problem, headers } = toProblem(error);
  if (close) headers.Connection = 'close';
  const body = JSON.stringify({ ...problem, instance: pathOf(request) });
  response.writeHead(problem.status, { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/**
 * Runs before the body is read (middleware, in Fastify's onRequest phase). A charset other than
 * UTF-8 (RFC 8259 §8.1: JSON between systems is UTF-8) or a Content-Type that does not parse is
 * 415; a declared Content-Length over `limit` is 413 at once, without reading the body; bodies
 * over LARGE_BODY_BYTES, of unknown length, or compressed (their inflated size unknown) are read
 * one at a time, and one that goes `idleMs` (BODY_IDLE_MS) without a byte, or from `idleMs` after
 * its turn began on averages fewer than `minBytesPerSecond` (BODY_MIN_BYTES_PER_SECOND) since
 * then, is answered 408 and its connection closed, giving up its turn: else a client sending a
 * byte now and then would hold every queued body back until Node's 300 s request timeout. Any other
 * body that goes `idleMs` without a byte before its end is answered 408 the same way.
 */
export function guardBodies(limit: number, idleMs = BODY_IDLE_MS, minBytesPerSecond = BODY_MIN_BYTES_PER_SECOND): Middleware {
  const large = new OneAtATime();
  const idleBodies = new IdleBodies(idleMs);
  return (request, response, next) => {
    if (!hasContent(request)) return next();
    const type = request.headers['content-type'];
    if (type !== undefined) {
      let charset: string | undefined;
      try {
        charset = parseContentType(type).parameters.charset;
      } catch {
        return answer(response, request, new UnsupportedMediaTypeError(`Content-Type "${type}" does not parse (RFC 9110 §8.3)`));
      }
      if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
        return answer(response, request, new UnsupportedMediaTypeError(`JSON is read in UTF-8 only (RFC 8259 §8.1), not "${charset}"`));
      }
    }
    const length = Number(request.headers['content-length'] ?? NaN);
    if (length > limit) {
      // Answered before the body is read; the connection closes rather than drain it.
      return answer(response, request, new PayloadTooLargeError(BODY_TOO_LARGE), true);
    }
    const giveUp = (why: string) => {
      if (!response.headersSent) answer(response, request, new RequestTimeoutError(why), true);
      request.socket.destroySoon();
    };
    const idle = () => giveUp(`The request body stopped arriving: nothing came for ${idleMs / 1000} s`);
    // A compressed body's size is known only once inflated (up to `limit`): it waits its turn too.
    if (length <= LARGE_BODY_BYTES && contentCodingOf(request) === 'identity') {
      // Not queued, but a small body that stops arriving is answered as a queued one is, not after
      // Node's request timeout (REQUEST_TIMEOUT_MS, 300 s) with the connection held meanwhile.
      idleBodies.watch(request, response, idle);
      return next();
    }
    void large.acquire().then((release) => {
      // A body that stops arriving, or trickles in, gives up its turn, so that one client cannot hold every large upload.
      idleBodies.watch(request, response, idle);
      const began = Date.now();
      const bytesBefore = request.socket.bytesRead;
      const pace = setInterval(
        () => {
          const seconds = (Date.now() - began) / 1000;
          const rate = (request.socket.bytesRead - bytesBefore) / seconds;
          if (seconds * 1000 < idleMs || rate >= minBytesPerSecond) return;
          clearInterval(pace);
          giveUp(`The request body arrives at ${Math.round(rate)} B/s on average, below the ${minBytesPerSecond} B/s a body read in its turn must keep up`);
        },
        Math.max(idleMs / 6, 10),
      );
      response.once('close', () => {
        clearInterval(pace);
        release();
      });
      // Read in full: what follows (deciding, the append) may take long without a byte on the socket.
      request.once('end', () => clearInterval(pace));
      next();
    });
  };
}

/**
 * Bodies being read, each answered through its `onIdle` once `idleMs` pass without a byte arriving
 * on its socket (checked every sixth of `idleMs` by one timer for all of them, running only while
 * one is watched: so within 7/6 of `idleMs`), until the body has been read in full, the request
 * or the response has closed, or the response has been sent (a request refused before its body
 * was read). Not the socket's timer (`request.setTimeout`): that one is the connection's keep-alive
 * timer once a response is sent, and clearing it at the body's end left connections open forever.
 * Bytes of a pipelined request on the same connection count as progress.
 */
class IdleBodies {
  private readonly watched = new Set<{ request: IncomingMessage; seen: number; progressAt: number; onIdle: () => void }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly idleMs: number) {}

  watch(request: IncomingMessage, response: ServerResponse, onIdle: () => void): void {
    const entry = { request, seen: request.socket.bytesRead, progressAt: Date.now(), onIdle };
    this.watched.add(entry);
    const stop = () => {
      this.watched.delete(entry);
      if (this.watched.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
    request.once('end', stop);
    request.once('close', stop);
    response.once('finish', stop);
    response.once('close', stop);
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), Math.max(this.idleMs / 6, 10));
      this.timer.unref();
    }
  }

  private check(): void {
    const now = Date.now();
    for (const entry of this.watched) {
      const bytes = entry.request.socket?.bytesRead ?? entry.seen;
      if (bytes !== entry.seen) {
        entry.seen = bytes;
        entry.progressAt = now;
      } else if (now - entry.progressAt >= this.idleMs) {
        this.watched.delete(entry);
        entry.onIdle();
      }
    }
  }
}

/** The request's Content-Encoding, trimmed and in lower case (RFC 9110 §8.4.1: codings are case-insensitive); "identity" when it has none. */
function contentCodingOf(request: { headers: IncomingMessage['headers'] }): string {
  return (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
}

/** Milliseconds a body read in its turn (see guardBodies) may go without a byte before it is answered 408 (guardBodies' default). */
export const BODY_IDLE_MS = 30_000;

/**
 * Bytes per second a body read in its turn (see guardBodies) must average from BODY_IDLE_MS on
 * (guardBodies' default): 32 KiB/s, 1 MB in its first 30 s, well below any connection that can
 * upload a large article, far above a client that sends a byte now and then to stay "active".
 */
export const BODY_MIN_BYTES_PER_SECOND = 32 * 1024;

/** Bytes that are not UTF-8 are refused instead of silently replaced with U+FFFD. */
export function requireUtf8(_request: unknown, _response: unknown, body: Buffer): void {
  if (!isUtf8(body)) {
    throw Object.assign(new Error('The body is not valid UTF-8 (RFC 8259 §8.1)'), { status: 400, type: 'entity.not.utf8' });
  }
}

/**
 * How many value separators and container openings (`,` `[` `{`) a JSON text has outside its
 * strings, counting up to `limit` + 1 and stopping there. Not a parser: a count of the structure
 * JSON.parse would build, which a valid body bounds (largestCommandValues). Bytes of a multi-byte
 * UTF-8 character are never ASCII punctuation, so the bytes are scanned as they are.
 */
export function structureCount(body: Buffer, limit: number): number {
  let count = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // a backslash escapes the next byte (\" or \\)
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x2c || byte === 0x5b || byte === 0x7b) {
      if (++count > limit) return count;
    }
  }
  return count;
}

/**
 * The check run on the (inflated) bytes before JSON.parse: UTF-8 only (requireUtf8),
 * and no more structure than `maxValues` JSON values. A body with more cannot be valid; refusing
 * it (413) before JSON.parse keeps the parse bounded, and a 270 MB array of 135M zeros from
 * killing the process (it is past V8's array size limit).
 */
export function verifyBody(maxValues: number) {
  return (request: unknown, response: unknown, body: Buffer): void => {
    requireUtf8(request, response, body);
    if (body.length > maxValues && structureCount(body, maxValues) > maxValues) {
      throw Object.assign(new Error('The body holds more JSON values than any valid request (API.md "Limits")'), { status: 413, type: 'entity.too.large' });
    }
  };
}

/**
 * Refuses a request with a body and no valid bearer token (401) before its body is read: no
 * route that takes a body is public, so a client that cannot write may not make the server read,
 * inflate and parse up to the body limit. The bearer guard still decides roles (roles.decorator).
 */
export function authenticateBodies(users: UserDirectory): Middleware {
  return (request, response, next) => {
    if (!hasContent(request) || requestUser(request, users) !== null) return next();
    const presented = /^Bearer\s/i.test(request.headers.authorization ?? '');
    answer(response, request, new UnauthenticatedError('A valid "Authorization: Bearer <token>" header is required', presented), true);
  };
}

/** BODY_LIMIT in bytes, or by default the largest valid command body (largestCommandBytes). */
export function bodyLimitBytes(configured: string | null): number {
  return configured === null ? largestCommandBytes() : bytes.parse(configured)!;
}

/**
 * The middleware every route shares before its body is read: authenticateBodies, then
 * guardBodies (charset, Content-Type syntax, declared length, one large body at a time).
 */
export function bodyGuards(limit: number, users: UserDirectory): Middleware[] {
  return [authenticateBodies(users), guardBodies(limit)];
}

/** The content codings a request body may come in (RFC 9110 §8.4.1), and how each is undone. */
const INFLATERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** A stream of inflated bytes that tells Fastify how many encoded bytes it has read (for its Content-Length check). */
type Inflating = NodeJS.ReadWriteStream & { receivedEncodedLength: number };

/**
 * Fastify's preParsing hook for JSON bodies sent in a content coding (RFC 9110 §8.4): gzip,
 * deflate and br are inflated with node:zlib, identity passes as it is, any other coding (or a
 * list of them) is 415. Fastify's body limit then counts the inflated bytes, so a small gzip
 * body cannot inflate past it (413); bytes that are not the coding they claim are a zlib error,
 * answered 400 (problem type bad-content-coding). Bodies that are not JSON are never read.
 */
export function inflateBody(request: FastifyRequest, payload: Readable): Readable | NodeJS.ReadWriteStream {
  const coding = contentCodingOf(request);
  if (coding === 'identity' || !hasContent(request) || !isJsonMediaType(request.headers['content-type'])) return payload;
  const inflater = INFLATERS[coding];
  if (!inflater) throw new UnsupportedMediaTypeError('Request bodies are JSON in UTF-8, sent as identity, gzip, deflate or br');
  const inflating = Object.assign(inflater(), { receivedEncodedLength: 0 }) as Inflating;
  payload.on('data', (chunk: Buffer) => (inflating.receivedEncodedLength += chunk.length));
  payload.on('error', (error) => inflating.emit('error', error));
  return payload.pipe(inflating);
}

/**
 * Parses a JSON body (RFC 8259) read in full by Fastify: a UTF-8 byte order mark is skipped,
 * bytes that are not UTF-8 are 400 and too much structure 413 (verifyBody), then any JSON text is
 * taken (`"a"` or `null` too: the route's schema says "must be object", not the parser "not valid
 * JSON"). An empty body is `{}`: a command whose fields are all optional may be sent without one.
 * A text that does not parse is 400 with JSON.parse's message. `__proto__` is an ordinary key
 * here (JSON.parse makes it an own property); the schemas refuse unknown fields by name.
 * The value is returned as it is, or for a body of more than PIECE_UNITS bytes (up to
 * PIECEWISE_MAX_BYTES), as a Promise of it (parsedInTurns); the checks before parsing throw at once
 * either way.
 */
export function parseJsonBody(maxValues: number): (request: FastifyRequest, body: Buffer) => unknown {
  const verify = verifyBody(maxValues);
  return (request, body) => {
    const text = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body;
    verify(request, undefined, text);
    if (text.length === 0) return {};
    if (text.length > PIECE_UNITS && text.length <= PIECEWISE_MAX_BYTES) return parsedInTurns(text);
    return parsed(text.toString('utf8'));
  };
}

/**
 * Bodies up to this many bytes (64 MiB: three maximum-size articles in compact JSON) are decoded a
 * piece per turn (parsedInTurns). A larger one (valid only when most of it is JSON escapes or
 * whitespace) is decoded at once as before: its pieces and their joined text would be in memory
 * together, and joining hundreds of MB costs more than the turns save.
 */
export const PIECEWISE_MAX_BYTES = 64 * 1024 * 1024;

/** JSON.parse of a body's text; a text that does not parse is 400 with JSON.parse's message. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw Object.assign(new Error((error as Error).message), { statusCode: 400 });
  }
}

/**
 * A large body (more than PIECE_UNITS bytes, up to a maximum article's ~20 MB) decoded a piece per
 * turn of the event loop (utf8TextInTurns), then parsed in a turn of its own: the request that
 * sent it does not hold every other one for the whole of its decoding, parsing and handling.
 */
async function parsedInTurns(bytes: Buffer): Promise<unknown> {
  const text = await utf8TextInTurns(bytes);
  await nextTurn();
  return parsed(text);
}

/**
 * The body reading every route shares, on the Fastify instance: JSON only (application/json and
 * any application/*+json, RFC 6839 §3.1), in UTF-8, up to `limit` bytes after inflation
 * (inflateBody, parseJsonBody). A body of any other type is left unread: the route's schema
 * refuses it with 415 (request-schema.ts) and a route that takes no body ignores it.
 */
export function registerBodyParsers(fastify: FastifyInstance, limit: number): void {
  const parse = parseJsonBody(largestCommandValues() + 1024);
  fastify.removeAllContentTypeParsers();
  const parser = (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => {
    let value: unknown;
    try {
      value = parse(request, body as Buffer);
    } catch (error) {
      return done(error as Error, undefined);
    }
    if (!(value instanceof Promise)) return done(null, value);
    // A large body: its route runs in a later turn of its own (parsedInTurns).
    value.then(
      (parsedValue) => setImmediate(() => done(null, parsedValue)),
      (error: Error) => done(error, undefined),
    );
  };
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limit }, parser);
  fastify.addContentTypeParser(/^application\/[\w.+-]+\+json(\s*;|$)/, { parseAs: 'buffer', bodyLimit: limit }, parser);
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  fastify.addHook('preParsing', async (request, reply, payload) => {
    // The body is read now (JSON only: other types are left unread and refused): the client may send it.
    if (isJsonMediaType(request.headers['content-type'])) continueIfExpected(request.raw, reply.raw);
    return inflateBody(request, payload);
  });
}

/** Requests that asked `Expect: 100-continue` and have not been told to go on yet. */
const awaitingContinue = new WeakSet<IncomingMessage>();

/**
 * `Expect: 100-continue` (RFC 9110 §10.1.1): the `100 Continue` goes out only when the server is
 * about to read the body (continueIfExpected, from the body reader), so that a request refused
 * before that (401 without a valid token, 413 by its declared length, 415 by its type) gets its
 * final answer with no 100 first, and its client need not send a body that would be refused.
 * Node answers every such request with 100 itself unless the server has a `checkContinue`
 * listener (node:http), which then must emit `request` itself. Any other expectation is
 * message-framing.ts's (answerExpectations).
 */
export function answerExpectContinue(server: Server): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    awaitingContinue.add(request);
    server.emit('request', request, response);
  });
}

/** Sends `100 Continue` to a request that expects it (answerExpectContinue), once. */
export function continueIfExpected(request: IncomingMessage, response: ServerResponse): void {
  if (!awaitingContinue.delete(request) || response.headersSent) return;
  response.writeContinue();
}
