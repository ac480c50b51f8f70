import { Type } from '@sinclair/typebox';
import { characterCount, jsonSchemas, MAX_TOTAL_LENGTH, maxJsonBytes } from './json-schema';

describe('JSON Schema as the request edge uses it', () => {
  it('counts characters as code points: an emoji is one, as in maxLength', () => {
    expect(characterCount('😀😀')).toBe(2);
    expect(characterCount('жж')).toBe(2);
    expect(characterCount('e\u0301')).toBe(2);
  });

  it('x-maxTotalLength counts the characters of all items of a list together, as maxLength would', () => {
    const validate = jsonSchemas.exact.compile(Type.Array(Type.String(), { [MAX_TOTAL_LENGTH]: 4 }));
    expect(validate(['😀😀', 'ab'])).toBe(true);
    expect(validate(['😀😀', 'abc'])).toBe(false);
  });

  it('bounds the largest JSON text a schema accepts, at twelve bytes a character', () => {
    const schema = Type.Object(
      { a: Type.String({ maxLength: 10 }), b: Type.Optional(Type.Array(Type.Integer(), { maxItems: 3 })) },
      { additionalProperties: false },
    );
    const largest = JSON.stringify({ a: '😀'.repeat(10), b: [-1e15, -1e15, -1e15] }).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
    expect(maxJsonBytes(schema)).toBeGreaterThanOrEqual(Buffer.byteLength(largest));
    expect(maxJsonBytes(Type.Object({ a: Type.String() }))).toBe(Infinity);
    expect(maxJsonBytes(Type.Object({ a: Type.String({ maxLength: 1 }) }))).toBe(Infinity);
  });

  it('coerces query-string text into the numbers a schema asks for, and nothing in bodies', () => {
    const schema = Type.Object({ limit: Type.Integer() });
    const query = { limit: '5' };
    expect(jsonSchemas.queryString.compile(schema)(query)).toBe(true);
    expect(query.limit).toBe(5);
    expect(jsonSchemas.exact.compile(schema)({ limit: '5' })).toBe(false);
  });
});
