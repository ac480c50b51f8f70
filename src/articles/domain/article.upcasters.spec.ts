import { ARTICLE_EVENT_SCHEMA_VERSIONS, ARTICLE_EVENT_TYPES } from './article.events';
import { upcast, UPCASTERS } from './article.upcasters';

const draftedV1 = (byline: unknown) => ({
  articleId: 'a-1',
  headline: 'Talks collapse',
  standfirst: null,
  body: [{ id: 'b-1', type: 'paragraph', text: 'Words.' }],
  byline,
  draftedAt: '2025-05-16T10:00:00.000Z',
});

describe('article event upcasters', () => {
  it('every event type has a path from version 1 to the version written today', () => {
    for (const type of ARTICLE_EVENT_TYPES) {
      for (let version = 1; version < ARTICLE_EVENT_SCHEMA_VERSIONS[type]; version++) {
        expect({ type, version, step: typeof UPCASTERS[type]?.[version] }).toEqual({ type, version, step: 'function' });
      }
    }
  });

  it('ArticleDrafted is written as version 2', () => {
    expect(ARTICLE_EVENT_SCHEMA_VERSIONS.ArticleDrafted).toBe(2);
  });

  it.each([
    ['Rita Reporter', ['Rita Reporter']],
    ['Rita Reporter and Eddie Editor', ['Rita Reporter', 'Eddie Editor']],
    ['Rita Reporter, Eddie Editor and Sam Standards', ['Rita Reporter', 'Eddie Editor', 'Sam Standards']],
    ['Rita Reporter, Eddie Editor, and Sam Standards', ['Rita Reporter', 'Eddie Editor', 'Sam Standards']],
    ['  Rita Reporter ,Eddie Editor  ', ['Rita Reporter', 'Eddie Editor']],
    ['', []],
  ])('ArticleDrafted v1 byline %j becomes %j', (byline, names) => {
    expect(upcast('ArticleDrafted', 1, draftedV1(byline))).toEqual({ type: 'ArticleDrafted', data: draftedV1(names) });
  });

  it('keeps the rest of a v1 ArticleDrafted as it was and does not mutate the stored data', () => {
    const stored = draftedV1('Rita Reporter and Eddie Editor');
    const frozen = JSON.parse(JSON.stringify(stored));
    upcast('ArticleDrafted', 1, stored);
    expect(stored).toEqual(frozen);
  });

  it('reads a list stored under version 1 (written before the bump) and a missing byline', () => {
    expect(upcast('ArticleDrafted', 1, draftedV1(['Rita Reporter']))?.data).toEqual(draftedV1(['Rita Reporter']));
    const { byline: _, ...withoutByline } = draftedV1('x');
    expect(upcast('ArticleDrafted', 1, withoutByline)?.data).toMatchObject({ byline: [] });
  });

  it('leaves a current-version event untouched', () => {
    const data = draftedV1(['Rita Reporter and Eddie Editor']);
    expect(upcast('ArticleDrafted', 2, data)).toEqual({ type: 'ArticleDrafted', data });
    expect(upcast('HeadlineRevised', 1, { headline: 'H' })).toEqual({ type: 'HeadlineRevised', data: { headline: 'H' } });
  });

  it('throws when a step is missing', () => {
    expect(() => upcast('ArticleDrafted', 0, draftedV1('x'))).toThrow('No upcaster for ArticleDrafted from schema version 0');
  });
});
