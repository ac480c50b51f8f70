/**
 * What the OpenAPI document says beyond the request schemas: responses, their headers, the
 * problem documents of errors and the conditional-request headers, from the same TypeBox schemas
 * the server answers with.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Type, type TSchema } from '@sinclair/typebox';
import { STATUS_CODES } from 'node:http';

const plain = (schema: TSchema) => JSON.parse(JSON.stringify(schema)) as SchemaObject;

/** An RFC 9457 problem document, as every error is answered (API.md "Conventions"). */
export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'A URI reference naming the kind of problem, e.g. /problems/invalid-input' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.Optional(Type.String({ description: 'The request path (never its query string)' })),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  currentRevision: Type.Optional(Type.Integer({ description: "On 412: the article's current revision (also in ETag)" })),
});

/** The body of every command response (API.md "Conventions"). */
export const CommandResponseSchema = Type.Object({
  articleId: Type.String({ format: 'uuid' }),
  revision: Type.Integer({ minimum: 0, description: 'The stream revision after the command; also the ETag' }),
  position: Type.String({ pattern: '^\\d+$', description: 'The global log position of the last event, a decimal string' }),
  quoteId: Type.Optional(Type.String({ description: 'POST .../quotes: the new quote' })),
  correctionId: Type.Optional(Type.String({ description: 'POST .../corrections: the new correction' })),
});

const ETAG = { ETag: { description: 'The article\'s revision, quoted: "<revision>"', schema: { type: 'string' } } } as const;

/** Problem responses for these statuses, each with its standard title as description. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: STATUS_CODES[status],
        content: { 'application/problem+json': { schema: plain(ProblemSchema) } },
        ...(status === 412 ? { headers: ETAG } : {}),
        ...(status === 401 ? { headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer realm="newsroom"' } } } : {}),
      }),
    ),
  );
}

/**
 * A command route (API.md "Commands"): bearer auth, If-Match required when `existing`,
 * Idempotency-Key and X-Correlation-Id, the command response with ETag (and Location when it
 * creates an article), and the problem documents a command can answer with.
 */
export function ApiCommand(options: { status: 200 | 201; existing: boolean; location?: boolean }) {
  const headers: Record<string, { description: string; schema: { type: 'string' } }> = { ...ETAG };
  if (options.location) headers.Location = { description: '/api/articles/{id}', schema: { type: 'string' } };
  return applyDecorators(
    ApiBearerAuth(),
    ...(options.existing
      ? [ApiHeader({ name: 'If-Match', required: true, description: 'The article\'s ETag, "<revision>" (RFC 9110 §13.1.1); a weak tag never matches' })]
      : []),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: '1-200 visible ASCII characters naming this request; a repeat returns the first response',
    }),
    ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'Stored with the events and echoed' }),
    ApiResponse({
      status: options.status,
      description: 'The command was recorded',
      headers,
      content: { 'application/json': { schema: plain(CommandResponseSchema) } },
    }),
    ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, ...(options.existing ? [412, 428] : []), 503),
  );
}

/** A read route: bearer auth, its 200 and its problem responses. */
export function ApiRead(...statuses: number[]) {
  return applyDecorators(ApiBearerAuth(), ApiResponse({ status: 200, description: 'OK' }), ApiProblems(400, 401, ...statuses));
}

/** GET of one article: its revision as ETag, and 304 for an If-None-Match that names it. */
export function ApiArticleRead() {
  return applyDecorators(
    ApiBearerAuth(),
    ApiResponse({
      status: 200,
      description: 'The article read model (with ETag); with asOf, the article view as of that instant, asOf and visible',
      headers: ETAG,
    }),
    ApiResponse({ status: 304, description: 'If-None-Match names the current revision', headers: ETAG }),
    // 503 server-busy: an as-of read folds the stream, sharing the audit reads' bulkhead.
    ApiProblems(400, 401, 404, 503, 504),
  );
}
