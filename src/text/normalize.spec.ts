import fc from 'fast-check';
import { isWellFormed, nfc, nfcDeep, nfcShared } from './normalize';

const NFD_CAFE = 'Cafe\u0301 Mu\u0308ller';
const NFC_CAFE = 'Café Müller';

describe('nfc (UAX #15)', () => {
  it('composes canonically equivalent text into one string', () => {
    expect(NFD_CAFE).not.toBe(NFC_CAFE);
    expect(nfc(NFD_CAFE)).toBe(NFC_CAFE);
    expect(nfc('\u1100\u1161\u11a8')).toBe('각'); // conjoining jamo compose into a Hangul syllable
    expect(nfc('\u212b')).toBe('\u00c5'); // ANGSTROM SIGN is a canonical singleton of Å
  });

  it('keeps compatibility characters, which are not canonically equivalent', () => {
    expect(nfc('ﬁ ２ ｶ')).toBe('ﬁ ２ ｶ');
  });

  it('is idempotent and erases the difference between NFC and NFD', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(nfc(nfc(text))).toBe(nfc(text));
        expect(nfc(text.normalize('NFD'))).toBe(nfc(text));
      }),
    );
  });
});

describe('nfcDeep', () => {
  it('normalises every string value of a request body, at any depth', () => {
    const body = {
      headline: NFD_CAFE,
      body: [{ type: 'list', items: [NFD_CAFE, 'plain'] }],
      byline: [NFD_CAFE],
      count: 3,
      flag: true,
      none: null,
    };
    expect(nfcDeep(body)).toEqual({
      headline: NFC_CAFE,
      body: [{ type: 'list', items: [NFC_CAFE, 'plain'] }],
      byline: [NFC_CAFE],
      count: 3,
      flag: true,
      none: null,
    });
  });

  it('leaves the input untouched and returns a copy', () => {
    const body = { headline: NFD_CAFE, body: [{ text: NFD_CAFE }] };
    const copy = nfcDeep(body);
    expect(body.headline).toBe(NFD_CAFE);
    expect(body.body[0].text).toBe(NFD_CAFE);
    expect(copy.body).not.toBe(body.body);
  });

  it('normalises a bare string and returns other scalars as they are', () => {
    expect(nfcDeep(NFD_CAFE)).toBe(NFC_CAFE);
    expect(nfcDeep(42)).toBe(42);
    expect(nfcDeep(null)).toBeNull();
  });

  it('keeps keys as sent, so that two distinct keys never merge', () => {
    const nfdKey = 'cafe\u0301';
    const copy = nfcDeep(JSON.parse(`{"${nfdKey}": "x", "café": "y"}`) as Record<string, string>);
    expect(Object.keys(copy)).toEqual([nfdKey, 'café']);
  });

  it('copies a "__proto__" key as data, without changing the prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "e\u0301"}, "a": "b"}') as Record<string, unknown>;
    const copy = nfcDeep(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(copy, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: 'é' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not overflow the stack on a deeply nested body', () => {
    const depth = 100_000;
    const parsed = JSON.parse(`${'['.repeat(depth)}"e\u0301"${']'.repeat(depth)}`) as unknown;
    let inner = nfcDeep(parsed);
    for (let level = 0; level < depth; level++) inner = (inner as unknown[])[0];
    expect(inner).toBe('é');
  });

  it('returns values that are not plain objects or arrays as they are', () => {
    const when = new Date(0);
    expect(nfcDeep({ when }).when).toBe(when);
  });

  it('refuses a cycle instead of looping forever', () => {
    const cyclic: Record<string, unknown> = { a: 'b' };
    cyclic.self = cyclic;
    expect(() => nfcDeep(cyclic)).toThrow(TypeError);
  });

  it('agrees with nfc on every string of a random JSON value', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const parsed = JSON.parse(json) as unknown;
        const strings = (value: unknown): string[] =>
          typeof value === 'string' ? [value] : value !== null && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
        expect(strings(nfcDeep(parsed))).toEqual(strings(parsed).map(nfc));
      }),
    );
  });
});

describe('isWellFormed', () => {
  it('is false only for a lone surrogate', () => {
    expect(isWellFormed('a😀b')).toBe(true);
    expect(isWellFormed('a\ud83db')).toBe(false);
    expect(isWellFormed('\ude00')).toBe(false);
    expect(isWellFormed('')).toBe(true);
  });
});

describe('nfcShared', () => {
  it('returns the value itself when every string is in NFC already, ASCII or not', () => {
    const value = { headline: 'Café Müller', body: [{ type: 'list', items: ['Зеленський', '習近平', 'plain'] }], n: 1, none: null };
    expect(nfcShared(value)).toBe(value);
  });

  it('copies only the path to a string that changes, and never mutates its input', () => {
    const untouched = { text: 'plain' };
    const value = { a: untouched, b: [{ text: 'Cafe\u0301' }], c: 'Mu\u0308ller' };
    const frozen = JSON.parse(JSON.stringify(value));
    const result = nfcShared(value);
    expect(result).toEqual({ a: { text: 'plain' }, b: [{ text: 'Café' }], c: 'Müller' });
    expect(result.a).toBe(untouched);
    expect(value).toEqual(frozen);
  });

  it('keeps a key named __proto__ an own property', () => {
    const value = JSON.parse('{"__proto__": "Cafe\\u0301"}') as Record<string, unknown>;
    const result = nfcShared(value);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toBe('Café');
  });
});
