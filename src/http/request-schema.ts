/**
 * The exact request edge: every request body and query string is checked against one JSON
 * Schema (written with TypeBox, so the same object gives the TypeScript type), compiled once by
 * ajv at start-up. The OpenAPI document is generated from the same schema objects, so the docs
 * and the server cannot disagree.
 */
import { DeclaresQuery } from './query-string.guard';
import { nfcDeep } from '../text';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
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

/** Values of a body up to this many are checked listing every failing field; beyond, the first found. */
const FULL_REPORT_VALUES = 100_000;

/** A decimal integer as query text: no "0x10", "1e2" or " 5", which JSON Schema coercion would take. */
const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;

/** A schema compiled once, with what the HTTP layer needs of it. */
export class RequestSchema<S extends TSchema> {
  private readonly validate: ValidateFunction;
  private readonly validateToFirstError: ValidateFunction | null;
  private readonly integerParameters: string[];

  constructor(
    readonly schema: S,
    private readonly where: 'body' | 'query',
  ) {
    this.validate = (where === 'body' ? jsonSchemas.exact : jsonSchemas.queryString).compile(schema);
    this.validateToFirstError = where === 'body' ? jsonSchemas.firstError.compile(schema) : null;
    const properties = (schema as { properties?: Record<string, { type?: string }> }).properties ?? {};
    this.integerParameters = Object.entries(properties)
      .filter(([, p]) => p.type === 'integer')
      .map(([name]) => name);
  }

  /**
   * The value itself when it matches the schema and every string in it is text (no lone UTF-16
   * surrogate, no U+0000); otherwise throws InvalidInputError (400) listing every failing field
   * (the first one found, for a body of more than 100,000 values). Query values are coerced in
   * place (ajv coerceTypes): "5" becomes 5.
   */
  check(value: unknown): Static<S> {
    if (this.where === 'query') this.checkIntegerText(value as Record<string, unknown>);
    const first = this.validateToFirstError;
    if (first ? first(value) : this.validate(value)) {
      refuseNonText(value);
      return value as Static<S>;
    }
    let found = first?.errors;
    if (!first || atMost(value, FULL_REPORT_VALUES)) {
      this.validate(value);
      found = this.validate.errors;
    }
    // The discriminator repeats what `required` and `enum` on the tag already say.
    const errors = (found ?? []).filter((e) => e.keyword !== 'discriminator').map(toFieldError);
    const unique = dedupe(errors).slice(0, MAX_LISTED_ERRORS);
    throw new InvalidInputError(`${unique.length === 1 ? 'One field' : `${unique.length} fields`} failed validation`, unique);
  }

  private checkIntegerText(query: Record<string, unknown>): void {
    const errors = this.integerParameters
      .filter((name) => typeof query[name] === 'string' && !INTEGER_TEXT.test(query[name] as string))
      .map((field) => ({ field, message: 'must be a decimal integer' }));
    if (errors.length > 0) throw new InvalidInputError(`${errors.length === 1 ? 'One field' : `${errors.length} fields`} failed validation`, errors);
  }

  /** The schema as OpenAPI 3.1 takes it (plain JSON: TypeBox's symbol keys dropped). */
  openApi(): SchemaObject {
    return JSON.parse(JSON.stringify(this.schema)) as SchemaObject;
  }
}

/** Whether `value` holds at most `limit` JSON values in all (counted without recursion). */
function atMost(value: unknown, limit: number): boolean {
  const stack: unknown[] = [value];
  let count = 0;
  while (stack.length > 0) {
    if (++count > limit) return false;
    const next = stack.pop();
    if (next === null || typeof next !== 'object') continue;
    const children = Array.isArray(next) ? next : Object.values(next);
    if (count + children.length > limit) return false;
    // One push per child: spreading a client's array into push() throws RangeError past ~120,000 items.
    for (const child of children) stack.push(child);
  }
  return true;
}

/**
 * Refuses strings that are not text: a lone UTF-16 surrogate (JSON's "\ud800" escape, which no
 * UTF-8 store can keep: RFC 8259 §8.2) or U+0000. Walks a value the schema has already bounded.
 */
function refuseNonText(value: unknown): void {
  const errors: FieldError[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0 && errors.length < MAX_LISTED_ERRORS) {
    const [next, path] = stack.pop()!;
    if (typeof next === 'string') {
      if (!next.isWellFormed()) errors.push({ field: path, message: 'must be text: it holds a lone UTF-16 surrogate' });
      else if (next.includes('\u0000')) errors.push({ field: path, message: 'must be text: it holds U+0000' });
    } else if (Array.isArray(next)) {
      next.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (next !== null && typeof next === 'object') {
      for (const [key, item] of Object.entries(next)) stack.push([item, path ? `${path}.${key}` : key]);
    }
  }
  if (errors.length > 0) throw new InvalidInputError(`${errors.length === 1 ? 'One field' : `${errors.length} fields`} failed validation`, errors);
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
export function hasContent(request: Pick<HttpRequestLike, 'headers'>): boolean {
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
  // Text in NFC before anything compares, stores or hashes it (UAX #15; src/text/normalize.ts).
  return schema.check(request.body === undefined ? {} : nfcDeep(request.body));
});

const checkQuery = createParamDecorator((schema: RequestSchema<TSchema>, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<HttpRequestLike>();
  // A copy: coercion writes into the object it checks, and the request's own stays as sent.
  return schema.check(nfcDeep({ ...(request.query as object) }));
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
    // A body whose fields are all optional may be left out (see checkBody).
    const required = ((schema.schema as { required?: string[] }).required ?? []).length > 0;
    applyToMethod(ApiBody({ schema: schema.openApi(), required }), target, key);
  };
}

/** The query string, checked and coerced against `schema`, each parameter declared in OpenAPI. */
export function ValidQuery<S extends TObject>(schema: RequestSchema<S>): ParameterDecorator {
  return (target, key, index) => {
    checkQuery(schema)(target, key, index);
    applyToMethod(DeclaresQuery(), target, key);
    const required = new Set(schema.schema.required ?? []);
    for (const [name, property] of Object.entries(schema.openApi().properties ?? {})) {
      const { description, ...rest } = property as SchemaObject;
      applyToMethod(ApiQuery({ name, required: required.has(name), description, schema: rest }), target, key);
    }
  };
}

/** A request that carries no fields: an empty JSON object, or no body at all. */
export const NO_BODY = new RequestSchema(Type.Object({}, { additionalProperties: false }), 'body');

/** Compiles a body schema (no coercion, unknown fields refused by the schema itself). */
export const bodySchema = <S extends TSchema>(schema: S) => new RequestSchema(schema, 'body');

/** Compiles a query-string schema (values coerced from text). */
export const querySchema = <S extends TObject>(schema: S) => new RequestSchema(schema, 'query');
