/**
 * The exact request edge: every request body and query string is checked against one JSON
 * Schema (written with TypeBox, so the same object gives the TypeScript type), compiled once by
 * ajv at start-up. The OpenAPI document is generated from the same schema objects, so the docs
 * and the server cannot disagree.
 */
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { FieldError, InvalidInputError, UnsupportedMediaTypeError } from '../common/app-error';
import { jsonSchemas } from '../common/json-schema';


/** Errors listed in one problem document at most: a body of 500 wrong blocks need not list 5,000. */
const MAX_LISTED_ERRORS = 100;

/** ajv's `/body/2/text` as `body[2].text`, the field names API.md's problem documents use. */
export function fieldPath(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1);
  if (child !== undefined) segments.push(child);
  return segments
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => {
      if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
      // A name that would not read as a name on its own (empty, or with dots) is quoted.
      if (segment === '' || /[.[\]\s"]/.test(segment)) return `${path}[${JSON.stringify(segment)}]`;
      return path ? `${path}.${segment}` : segment;
    }, '');
}

/** One ajv error as `{ field, message }`, naming the field itself for missing and unknown ones. */
export function toFieldError(error: ErrorObject): FieldError {
  const prefix = (field: string) => field || '(body)';
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { field: prefix(fieldPath(error.instancePath, missing)), message: 'is required' };
    }
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      return { field: prefix(fieldPath(error.instancePath, extra)), message: 'is not a field of this request' };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return { field: prefix(fieldPath(error.instancePath)), message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    default:
      return { field: prefix(fieldPath(error.instancePath)), message: error.message ?? 'is invalid' };
  }
}

/** A schema compiled once, with what the HTTP layer needs of it. */
export class RequestSchema<S extends TSchema> {
  private readonly validate: ValidateFunction;

  constructor(
    readonly schema: S,
    private readonly where: 'body' | 'query',
  ) {
    this.validate = (where === 'body' ? jsonSchemas.exact : jsonSchemas.queryString).compile(schema);
  }

  /**
   * The value itself when it matches the schema; otherwise throws InvalidInputError (400) listing
   * every failing field. Query values are coerced in place (ajv coerceTypes): "5" becomes 5.
   */
  check(value: unknown): Static<S> {
    if (this.validate(value)) return value as Static<S>;
    // The discriminator repeats what `required` and `enum` on the tag already say.
    const errors = (this.validate.errors ?? []).filter((e) => e.keyword !== 'discriminator').map(toFieldError);
    const unique = dedupe(errors).slice(0, MAX_LISTED_ERRORS);
    throw new InvalidInputError(
      `${unique.length === 1 ? 'One field' : `${unique.length} fields`} failed validation`,
      unique,
    );
  }

  /** The schema as OpenAPI 3.1 takes it (plain JSON: TypeBox's symbol keys dropped). */
  openApi(): SchemaObject {
    return JSON.parse(JSON.stringify(this.schema)) as SchemaObject;
  }
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}\n${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  query?: unknown;
}

/** RFC 9110 §6.4.1: a message has content when Content-Length is non-zero or it is chunked. */
function hasContent(request: HttpRequestLike): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** application/json or a +json type (RFC 6839 §3.1); parameters such as charset are the body parser's business. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

const checkBody = createParamDecorator((schema: RequestSchema<TSchema>, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<HttpRequestLike>();
  if (hasContent(request) && !isJsonMediaType(request.headers['content-type'] as string | undefined)) {
    throw new UnsupportedMediaTypeError(
      `Request bodies are JSON: send "Content-Type: application/json" (got "${String(request.headers['content-type'] ?? 'none')}")`,
    );
  }
  // A command whose fields are all optional (publish) may be sent without a body.
  return schema.check(request.body === undefined ? {} : request.body);
});

const checkQuery = createParamDecorator((schema: RequestSchema<TSchema>, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<HttpRequestLike>();
  // A copy: coercion writes into the object it checks, and the request's own stays as sent.
  return schema.check({ ...(request.query as object) });
});

type MethodDecorator = (target: object, key: string | symbol, descriptor: PropertyDescriptor) => void;

function applyToMethod(decorator: MethodDecorator, target: object, key: string | symbol | undefined): void {
  if (key === undefined) throw new Error('Request schemas decorate method parameters');
  decorator(target, key, Object.getOwnPropertyDescriptor(target, key)!);
}

/**
 * The request body, checked against `schema` (400 listing every failing field, 415 for a body
 * that is not JSON), and declared in the OpenAPI document from the same schema.
 */
export function ValidBody<S extends TSchema>(schema: RequestSchema<S>): ParameterDecorator {
  return (target, key, index) => {
    checkBody(schema)(target, key, index);
    applyToMethod(ApiBody({ schema: schema.openApi() }), target, key);
  };
}

/** The query string, checked and coerced against `schema`, each parameter declared in OpenAPI. */
export function ValidQuery<S extends TObject>(schema: RequestSchema<S>): ParameterDecorator {
  return (target, key, index) => {
    checkQuery(schema)(target, key, index);
    const required = new Set(schema.schema.required ?? []);
    for (const [name, property] of Object.entries(schema.openApi().properties ?? {})) {
      const { description, ...rest } = property as SchemaObject;
      applyToMethod(ApiQuery({ name, required: required.has(name), description, schema: rest }), target, key);
    }
  };
}

/** Compiles a body schema (no coercion, unknown fields refused by the schema itself). */
export const bodySchema = <S extends TSchema>(schema: S) => new RequestSchema(schema, 'body');

/** Compiles a query-string schema (values coerced from text). */
export const querySchema = <S extends TObject>(schema: S) => new RequestSchema(schema, 'query');
