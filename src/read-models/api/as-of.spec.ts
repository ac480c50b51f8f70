import { InvalidInputError } from '../../common/app-error';
import { instantOf, validAt } from './as-of';

describe('instantOf', () => {
  it.each([
    ['2025-05-16T09:14:00Z', '2025-05-16T09:14:00.000Z'],
    ['2025-05-16t09:14:00z', '2025-05-16T09:14:00.000Z'],
    ['2025-05-16T11:14:00+02:00', '2025-05-16T09:14:00.000Z'],
    ['2025-05-16T09:14:00.123456789Z', '2025-05-16T09:14:00.123Z'],
    // RFC 3339 §5.7: a leap second is after every millisecond of :59 and before the next minute.
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999Z'],
    ['2016-12-31T23:59:60.5Z', '2016-12-31T23:59:59.999Z'],
    // An offset that leaves the four-digit years is held to them, so that it still compares as text.
    ['0000-01-01T00:00:00+01:00', '0000-01-01T00:00:00.000Z'],
  ])('%s is %s', (text, instant) => expect(instantOf(text)).toBe(instant));

  it('reads an instant after now as now, the year-10000 edge of an offset included', () => {
    for (const text of ['2999-01-01T00:00:00Z', '9999-12-31T23:00:00-05:00']) {
      const before = Date.now();
      const instant = Date.parse(instantOf(text));
      expect(instant).toBeGreaterThanOrEqual(before);
      expect(instant).toBeLessThanOrEqual(Date.now());
    }
  });

  it('refuses text that is no time, naming asOf (the AsOf schema has refused most before it is called)', () => {
    const refusal = (() => {
      try {
        instantOf('2025-02-30T25:61:00Z');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as InvalidInputError).errors).toEqual([{ field: 'asOf', message: expect.any(String) }]);
  });

  it('validAt is from_at <= t < until_at', () =>
    expect(validAt('2025-05-16T09:14:00.000Z')).toEqual([
      { column: 'from_at', atMost: '2025-05-16T09:14:00.000Z' },
      { column: 'until_at', above: '2025-05-16T09:14:00.000Z' },
    ]));
});
