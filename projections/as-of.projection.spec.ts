import type { ArticleEvent } from '../src/articles/domain/article.events';
import type { ProjectedEvent } from '../src/projection-kit/projection';
import { storedEvent } from '../test/support/stored-events';
import { asOfProjection, AsOfDocs, OPEN_END, Version } from './as-of.projection';
import { events, paragraph, REPORTER, STANDARDS } from './test-support/article-events';
import { columnsOf, given, MemoryState } from './test-support/given-when-then';

const T = (minute: number) => new Date(Date.UTC(2025, 4, 16, 9, minute)).toISOString();
const zelenskyy = { name: 'Volodymyr Zelenskyy' };

/** A log whose appends carry the times given (all events of one append share it, as the command side writes them). */
class TimedLog {
  private position = 0;
  private readonly revisions = new Map<string, number>();
  append(articleId: string, occurredAt: string, ...list: ArticleEvent[]): ProjectedEvent[] {
    return list.map((event) => {
      const revision = (this.revisions.get(articleId) ?? -1) + 1;
      this.revisions.set(articleId, revision);
      this.position++;
      const actor = event.type === 'CorrectionIssued' || event.type === 'ArticleRetracted' ? STANDARDS : REPORTER;
      return storedEvent(event, { articleId, revision, position: String(this.position), occurredAt, actor, eventId: `e${this.position}` });
    });
  }
}

/** What an as-of read finds: for each key, the document of the version with from_at <= t < until_at (compared as the SQL does). */
function asOf<K extends 'articles_summaries' | 'quotes_quotes' | 'corrections_corrections'>(state: MemoryState<AsOfDocs>, collection: K, t: string) {
  return Object.values(state[collection] as Record<string, Version<unknown>>)
    .filter((v) => {
      const c = columnsOf(asOfProjection, collection, v as AsOfDocs[K]);
      return (c.from_at as string) <= t && (c.until_at as string) > t;
    })
    .map((v) => v.doc) as Array<AsOfDocs[K]['doc']>;
}

function story() {
  const log = new TimedLog();
  const all = [
    ...log.append('a1', T(1), events.drafted('a1', { headline: 'Olaf Merz calls Kyiv' })),
    ...log.append('a1', T(2), events.quoteAttributed('q1', zelenskyy, 'We discussed the meeting.')),
    ...log.append('a1', T(3), events.published(T(3))),
    ...log.append(
      'a1',
      T(5),
      events.headlineRevised('Friedrich Merz calls Kyiv'),
      events.correctionIssued('c1', [{ field: 'headline', before: 'Olaf Merz calls Kyiv', after: 'Friedrich Merz calls Kyiv' }], { issuedAt: T(5) }),
    ),
    ...log.append('a1', T(7), events.retracted('Sources recanted.', T(7))),
    ...log.append('a2', T(4), events.drafted('a2', { headline: 'Second story' })),
  ];
  return { log, all, state: given(asOfProjection, all).before };
}

describe('as_of projection', () => {
  it('finds each article at its last revision at or before the instant, and none before it was drafted', () => {
    const { state } = story();
    const at = (t: string) => asOf(state, 'articles_summaries', t).map((s) => [s.id, s.revision, s.status, s.headline]);
    expect(at(T(0))).toEqual([]);
    expect(at(T(1))).toEqual([['a1', 0, 'draft', 'Olaf Merz calls Kyiv']]);
    expect(at('2025-05-16T09:02:59.999Z')).toEqual([['a1', 1, 'draft', 'Olaf Merz calls Kyiv']]);
    expect(at(T(4))).toEqual([
      ['a1', 2, 'published', 'Olaf Merz calls Kyiv'],
      ['a2', 0, 'draft', 'Second story'],
    ]);
    // The correction's two events share an instant: only the last (revision 4) is ever seen.
    expect(at(T(6))).toEqual([
      ['a1', 4, 'published', 'Friedrich Merz calls Kyiv'],
      ['a2', 0, 'draft', 'Second story'],
    ]);
    expect(at('2999-01-01T00:00:00.000Z')).toEqual([
      ['a1', 5, 'retracted', 'Friedrich Merz calls Kyiv'],
      ['a2', 0, 'draft', 'Second story'],
    ]);
    expect(Object.values(state.articles_summaries).map((v) => v.doc.revision)).not.toContain(3);
  });

  it('keeps the current version under the key, open-ended, and each closed one under key@position with its interval', () => {
    const { state } = story();
    expect(state.articles_summaries.a1).toMatchObject({ from: T(7), until: null, doc: { revision: 5 } });
    expect(columnsOf(asOfProjection, 'articles_summaries', state.articles_summaries.a1)).toEqual({
      status: 'retracted',
      updated_at: T(7),
      from_at: T(7),
      until_at: OPEN_END,
    });
    // Revision 2 (published at minute 3) was closed by the headline revision at position 4.
    expect(state.articles_summaries['a1@4']).toMatchObject({ from: T(3), until: T(5), doc: { revision: 2, status: 'published' } });
  });

  it('keeps neither the article header nor its body, and its quotes as their ids, which no summary shows', () => {
    const { state } = story();
    expect(Object.keys(state)).not.toContain('articles_articles');
    expect(Object.keys(state)).not.toContain('articles_article_body');
    expect(state.articles_article_quotes.a1).toEqual({ quotes: [{ quoteId: 'q1' }] });
    expect(state.articles_summaries.a1.doc).not.toHaveProperty('body');
  });

  it('shows the quotes in force at the instant, with the article status of the time', () => {
    const { state } = story();
    const at = (t: string) => asOf(state, 'quotes_quotes', t).map((q) => [q.quoteId, q.status, q.articleStatus]);
    expect(at(T(1))).toEqual([]);
    expect(at(T(2))).toEqual([['q1', 'active', 'draft']]);
    expect(at(T(3))).toEqual([['q1', 'active', 'published']]);
    expect(at(T(8))).toEqual([['q1', 'active', 'retracted']]);
  });

  it('shows a quote a correction withdrew as active before and withdrawn after', () => {
    const { log, all } = story();
    const [withdrawn, issued] = log.append(
      'a1',
      T(6),
      events.quoteWithdrawn('q1'),
      events.correctionIssued('c2', [{ field: 'quotes.q1', before: 'We discussed the meeting.', after: null }], { issuedAt: T(6) }),
    );
    const retractionAt = all.findIndex((e) => e.event.type === 'ArticleRetracted');
    const history = [...all.slice(0, retractionAt), withdrawn];
    const { after } = given(asOfProjection, history).when(issued);
    expect(asOf(after, 'quotes_quotes', T(5)).map((q) => q.status)).toEqual(['active']);
    expect(asOf(after, 'quotes_quotes', T(6)).map((q) => q.status)).toEqual(['withdrawn']);
  });

  it('shows the corrections feed as it stood: none before the correction, then it, then the retraction too', () => {
    const { state } = story();
    const at = (t: string) => asOf(state, 'corrections_corrections', t).map((c) => [c.kind, c.note]);
    expect(at(T(4))).toEqual([]);
    expect(at(T(5))).toEqual([['correction', 'We got it wrong.']]);
    expect(at(T(7))).toEqual([
      ['correction', 'We got it wrong.'],
      ['retraction', 'Sources recanted.'],
    ]);
  });

  it('does not keep a version replaced by an event stamped earlier (a clock that went back): no instant can see it', () => {
    const log = new TimedLog();
    const [drafted, revised] = [...log.append('a1', T(5), events.drafted('a1')), ...log.append('a1', T(4), events.bodyRevised([paragraph('p1', 'x')]))];
    const { after } = given(asOfProjection, [drafted]).when(revised);
    expect(Object.keys(after.articles_summaries)).toEqual(['a1']);
  });

  it('the same event twice changes nothing, for every event of a story', () => {
    const { all } = story();
    all.forEach((event, i) => {
      const { changes, after, before } = given(asOfProjection, all.slice(0, i + 1)).when(event);
      expect(changes).toEqual([]);
      expect(after).toEqual(before);
    });
  });
});
