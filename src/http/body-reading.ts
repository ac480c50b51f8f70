import { isUtf8 } from 'node:buffer';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import bytes from 'bytes';
import { largestCommandBytes, largestCommandValues } from '../articles/commands/command.schemas';
import { parse as parseContentType } from 'content-type';
import { PayloadTooLargeError, UnauthenticatedError, UnsupportedMediaTypeError } from '../common/app-error';
import { requestUser, type UserDirectory } from '../auth/users';
import { pathOf, toProblem } from './problem.filter';
import { hasContent } from './request-schema';

/** Bodies larger than this are read one at a time, so a few of them cannot exhaust the heap together. */
export const LARGE_BODY_BYTES = 16 * 1024 * 1024;

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

function answer(response: Response, request: Request, error: unknown, close = false): void {
  const { problem, headers } = toProblem(error);
  if (close) headers.Connection = 'close';
  response
    .status(problem.status)
    .set(headers)
    .type('application/problem+json')
    .send(JSON.stringify({ ...problem, instance: pathOf(request) }));
}

/**
 * Runs before the JSON body parser. A charset other than UTF-8 (RFC 8259 §8.1: JSON between
 * systems is UTF-8) or a Content-Type that does not parse is 415; a declared Content-Length over
 * `limit` is 413 at once, without reading the body; bodies over LARGE_BODY_BYTES, or of unknown
 * length, are read one at a time.
 */
export function guardBodies(limit: number): RequestHandler {
  const large = new OneAtATime();
  return (request: Request, response: Response, next: NextFunction) => {
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
      return answer(response, request, new PayloadTooLargeError('The request body is larger than any valid request (API.md "Limits")'), true);
    }
    if (length <= LARGE_BODY_BYTES) return next();
    void large.acquire().then((release) => {
      response.once('close', release);
      next();
    });
  };
}

/** body-parser's `verify`: bytes that are not UTF-8 are refused instead of silently replaced with U+FFFD. */
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
 * body-parser's `verify`, run on the (inflated) bytes before JSON.parse: UTF-8 only (requireUtf8),
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
export function authenticateBodies(users: UserDirectory): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
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
 * The body reading every route shares, as middleware: guardBodies, then JSON only, in UTF-8
 * (body-parser refuses other charsets with 415, RFC 8259 §8.1); gzip, deflate and br bodies are
 * inflated, and `limit` (bytes) applies to the inflated size.
 */
export function bodyReading(limit: number, users: UserDirectory): RequestHandler[] {
  // strict: false reads any JSON text (RFC 8259 §2): `"a"` or `null` is JSON, and the route's schema
  // refuses it as "must be object" rather than the parser calling it "not valid JSON".
  return [
    authenticateBodies(users),
    guardBodies(limit),
    json({ limit, strict: false, type: ['application/json', 'application/*+json'], verify: verifyBody(largestCommandValues() + 1024) }),
  ];
}
