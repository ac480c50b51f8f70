import { articleJson, ArticlesDocs, articlesProjection, assembleArticle, headerOf } from './articles.projection';
import { events, paragraph, REPORTER, STANDARDS, TestLog } from './test-support/article-events';
import { columnsOf, given, MemoryState } from './test-support/given-when-then';

const zelenskyy = { name: 'Volodymyr Zelenskyy', title: 'President of Ukraine' };

function story() {
  const log = new TestLog();
  const history = [
    ...log.append('a1', REPORTER, events.drafted('a1', { headline: 'Talks fail', standfirst: 'No ceasefire' })),
    ...log.append('a1', REPORTER, events.quoteAttributed('q1', zelenskyy, 'We are ready.')),
    ...log.append('a1', REPORTER, events.quoteAttributed('q2', zelenskyy, 'Pressure must follow.')),
    ...log.append('a1', REPORTER, events.published('2025-05-16T10:00:00.000Z')),
  ];
  return { log, history };
}

/** An article's parts' documents in a state: what GET splices into its header. */
function wholeParts(state: MemoryState<ArticlesDocs>) {
  return { body: state.article_body.a1, quotes: state.article_quotes.a1, corrections: state.article_corrections.a1 };
}

describe('articles projection', () => {
  it('given nothing, when an article is drafted, then it is a draft with every field of the read model', () => {
    const [drafted] = new TestLog().append('a1', REPORTER, events.drafted('a1', { headline: 'Talks fail', byline: ['Rita'] }));
    const { after } = given(articlesProjection, []).when(drafted);
    expect(assembleArticle(headerOf(after.summaries.a1), { body: after.article_body.a1 })).toEqual({
      id: 'a1',
      revision: 0,
      status: 'draft',
      headline: 'Talks fail',
      standfirst: null,
      body: [paragraph('p1', 'First paragraph.')],
      byline: ['Rita'],
      quotes: [],
      corrections: [],
      createdAt: '2025-05-16T09:00:00.000Z',
      updatedAt: drafted.occurredAt,
      firstPublishedAt: null,
      publishedAt: null,
      retraction: null,
    });
    // Stored apart: the body in its own document, the rest in the summary with the lists' counts; no quotes or corrections yet.
    expect(after.article_quotes.a1).toBeUndefined();
    expect(after.article_corrections.a1).toBeUndefined();
    expect(after.summaries.a1).toMatchObject({ headline: 'Talks fail', quoteCount: 0, correctionCount: 0 });
    expect(columnsOf(articlesProjection, 'summaries', after.summaries.a1)).toEqual({ status: 'draft', updated_at: drafted.occurredAt });
  });

  it('given a published article with quotes, when a correction revises the body, then both show and the revision moves', () => {
    const { log, history } = story();
    const [revised, issued] = log.append(
      'a1',
      STANDARDS,
      events.bodyRevised([paragraph('p1', 'Corrected paragraph.')]),
      events.correctionIssued('c1', [{ field: 'body.p1', before: 'First paragraph.', after: 'Corrected paragraph.' }]),
    );
    const { after } = given(articlesProjection, [...history, revised]).when(issued);
    const article = assembleArticle(headerOf(after.summaries.a1), wholeParts(after));
    expect(article).toMatchObject({ revision: 5, status: 'published', body: [paragraph('p1', 'Corrected paragraph.')] });
    expect(article.corrections).toEqual([
      {
        correctionId: 'c1',
        kind: 'correction',
        note: 'We got it wrong.',
        issuedAt: '2025-05-17T08:00:00.000Z',
        actor: STANDARDS,
        revision: 5,
        changes: [{ field: 'body.p1', before: 'First paragraph.', after: 'Corrected paragraph.' }],
      },
    ]);
    expect(after.summaries.a1).toMatchObject({ revision: 5, quoteCount: 2, correctionCount: 1, updatedAt: issued.occurredAt });
  });

  it('the article and its corrections, spliced as stored text, are byte for byte the whole article as JSON', () => {
    const { log, history } = story();
    const tricky = 'He said ,"body":[],"quotes":[],"corrections":[],"createdAt": — and “ünïcode” \\ too';
    const corrected = log.append(
      'a1',
      STANDARDS,
      events.headlineRevised(tricky),
      events.bodyRevised([paragraph('p1', tricky)]),
      events.correctionIssued('c1', [{ field: 'body.p1', before: 'First paragraph.', after: tricky }]),
      events.correctionIssued('c2', [{ field: 'headline', before: 'Talks fail', after: 'Talks "fail"' }]),
      events.retracted(tricky),
    );
    const { after } = given(articlesProjection, [...history, ...corrected.slice(0, -1)]).when(corrected[corrected.length - 1]);
    const whole = assembleArticle(headerOf(after.summaries.a1), wholeParts(after));
    expect(whole.corrections).toHaveLength(2);
    const json = (doc: object) => Buffer.from(JSON.stringify(doc));
    const texts = { body: json(after.article_body.a1), quotes: json(after.article_quotes.a1), corrections: json(after.article_corrections.a1) };
    expect(articleJson(json(headerOf(after.summaries.a1)), texts).toString()).toBe(JSON.stringify(whole));
    // A part without a document is the header's empty list.
    const { after: plain } = given(articlesProjection, history.slice(0, -1)).when(history[history.length - 1]);
    expect(plain.article_corrections.a1).toBeUndefined();
    const plainTexts = { body: json(plain.article_body.a1), quotes: json(plain.article_quotes.a1) };
    expect(articleJson(json(headerOf(plain.summaries.a1)), plainTexts).toString()).toBe(
      JSON.stringify(assembleArticle(headerOf(plain.summaries.a1), wholeParts(plain))),
    );
    expect(JSON.parse(articleJson(json(headerOf(plain.summaries.a1)), plainTexts).toString())).toMatchObject({
      quotes: [{ quoteId: 'q1' }, { quoteId: 'q2' }],
      corrections: [],
    });
    expect(articleJson(json(headerOf(plain.summaries.a1)), {}).toString()).toBe(JSON.stringify(headerOf(plain.summaries.a1)));
    expect(plain.summaries.a1).toMatchObject({ correctionCount: 0 });
    expect(after.summaries.a1).toMatchObject({ correctionCount: 2 });
  });

  it('keeps quotes current: amended in place, withdrawn ones left out', () => {
    const { log, history } = story();
    const later = log.append(
      'a1',
      REPORTER,
      events.quoteAmended('q1', zelenskyy, 'We are ready to talk.', { description: 'Press conference' }),
      events.quoteWithdrawn('q2'),
    );
    const { after } = given(articlesProjection, [...history, later[0]]).when(later[1]);
    expect(after.summaries.a1).toMatchObject({ quoteCount: 1 });
    expect(after.article_quotes.a1.quotes).toEqual([
      {
        quoteId: 'q1',
        speaker: zelenskyy,
        text: 'We are ready to talk.',
        source: { description: 'Press conference' },
        attributedAt: '2025-05-16T09:30:00.000Z',
        updatedAt: later[0].occurredAt,
      },
    ]);
  });

  it('remembers the first publication across unpublish and republish; publishedAt is the current one', () => {
    const { log, history } = story();
    const [unpublished, republished] = log.append('a1', REPORTER, events.unpublished(), events.published('2025-05-16T12:00:00.000Z'));
    const afterUnpublish = given(articlesProjection, history).when(unpublished).after.summaries.a1;
    expect(afterUnpublish).toMatchObject({ status: 'draft', publishedAt: null, firstPublishedAt: '2025-05-16T10:00:00.000Z' });
    const afterRepublish = given(articlesProjection, [...history, unpublished]).when(republished).after.summaries.a1;
    expect(afterRepublish).toMatchObject({
      status: 'published',
      publishedAt: '2025-05-16T12:00:00.000Z',
      firstPublishedAt: '2025-05-16T10:00:00.000Z',
    });
  });

  it('shows a retraction with its note', () => {
    const { log, history } = story();
    const [retracted] = log.append('a1', STANDARDS, events.retracted('Sources recanted.'));
    const { after } = given(articlesProjection, history).when(retracted);
    expect(headerOf(after.summaries.a1)).toMatchObject({
      status: 'retracted',
      retraction: { note: 'Sources recanted.', retractedAt: '2025-05-18T08:00:00.000Z' },
    });
    expect(columnsOf(articlesProjection, 'summaries', after.summaries.a1).status).toBe('retracted');
  });

  it('the same event twice changes nothing, for every event of a story', () => {
    const { log, history } = story();
    const all = [
      ...history,
      ...log.append('a1', STANDARDS, events.headlineRevised('Talks collapse'), events.correctionIssued('c1', [])),
      ...log.append('a1', REPORTER, events.standfirstRevised(null), events.quoteWithdrawn('q1'), events.retracted('x')),
    ];
    all.forEach((event, i) => {
      const { changes, after, before } = given(articlesProjection, all.slice(0, i + 1)).when(event);
      expect(changes).toEqual([]);
      expect(after).toEqual(before);
    });
  });

  it('refuses an event for an article that was never drafted, rather than guess', () => {
    const [stray] = new TestLog().append('a9', REPORTER, events.drafted('a9'), events.headlineRevised('x')).slice(1);
    expect(() => given(articlesProjection, []).when(stray)).toThrow(/never drafted/);
  });
});
