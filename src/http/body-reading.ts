import { isUtf8 } from 'node:buffer';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import bytes from 'bytes';
import { largestCommandBytes } from '../articles/commands/command.schemas';
import { parse as parseContentType } from 'content-type';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../common/app-error';
import { pathOf, toProblem } from './problem.filter';

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

/** RFC 9110 §6.4.1: a message has content when Content-Length is non-zero or it is chunked. */
function hasContent(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
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

/** BODY_LIMIT in bytes, or by default the largest valid command body (largestCommandBytes). */
export function bodyLimitBytes(configured: string | null): number {
  return configured === null ? largestCommandBytes() : bytes.parse(configured)!;
}

/**
 * The body reading every route shares, as middleware: guardBodies, then JSON only, in UTF-8
 * (body-parser refuses other charsets with 415, RFC 8259 §8.1); gzip, deflate and br bodies are
 * inflated, and `limit` (bytes) applies to the inflated size.
 */
export function bodyReading(limit: number): RequestHandler[] {
  // strict: false reads any JSON text (RFC 8259 §2): `"a"` or `null` is JSON, and the route's schema
  // refuses it as "must be object" rather than the parser calling it "not valid JSON".
  return [guardBodies(limit), json({ limit, strict: false, type: ['application/json', 'application/*+json'], verify: requireUtf8 })];
}
