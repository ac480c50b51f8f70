import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Characters of text (strings and keys, counted up to here) above which a JSON response is
 * written in pieces. A maximum article is about 10 million characters and a diff of one about
 * 40 million: one JSON.stringify and one UTF-8 encoding of that held the event loop for 0.2-2 s.
 */
export const LARGE_JSON_CHARS = 1024 * 1024;

/** Characters of JSON text written to the socket per turn of the event loop. */
const PIECE_CHARS = 256 * 1024;

/**
 * JSON to be sent as it is (a document stored as JSON): the reply is `bytes`, its UTF-8 text,
 * with no decoding, no parse and no second serialisation (see jsonReplyBody). Anything else
 * that serialises it gets the value the text stands for.
 */
export class JsonText {
  constructor(readonly bytes: Buffer) {}

  toJSON(): unknown {
    return JSON.parse(this.bytes.toString('utf8'));
  }
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * What Fastify is given to send for a route's return value `body`:
 * - a JsonText: its bytes, as application/json (Content-Length), or in pieces when large;
 * - a large value (see LARGE_JSON_CHARS): a stream of the bytes JSON.stringify would give, a
 *   piece at a time, a turn of the event loop for each, sent with chunked transfer coding
 *   (RFC 9112 §7.1) as the socket drains (no piece is made before the previous one is taken);
 * - anything else unchanged: Fastify serialises it with JSON.stringify.
 * A HEAD request gets the headers and no body, with none made. A large value must be
 * JSON-serialisable (a BigInt found half way can only end the connection).
 */
export function jsonReplyBody(body: unknown, method: string, reply: FastifyReply): unknown {
  const bytes = body instanceof JsonText ? body.bytes : null;
  if (bytes === null && !isLarge(body)) return body;
  if (!reply.hasHeader('content-type')) reply.header('Content-Type', JSON_CONTENT_TYPE);
  if (bytes !== null && bytes.length <= LARGE_JSON_CHARS) return bytes;
  if (method === 'HEAD' || reply.statusCode === 204 || reply.statusCode === 304) return Readable.from([]);
  return Readable.from(inTurns(bytes === null ? jsonPieces(body) : bytePieces(bytes)), { objectMode: true, highWaterMark: 1 });
}

/**
 * Nest's Fastify adapter, with every route's return value handed to jsonReplyBody on its way to
 * Fastify, so that large answers are written in pieces. Done here, where Nest gives the adapter
 * the value to send, rather than in a global interceptor: an interceptor puts RxJS and an
 * AsyncResource.bind around every request's handler, about a tenth of a small request's CPU.
 * A raw Node response (no Fastify reply: Nest's own fallbacks) is sent as it is.
 */
export class LargeJsonFastifyAdapter extends FastifyAdapter {
  override reply(response: Parameters<FastifyAdapter['reply']>[0], body: unknown, statusCode?: number): ReturnType<FastifyAdapter['reply']> {
    const method = (response as Partial<FastifyReply>).request?.method;
    return super.reply(response, method === undefined ? body : jsonReplyBody(body, method, response as FastifyReply), statusCode);
  }
}

/** Whether the strings and keys of `value` add up to more than LARGE_JSON_CHARS characters. */
export function isLarge(value: unknown): boolean {
  return typeof value === 'object' && value !== null && exceeds(value, LARGE_JSON_CHARS);
}

/** `bytes` in pieces of PIECE_CHARS bytes (views, not copies). */
function* bytePieces(bytes: Buffer): Generator<Buffer> {
  for (let start = 0; start < bytes.length; start += PIECE_CHARS) yield bytes.subarray(start, start + PIECE_CHARS);
}

/** The pieces (JSON text, or its UTF-8 bytes) joined about PIECE_CHARS at a time, a turn of the event loop after each. */
async function* inTurns(pieces: Iterable<string> | Iterable<Buffer>): AsyncGenerator<string | Buffer> {
  let pending: Array<string | Buffer> = [];
  let chars = 0;
  const joined = () => (pending.every((piece) => typeof piece === 'string') ? pending.join('') : Buffer.concat(pending as Buffer[]));
  for (const piece of pieces) {
    pending.push(piece);
    chars += piece.length;
    if (chars < PIECE_CHARS) continue;
    yield joined();
    pending = [];
    chars = 0;
    // A socket that drains at once (loopback) would otherwise run the whole answer in one turn.
    await nextTurn();
  }
  if (pending.length > 0) yield joined();
}

/**
 * JSON.stringify(value) in pieces whose concatenation is exactly its text: arrays and objects
 * holding more than PIECE_CHARS characters are opened up, smaller values are stringified whole.
 * The rules are JSON.stringify's (ECMA-262 §25.5.2): toJSON first; in objects, members whose
 * value is undefined, a function or a symbol are left out; in arrays those are null.
 */
export function* jsonPieces(value: unknown): Generator<string> {
  const resolved = withToJson(value, '');
  if (!omitted(resolved)) yield* piecesOf(resolved);
}

/** The pieces of a value whose toJSON, if any, has been called already. */
function* piecesOf(value: unknown): Generator<string> {
  if (typeof value !== 'object' || value === null || !exceeds(value, PIECE_CHARS)) {
    yield JSON.stringify(value);
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      const item = withToJson(value[i], String(i));
      if (omitted(item)) yield 'null';
      else yield* piecesOf(item);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const [name, raw] of Object.entries(value)) {
    const item = withToJson(raw, name);
    if (omitted(item)) continue;
    yield `${first ? '' : ','}${JSON.stringify(name)}:`;
    first = false;
    yield* piecesOf(item);
  }
  yield '}';
}

/** SerializeJSONProperty's first step: an object's toJSON(key), when it has one. */
function withToJson(value: unknown, key: string): unknown {
  const holder = value as { toJSON?: (key: string) => unknown } | null;
  return typeof holder === 'object' && holder !== null && typeof holder.toJSON === 'function' ? holder.toJSON(key) : value;
}

const omitted = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** Whether the strings and keys inside `value` add up to more than `limit` characters. */
function exceeds(value: object, limit: number): boolean {
  let chars = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') chars += item.length;
    else if (Array.isArray(item)) for (const child of item) stack.push(child);
    else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        chars += key.length;
        stack.push(child);
      }
    }
    if (chars > limit) return true;
  }
  return false;
}
