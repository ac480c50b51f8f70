import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InvalidInputError } from '../common/app-error';

/** Metadata ValidQuery sets on a handler: its query string is checked against a schema (request-schema.ts). */
export const QUERY_SCHEMA = 'newsroom:query-schema';

/** Marks a handler whose query string a schema checks; without it, an /api route takes no query parameters. */
export const DeclaresQuery = () => SetMetadata(QUERY_SCHEMA, true);

/**
 * The query string of every /api request, before any route reads it:
 * - each `name=value` pair must be percent-encoded UTF-8 (RFC 3986 §2.1, §2.5): a lone `%` or
 *   `%FF` is 400, where the query parser would have read U+FFFD or the text as sent;
 * - a route with no query schema (every command: API.md takes a command's input from its body
 *   and headers) refuses any parameter with 400 naming it, so `PUT …/headline?x=1` is not
 *   silently accepted, nor the same request as without it for its Idempotency-Key.
 * Routes with a schema (@ValidQuery) check their parameters there.
 *
 * @throws InvalidInputError (400) listing the parameters refused.
 */
@Injectable()
export class QueryStringGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ originalUrl?: string; url: string }>();
    const url = request.originalUrl ?? request.url;
    const start = url.indexOf('?');
    // Routes match case-insensitively (app.setup.ts): /API/articles is an /api route too.
    if (start < 0 || !/^\/api\//i.test(url)) return true;
    const pairs = url
      .slice(start + 1)
      .split('&')
      .filter((pair) => pair !== '');
    const badlyEncoded = pairs.filter((pair) => !isPercentEncodedUtf8(pair));
    if (badlyEncoded.length > 0) {
      throw new InvalidInputError(
        'The query string is not percent-encoded UTF-8 (RFC 3986 §2.1)',
        badlyEncoded.slice(0, 20).map((pair) => ({ field: pair.split('=')[0].slice(0, 100), message: 'must be percent-encoded UTF-8' })),
      );
    }
    if (pairs.length === 0 || this.reflector.get<boolean>(QUERY_SCHEMA, context.getHandler())) return true;
    const names = [...new Set(pairs.map((pair) => decodeURIComponent(pair.split('=')[0].replace(/\+/g, ' '))))];
    throw new InvalidInputError(
      'This request takes no query parameters',
      names.slice(0, 20).map((field) => ({ field: field.slice(0, 100), message: 'is not a parameter of this request' })),
    );
  }
}

/** Whether `text` (a query pair or a path segment) is percent-encoded UTF-8 (RFC 3986 §2.1, §2.5), `+` read as a space. */
export function isPercentEncodedUtf8(text: string): boolean {
  try {
    decodeURIComponent(text.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}
