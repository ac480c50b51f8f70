import fc from 'fast-check';
import { isLarge, JsonText, jsonPieces, LARGE_JSON_CHARS } from './large-json';

describe('jsonPieces', () => {
  const text = (value: unknown) => [...jsonPieces(value)].join('');

  it('gives exactly the text of JSON.stringify for any JSON value, however large', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expect(text(value)).toBe(JSON.stringify(value))));
    const large = { id: 'a', body: Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, text: `ж"\\\n${i}`.repeat(4_000), tags: [i, null, true] })) };
    expect(isLarge(large)).toBe(false);
    expect([...jsonPieces(large)].length).toBeGreaterThan(40);
    expect(text(large)).toBe(JSON.stringify(large));
  });

  it('follows JSON.stringify on undefined, functions, symbols and toJSON, in objects and arrays', () => {
    const big = 'x'.repeat(300_000);
    const value = {
      skipped: undefined,
      fn: () => 1,
      sym: Symbol('s'),
      when: new Date(0),
      own: { toJSON: (key: string) => `key ${key}` },
      list: [undefined, () => 1, Symbol('t'), new Date(1), big, big],
      2: 'integer keys first',
    };
    expect(text(value)).toBe(JSON.stringify(value));
  });

  it('counts a value as large by the characters of its strings and keys', () => {
    expect(isLarge({ text: 'x'.repeat(LARGE_JSON_CHARS) })).toBe(true);
    expect(isLarge({ text: 'x'.repeat(LARGE_JSON_CHARS - 10) })).toBe(false);
    expect(isLarge('x'.repeat(2 * LARGE_JSON_CHARS))).toBe(false);
  });
});

describe('JsonText', () => {
  it('serialises, where it is not sent as it is, as the value its text stands for', () => {
    const value = { headline: 'ж 😀 "quoted"', body: [{ id: 'p1' }] };
    expect(JSON.stringify({ article: new JsonText(Buffer.from(JSON.stringify(value))) })).toBe(JSON.stringify({ article: value }));
  });
});
