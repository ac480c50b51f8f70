import { parseTraceparent, traceIdOf } from './trace-context';

// The example of https://www.w3.org/TR/trace-context/ §3.2.2.
const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseTraceparent (W3C Trace Context §3.2)', () => {
  it('reads a version 00 header', () => {
    expect(parseTraceparent(VALID)).toEqual({
      header: VALID,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      flags: '01',
    });
  });

  it('reads the version 00 part of a later version and keeps nothing after it', () => {
    expect(parseTraceparent(`cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-says`)).toEqual(
      expect.objectContaining({ header: 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    );
  });

  it.each([
    ['upper-case hex', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['anything after version 00 flags', `${VALID}-extra`],
    ['a later version with no dash after the flags', 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x'],
    ['two headers joined', `${VALID}, ${VALID}`],
    ['an empty value', ''],
  ])('refuses %s', (_, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });

  it('refuses a missing header and repeated headers given as an array', () => {
    expect(parseTraceparent(undefined)).toBeNull();
    expect(parseTraceparent([VALID, VALID])).toBeNull();
  });

  it('gives the trace id of a stored header, or null', () => {
    expect(traceIdOf(VALID)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf(null)).toBeNull();
    expect(traceIdOf('garbage')).toBeNull();
  });
});
