/**
 * JSON Schema as this code base uses it: ajv, configured once, with the one way of counting
 * characters that every limit shares. Schemas are written with TypeBox so that the same object
 * is the TypeScript type, the validator (compiled once) and the OpenAPI document.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import ucs2length from 'ajv/dist/runtime/ucs2length';

/**
 * The number of characters in a string as JSON Schema counts them for `maxLength`: Unicode code
 * points (JSON Schema Validation 2020-12 §6.3.1, RFC 8259 §8.1), so that an emoji is one
 * character and a limit means the same in a paragraph, a list item and a headline. It is ajv's
 * own counter, the one its `maxLength` uses.
 */
export const characterCount: (text: string) => number = ucs2length;

/** `x-maxTotalLength` on an array of strings: the characters of all items together (a list block's limit). */
export const MAX_TOTAL_LENGTH = 'x-maxTotalLength';

function createAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    // Every failing field is listed in the 400 (API.md "Conventions").
    allErrors: true,
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
    validate: (limit: number, items: unknown[]) =>
      items.reduce<number>((sum, item) => sum + (typeof item === 'string' ? characterCount(item) : 0), 0) <= limit,
  });
  return ajv;
}

/**
 * The two ajv instances of the process: `exact` for JSON (request bodies, events), which coerces
 * nothing, and `queryString`, which turns the text of a query parameter into the number or
 * boolean its schema asks for.
 */
export const jsonSchemas = { exact: createAjv(false), queryString: createAjv(true) };

/** The most bytes one code point takes in JSON text: an astral character escaped as two "\\uXXXX" (RFC 8259 §7). */
const MAX_BYTES_PER_CHARACTER = 12;

/**
 * The size in bytes of the largest JSON text that `schema` accepts, written in the most verbose
 * way JSON allows for each value (every character escaped; insignificant whitespace aside), or
 * Infinity when the schema leaves something unbounded. The body limit is derived from it, so
 * that no request valid under API.md's limits can be refused as too large, whatever its script
 * or encoding (a Python client escapes every non-ASCII character by default).
 */
export function maxJsonBytes(schema: unknown): number {
  const s = schema as Record<string, unknown>;
  const branches = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (branches) return Math.max(...branches.map(maxJsonBytes));
  if (s.const !== undefined || s.enum !== undefined) {
    const values = s.enum ? (s.enum as unknown[]) : [s.const];
    return Math.max(...values.map((v) => JSON.stringify(v).length * 6));
  }
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
      // Items that share one character budget: each item's quotes and comma, then the budget once.
      if (total !== undefined) return 2 + count * 3 + total * MAX_BYTES_PER_CHARACTER;
      return 2 + count * (maxJsonBytes(s.items) + 1);
    }
    case 'object': {
      const properties = Object.entries((s.properties ?? {}) as Record<string, unknown>);
      if (s.additionalProperties !== false) return Infinity;
      // A key may be escaped too: six bytes a character, its quotes, the colon and the comma.
      return properties.reduce((sum, [key, value]) => sum + key.length * 6 + 4 + maxJsonBytes(value), 2);
    }
    default:
      return Infinity;
  }
}

