import { correctionsProjection } from './corrections.projection';
import { events, paragraph, REPORTER, STANDARDS, TestLog } from './test-support/article-events';
import { columnsOf, given } from './test-support/given-when-then';

function story() {
  const log = new TestLog();
  const history = [
    ...log.append('a1', REPORTER, events.drafted('a1', { headline: 'Talks fail in Istanbul' })),
    ...log.append('a1', REPORTER, events.headlineRevised('Talks fail in Turkey'), events.published()),
  ];
  return { log, history };
}

describe('corrections projection', () => {
  it('given a published article, when a correction is issued, then it is in the history with the headline of the time', () => {
    const { log, history } = story();
    const changes = [{ field: 'body.p1', before: 'First paragraph.', after: 'Fixed.' }];
    const [revised, issued] = log.append(
      'a1',
      STANDARDS,
      events.bodyRevised([paragraph('p1', 'Fixed.')]),
      events.correctionIssued('c1', changes, { kind: 'clarification', note: 'Clarified who spoke.' }),
    );
    const { after } = given(correctionsProjection, [...history, revised]).when(issued);
    expect(after.corrections.c1).toEqual({
      correctionId: 'c1',
      articleId: 'a1',
      headline: 'Talks fail in Turkey',
      kind: 'clarification',
      note: 'Clarified who spoke.',
      issuedAt: '2025-05-17T08:00:00.000Z',
      actor: STANDARDS,
      revision: 4,
      changes,
    });
    expect(columnsOf(correctionsProjection, 'corrections', after.corrections.c1)).toEqual({
      article_id: 'a1',
      issued_at: '2025-05-17T08:00:00.000Z',
    });
  });

  it("shows the headline after the correction's own headline change, not before it", () => {
    const { log, history } = story();
    const change = { field: 'headline', before: 'Talks fail in Turkey', after: 'Talks fail in Istanbul, Turkey' };
    const [headline, issued] = log.append('a1', STANDARDS, events.headlineRevised('Talks fail in Istanbul, Turkey'), events.correctionIssued('c1', [change]));
    const { after } = given(correctionsProjection, [...history, headline]).when(issued);
    expect(after.corrections.c1.headline).toBe('Talks fail in Istanbul, Turkey');
  });

  it('given corrections, when the article is retracted, then the retraction is in the history with its note, after them', () => {
    const { log, history } = story();
    const [issued, retracted] = log.append(
      'a1',
      STANDARDS,
      events.correctionIssued('c1', []),
      events.retracted('Sources recanted.', '2025-05-18T08:00:00.000Z'),
    );
    const { after } = given(correctionsProjection, [...history, issued]).when(retracted);
    expect(after.corrections[retracted.eventId]).toEqual({
      correctionId: retracted.eventId,
      articleId: 'a1',
      headline: 'Talks fail in Turkey',
      kind: 'retraction',
      note: 'Sources recanted.',
      issuedAt: '2025-05-18T08:00:00.000Z',
      actor: STANDARDS,
      revision: 4,
      changes: [],
    });
    // Newest first by issued_at, as GET /api/corrections pages: the retraction comes before the correction.
    const order = Object.values(after.corrections)
      .map((c) => [columnsOf(correctionsProjection, 'corrections', c).issued_at as string, c.kind])
      .sort(([a], [b]) => b.localeCompare(a))
      .map(([, kind]) => kind);
    expect(order).toEqual(['retraction', 'correction']);
  });

  it('ignores events that neither name an article nor correct it', () => {
    const { log, history } = story();
    const [quote] = log.append('a1', REPORTER, events.quoteAttributed('q1', { name: 'X' }, 'y'));
    expect(given(correctionsProjection, history).when(quote).changes).toEqual([]);
  });

  it('the same event twice changes nothing, for every event of a story', () => {
    const { log, history } = story();
    const all = [
      ...history,
      ...log.append('a1', STANDARDS, events.headlineRevised('New'), events.correctionIssued('c1', [])),
      ...log.append('a1', STANDARDS, events.correctionIssued('c2', [], { kind: 'editors-note' }), events.retracted('x')),
    ];
    all.forEach((event, i) => {
      const { changes, after, before } = given(correctionsProjection, all.slice(0, i + 1)).when(event);
      expect(changes).toEqual([]);
      expect(after).toEqual(before);
    });
  });
});
