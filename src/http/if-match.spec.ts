import { ifMatchAllows, parseIfMatch } from './if-match';

describe('If-Match (RFC 9110 §13.1.1)', () => {
  it('reads one strong tag, a list, and *', () => {
    expect(parseIfMatch('"3"')).toEqual({ any: false, revisions: [3n] });
    expect(parseIfMatch(' "1" , "0",, ')).toEqual({ any: false, revisions: [1n, 0n] });
    expect(parseIfMatch('*')).toEqual({ any: true });
    expect(parseIfMatch(undefined)).toBeNull();
  });

  it('drops weak tags (never a strong match) and tags that are no revision, keeping the others', () => {
    expect(parseIfMatch('W/"0"')).toEqual({ any: false, revisions: [] });
    expect(parseIfMatch('W/"1", "2", "x", "007"')).toEqual({ any: false, revisions: [2n] });
    // A comma inside a quoted tag belongs to the tag (etagc includes %x2C).
    expect(parseIfMatch('"a,b", "3"')).toEqual({ any: false, revisions: [3n] });
  });

  it.each(['', ' ', ',', '0', '"0', '0"', '"0" "1"', 'W/0', 'w/"0"', '"0"x', '**', '"\u00e9"x'])('refuses %j with a 400', (header) => {
    expect(() => parseIfMatch(header)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('matches the current revision when any member names it', () => {
    expect(ifMatchAllows(parseIfMatch('"7", "0"')!, 0n)).toBe(true);
    expect(ifMatchAllows(parseIfMatch('W/"0"')!, 0n)).toBe(false);
    expect(ifMatchAllows(parseIfMatch('"1"')!, 0n)).toBe(false);
  });
});
