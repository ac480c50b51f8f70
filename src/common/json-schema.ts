/**
 * JSON Schema as this code base uses it: ajv, configured once, with the one way of counting
 * characters that every limit shares. Schemas are written with TypeBox so that the same object
 * is the TypeScript type, the validator (compiled once) and the OpenAPI document.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import ucs2length from 'ajv/dist/runtime/ucs2length';
import { isBlank } from '../text';

/**
 * The number of characters in a string as JSON Schema counts them for `maxLength`: Unicode code
 * points (JSON Schema Validation 2020-12 §6.3.1, RFC 8259 §8.1), so that an emoji is one
 * character and a limit means the same in a paragraph, a list item and a headline. It is ajv's
 * own counter, the one its `maxLength` uses.
 */
export const characterCount: (text: string) => number = ucs2length;

/** `x-maxTotalLength` on an array of strings: the characters of all items together (a list block's limit). */
export const MAX_TOTAL_LENGTH = 'x-maxTotalLength';

/**
 * `x-visibleText: true` on a string: it must show something to a reader. Text made only of
 * White_Space, Default_Ignorable_Code_Point and control characters (UAX #44; see isBlank) is as
 * empty as "", so a headline of soft hyphens and zero-width spaces is refused like an empty one.
 */
export const VISIBLE_TEXT = 'x-visibleText';

function createAjv(coerceTypes: boolean, allErrors: boolean): Ajv {
  const ajv = new Ajv({
    allErrors,
    strict: true,
    // Query strings arrive as text: "limit=5" is the integer 5. Bodies are JSON and coerce nothing.
    coerceTypes,
    discriminator: true,
    useDefaults: false,
    removeAdditional: false,
  });
  addFormats(ajv, ['uri', 'uuid', 'date-time']);
  ajv.addKeyword({
    keyword: MAX_TOTAL_LENGTH,
    type: 'array',
    schemaType: 'number',
    error: { message: ({ schemaCode }) => `must NOT have more than ${String(schemaCode)} characters in all items together` },
    validate: (limit: number, items: unknown[]) => items.reduce<number>((sum, item) => sum + (typeof item === 'string' ? characterCount(item) : 0), 0) <= limit,
  });
  ajv.addKeyword({
    keyword: VISIBLE_TEXT,
    type: 'string',
    schemaType: 'boolean',
    error: { message: 'must hold visible text, not only spaces or invisible characters' },
    validate: (required: boolean, text: string) => !required || !isBlank(text),
  });
  return ajv;
}

/**
 * The ajv instances of the process: `exact` for JSON (request bodies, events), which coerces
 * nothing and reports every failing field (API.md "Conventions": every validation error listed);
 * `firstError`, the same stopping at the first failure, for values too large to list every
 * failure of (ten million wrong list items would be ten million error objects); `queryString`,
 * which turns the text of a query parameter into the number its schema asks for.
 */
export const jsonSchemas = { exact: createAjv(false, true), firstError: createAjv(false, false), queryString: createAjv(true, true) };

/** The most bytes one code point takes in JSON text: an astral character escaped as two "\\uXXXX" (RFC 8259 §7). */
const MAX_BYTES_PER_CHARACTER = 12;

/** Indentation per level that a pretty-printer writes, at most (JSON.stringify's and json.dumps' usual 2 or 4). */
const MAX_INDENT = 4;

/**
 * The most JSON values (objects, arrays, strings, numbers, booleans, nulls, each counted once)
 * that a value valid under `schema` holds; Infinity when the schema leaves something unbounded.
 * A body with more structure than this cannot be valid, whatever its size in bytes: the body
 * reader refuses one before JSON.parse builds it (a 270 MB array of 135M zeros is past V8's
 * array limit, and JSON.parse then kills the process).
 */
export function maxJsonValues(schema: unknown): number {
  const s = schema as Record<string, unknown>;
  const branches = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (branches) return branches.reduce<number>((most, branch) => Math.max(most, maxJsonValues(branch)), 0);
  if (s.const !== undefined || s.enum !== undefined) return 1;
  switch (s.type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
    case 'null':
      return 1;
    case 'array':
      return 1 + ((s.maxItems as number | undefined) ?? Infinity) * maxJsonValues(s.items);
    case 'object':
      if (s.additionalProperties !== false) return Infinity;
      return Object.values((s.properties ?? {}) as Record<string, unknown>).reduce<number>((sum, value) => sum + maxJsonValues(value), 1);
    default:
      return Infinity;
  }
}

/**
 * The size in bytes of the largest JSON text that `schema` accepts, written in the most verbose
 * way a JSON writer does: every character escaped (an astral character as two "\\uXXXX"), and
 * pretty-printed with up to four spaces of indentation per level (each element on a line of its
 * own). Infinity when the schema leaves something unbounded. The body limit is derived from it,
 * so that no request valid under API.md's limits is refused as too large, whatever its script or
 * encoding (Python's json.dumps escapes every non-ASCII character by default). `depth` is the
 * nesting level of the value (0 at the top).
 */
export function maxJsonBytes(schema: unknown, depth = 0): number {
  const s = schema as Record<string, unknown>;
  const branches = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (branches) return Math.max(...branches.map((branch) => maxJsonBytes(branch, depth)));
  if (s.const !== undefined || s.enum !== undefined) {
    const values = s.enum ? (s.enum as unknown[]) : [s.const];
    return Math.max(...values.map((v) => JSON.stringify(v).length * 6));
  }
  // Before each element or member: a newline and its indentation; before the closing bracket, the same one level up.
  const line = 1 + MAX_INDENT * (depth + 1);
  const closing = 1 + MAX_INDENT * depth;
  switch (s.type) {
    case 'string':
      return 2 + ((s.maxLength as number | undefined) ?? Infinity) * MAX_BYTES_PER_CHARACTER;
    case 'integer':
    case 'number':
      return 32;
    case 'boolean':
    case 'null':
      return 5;
    case 'array': {
      const count = (s.maxItems as number | undefined) ?? Infinity;
      const total = s[MAX_TOTAL_LENGTH] as number | undefined;
      // Items that share one character budget: each item's quotes, comma and line, then the budget once.
      if (total !== undefined) return 2 + closing + count * (3 + line) + total * MAX_BYTES_PER_CHARACTER;
      return 2 + closing + count * (maxJsonBytes(s.items, depth + 1) + 1 + line);
    }
    case 'object': {
      const properties = Object.entries((s.properties ?? {}) as Record<string, unknown>);
      if (s.additionalProperties !== false) return Infinity;
      // A key may be escaped too: six bytes a character, its quotes, ": ", the comma and its line.
      return properties.reduce((sum, [key, value]) => sum + key.length * 6 + 5 + line + maxJsonBytes(value, depth + 1), 2 + closing);
    }
    default:
      return Infinity;
  }
}
