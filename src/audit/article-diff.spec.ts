import type { ArticleEvent } from '../articles/domain/article.events';
import { drafted, intro, points, published, QUOTE_ID, quoteAttributed, quoteWithdrawn, subhead, unpublished } from '../../test/support/article-fixtures';
import { diffArticles, isStatusEvent, type StatusChange } from './article-diff';
import { evolveArticleView, type ArticleView } from '../articles/view/article-view';
import type { StoredArticleEvent } from '../articles/stored-article-event';
import { storedEvent } from '../../test/support/stored-events';

const entries = (...events: ArticleEvent[]): StoredArticleEvent[] =>
  events.map((event, revision) => storedEvent(event, { revision, occurredAt: `2025-03-02T10:00:0${revision}.000Z`, reason: `reason ${revision}` }));

/** The snapshots at each revision and the status steps, as GetDiffHandler takes them in one fold. */
function foldAll(events: StoredArticleEvent[]): { views: ArticleView[]; steps: StatusChange[] } {
  let view: ArticleView | null = null;
  const views: ArticleView[] = [];
  const steps: StatusChange[] = [];
  for (const entry of events) {
    view = evolveArticleView(view, entry);
    views.push(view);
    if (!isStatusEvent(entry)) continue;
    const { revision, occurredAt, actor, reason } = entry;
    steps.push({ revision, at: occurredAt, actor, reason, type: entry.event.type, status: view.status });
  }
  return { views, steps };
}

const merz = { ...intro, text: 'German Chancellor Olaf Merz spoke.' };
const corrected = { ...merz, text: 'German Chancellor Friedrich Merz spoke.' };

const life = entries(
  drafted({ body: [merz, subhead, points] }),
  quoteAttributed(),
  published(),
  { type: 'BodyRevised', data: { body: [corrected, subhead, points] } },
  { type: 'CorrectionIssued', data: { correctionId: 'c-1', kind: 'correction', note: 'Friedrich', issuedAt: '2025-03-02T12:00:00.000Z', changes: [] } },
  { type: 'QuoteAmended', data: { quoteId: QUOTE_ID, speaker: { name: 'Jane Doe', title: 'Former mayor' }, text: 'We kept the library open.', source: null } },
  { type: 'HeadlineRevised', data: { headline: 'Council passes the budget' } },
  unpublished(),
  quoteWithdrawn(),
);

describe('evolveArticleView, folded as the audit does', () => {
  const { views } = foldAll(life);

  it('shows the article as it stood after each revision, timed by the revision', () => {
    expect(views[0]).toMatchObject({ revision: 0, status: 'draft', quotes: [], createdAt: '2025-03-01T09:00:00.000Z', updatedAt: '2025-03-02T10:00:00.000Z' });
    expect(views[2]).toMatchObject({ status: 'published', firstPublishedAt: '2025-03-01T10:00:00.000Z', publishedAt: '2025-03-01T10:00:00.000Z' });
    expect(views[4].corrections).toEqual([
      {
        correctionId: 'c-1',
        kind: 'correction',
        note: 'Friedrich',
        issuedAt: '2025-03-02T12:00:00.000Z',
        actor: { id: 'u-editor', name: 'Eddie Editor' },
        revision: 4,
        changes: [],
      },
    ]);
    expect(views[5].quotes[0]).toMatchObject({ speaker: { name: 'Jane Doe', title: 'Former mayor' }, updatedAt: views[5].updatedAt });
    expect(views[8]).toMatchObject({ status: 'draft', publishedAt: null, quotes: [] });
  });

  it('does not let a later event change an earlier snapshot', () => {
    expect(views[2].corrections).toEqual([]);
    expect(views[0].body[0]).toMatchObject({ text: merz.text });
  });
});

describe('diffArticles', () => {
  const { views, steps } = foldAll(life);
  const between = (from: number, to: number) => steps.filter((s) => s.revision > from && s.revision <= to);

  it('names exactly the words a correction changed', () => {
    const diff = diffArticles(views[2], views[4], between(2, 4));
    expect(diff.body.changed).toHaveLength(1);
    expect(diff.body.changed[0].words.filter((w) => w.op !== 'equal')).toEqual([
      { op: 'delete', text: 'Olaf' },
      { op: 'insert', text: 'Friedrich' },
    ]);
    expect(diff).toMatchObject({ headline: null, standfirst: null, byline: null, status: null, statusChanges: [] });
    expect(diff.corrections.map((c) => c.correctionId)).toEqual(['c-1']);
    expect(diff.from).toEqual({ revision: 2, at: views[2].updatedAt });
  });

  it('reports quotes attributed, amended and withdrawn', () => {
    expect(diffArticles(views[0], views[1], []).quotes.attributed.map((q) => q.quoteId)).toEqual([QUOTE_ID]);
    const amended = diffArticles(views[4], views[5], []).quotes.amended;
    expect(amended).toEqual([
      {
        quoteId: QUOTE_ID,
        speaker: { before: { name: 'Jane Doe', title: 'Mayor' }, after: { name: 'Jane Doe', title: 'Former mayor' } },
        text: null,
        source: { before: { description: 'Press conference' }, after: null },
      },
    ]);
    expect(diffArticles(views[7], views[8], []).quotes.withdrawn.map((q) => q.quoteId)).toEqual([QUOTE_ID]);
  });

  it('lists each status step between, and the net status change', () => {
    const diff = diffArticles(views[1], views[8], between(1, 8));
    expect(diff.statusChanges.map((s) => [s.revision, s.type, s.status])).toEqual([
      [2, 'ArticlePublished', 'published'],
      [7, 'ArticleUnpublished', 'draft'],
    ]);
    expect(diff.status).toBeNull();
    expect(diff.headline?.words).toEqual([
      { op: 'equal', text: 'Council passes ' },
      { op: 'insert', text: 'the ' },
      { op: 'equal', text: 'budget' },
    ]);
    expect(diffArticles(views[6], views[7], between(6, 7)).status).toEqual({ before: 'published', after: 'draft' });
  });
});
