import { healthReport } from './health-report';

const live = { name: 'articles', status: 'live', position: '42' };

describe('healthReport', () => {
  it('is ok, in the shape API.md lists, when nothing is wrong', () => {
    expect(healthReport('embedded', { status: 'ok' }, [live])).toEqual({ status: 'ok', eventStore: 'embedded', projections: [live] });
  });

  it("is degraded with the store's fault and a reason while the fault lasts", () => {
    const fault = { reason: 'out-of-space' as const, code: 'SQLITE_FULL', detail: 'events.sqlite has no space left', since: '2025-01-01T00:00:00.000Z' };
    expect(healthReport('embedded', { status: 'degraded', ...fault }, [live])).toEqual({
      status: 'degraded',
      reasons: ['event store out-of-space: events.sqlite has no space left since 2025-01-01T00:00:00.000Z'],
      eventStore: 'embedded',
      eventStoreFault: fault,
      projections: [live],
    });
  });

  it('is degraded by a failed or stale projection, naming it', () => {
    const stale = { name: 'quotes', status: 'stale', position: '-1', problem: 'stale since then: its checkpoint 9 is beyond the head 3' };
    expect(healthReport('embedded', { status: 'ok' }, [live, stale])).toMatchObject({
      status: 'degraded',
      reasons: ['projection quotes stale: stale since then: its checkpoint 9 is beyond the head 3'],
    });
  });
});
