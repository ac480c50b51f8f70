import type { ArticleEvent, BodyBlock } from '../articles/domain/article.events';
import { drafted, intro, points, published, subhead } from '../../test/support/article-fixtures';
import type { StoredArticleEvent } from '../articles/stored-article-event';
import { storedEvent } from '../../test/support/stored-events';
import { BlameTracker } from './blame';

const rita = { id: 'u-reporter', name: 'Rita Reporter' };
const sam = { id: 'u-standards', name: 'Sam Standards' };
const eddie = { id: 'u-editor', name: 'Eddie Editor' };

let revision = 0;
const by = (actor: StoredArticleEvent['actor'], event: ArticleEvent, causationId = `cause-${revision}`): StoredArticleEvent => {
  const at = revision++;
  return storedEvent(event, { revision: at, occurredAt: `t${at + 1}`, actor, reason: `${actor.name} ${event.type}`, causationId });
};

const body = (...blocks: BodyBlock[]): ArticleEvent => ({ type: 'BodyRevised', data: { body: blocks } });

describe('BlameTracker', () => {
  beforeEach(() => (revision = 0));

  it('blames each part on the last event that changed it, and a correction on the standards desk', () => {
    const tracker = new BlameTracker();
    const corrected = { ...intro, text: 'The council met on Wednesday.' };
    [
      by(rita, drafted()),
      by(eddie, published()),
      by(eddie, { type: 'HeadlineRevised', data: { headline: 'Budget passes' } }),
      by(sam, body(corrected, subhead, points), 'correction-append'),
      by(
        sam,
        { type: 'CorrectionIssued', data: { correctionId: 'c-1', kind: 'correction', note: 'Wednesday', issuedAt: 't', changes: [] } },
        'correction-append',
      ),
      // A later revision that only moves blocks leaves their blame where it was.
      by(eddie, body(subhead, corrected, points)),
    ].forEach((entry) => tracker.apply(entry));

    const blame = tracker.result('a-1')!;
    expect(blame.revision).toBe(5);
    expect(blame.headline).toMatchObject({ text: 'Budget passes', lastChange: { revision: 2, actor: eddie, correctionId: null } });
    expect(blame.standfirst).toMatchObject({ text: 'A late-night vote.', lastChange: { revision: 0, actor: rita } });
    expect(blame.body.map((b) => [b.block.id, b.lastChange.revision, b.lastChange.actor.name, b.lastChange.correctionId])).toEqual([
      [subhead.id, 0, 'Rita Reporter', null],
      [intro.id, 3, 'Sam Standards', 'c-1'],
      [points.id, 0, 'Rita Reporter', null],
    ]);
    expect(blame.body[1].lastChange).toMatchObject({ type: 'BodyRevised', reason: 'Sam Standards BodyRevised', at: 't4' });
  });

  it('blames a new block on the revision that added it and forgets removed ones', () => {
    const tracker = new BlameTracker();
    const added: BodyBlock = { id: 'b-new', type: 'paragraph', text: 'New.' };
    [by(rita, drafted()), by(eddie, body(intro, added))].forEach((entry) => tracker.apply(entry));
    expect(tracker.result('a-1')!.body.map((b) => [b.block.id, b.lastChange.revision])).toEqual([
      [intro.id, 0],
      ['b-new', 1],
    ]);
  });

  it('has nothing to blame before the article is drafted', () => {
    expect(new BlameTracker().result('a-1')).toBeNull();
  });
});
