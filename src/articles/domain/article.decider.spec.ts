import { ForbiddenError, InvalidInputError, NotFoundError, RuleViolationError } from '../../common/app-error';
import {
  admin,
  ARTICLE_ID,
  drafted,
  editor,
  everyRole,
  given,
  intro,
  NOW,
  points,
  published,
  QUOTE_ID,
  quoteAttributed,
  reporter,
  retracted,
  standards,
  subhead,
  unpublished,
} from '../../../test/support/article-fixtures';
import type { ArticleCommand } from './article.commands';

const draft: ArticleCommand = {
  type: 'DraftArticle',
  data: {
    articleId: ARTICLE_ID,
    headline: 'Council passes budget',
    body: [
      { type: 'paragraph', text: 'The council met.' },
      { id: 'kept', type: 'heading', text: 'The vote' },
    ],
  },
};
const reviseHeadline = (headline: string): ArticleCommand => ({ type: 'ReviseHeadline', data: { headline } });
const publish: ArticleCommand = { type: 'PublishArticle', data: {} };
const unpublish: ArticleCommand = { type: 'UnpublishArticle', data: {} };
const retract: ArticleCommand = { type: 'RetractArticle', data: { note: 'Fabricated quotes.' } };

const everyCommandButDraft: ArticleCommand[] = [
  reviseHeadline('New headline'),
  { type: 'ReviseStandfirst', data: { standfirst: 'New standfirst' } },
  { type: 'ReviseBody', data: { body: [{ type: 'paragraph', text: 'New body' }] } },
  { type: 'AttributeQuote', data: { speaker: { name: 'Someone' }, text: 'Something.' } },
  { type: 'AmendQuote', data: { quoteId: QUOTE_ID, text: 'Changed.' } },
  { type: 'WithdrawQuote', data: { quoteId: QUOTE_ID } },
  publish,
  unpublish,
  { type: 'IssueCorrection', data: { kind: 'editors-note', note: 'A note.' } },
  retract,
];

describe('DraftArticle', () => {
  it('drafts an article, assigning block ids and crediting the drafting reporter', () =>
    given([])
      .when(draft)
      .then([
        {
          type: 'ArticleDrafted',
          data: {
            articleId: ARTICLE_ID,
            headline: 'Council passes budget',
            standfirst: null,
            body: [
              { id: 'id-1', type: 'paragraph', text: 'The council met.' },
              { id: 'kept', type: 'heading', text: 'The vote' },
            ],
            byline: ['Ada Lovelace'],
            draftedAt: NOW,
          },
        },
      ]));

  it('lets an editor draft, keeping the given standfirst and byline', () =>
    given([])
      .when({ type: 'DraftArticle', data: { ...draft.data, standfirst: 'Late vote.', byline: ['A. Writer', 'B. Writer'] } } as ArticleCommand, {
        actor: editor,
      })
      .then([expect.objectContaining({ data: expect.objectContaining({ standfirst: 'Late vote.', byline: ['A. Writer', 'B. Writer'] }) })]));

  it.each([
    ['standards', standards],
    ['admin', admin],
  ])('refuses a %s user', (_, actor) => given([]).when(draft, { actor }).thenThrows(ForbiddenError));

  it('refuses to draft over an existing article', () => given([drafted()]).when(draft).thenThrows(RuleViolationError));

  it('refuses duplicate block ids, naming the offending block', () =>
    given([])
      .when({
        type: 'DraftArticle',
        data: {
          articleId: ARTICLE_ID,
          headline: 'H',
          body: [
            { id: 'x', type: 'paragraph', text: 'a' },
            { id: 'x', type: 'paragraph', text: 'b' },
          ],
        },
      })
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'body[1].id', message: expect.any(String) }])));
});

describe('an article that does not exist', () => {
  it.each(everyCommandButDraft.map((command) => [command.type, command] as const))('refuses %s as not found', (_, command) =>
    given([]).when(command, { actor: everyRole, reason: 'why' }).thenThrows(NotFoundError),
  );
});

describe('a retracted article', () => {
  it.each([draft, ...everyCommandButDraft].map((command) => [command.type, command] as const))('refuses %s', (_, command) =>
    given([drafted(), quoteAttributed(), published(), retracted]).when(command, { actor: everyRole, reason: 'why' }).thenThrows(RuleViolationError),
  );

  it('refuses before checking roles', () =>
    given([drafted(), published(), retracted]).when(reviseHeadline('x'), { actor: admin }).thenThrows(RuleViolationError));
});

describe('editing a draft', () => {
  it('lets a reporter revise the headline without a reason', () =>
    given([drafted()])
      .when(reviseHeadline('Budget passes'))
      .then([{ type: 'HeadlineRevised', data: { headline: 'Budget passes' } }]));

  it('lets an editor revise the standfirst, or clear it', () =>
    given([drafted()])
      .when({ type: 'ReviseStandfirst', data: { standfirst: null } }, { actor: editor })
      .then([{ type: 'StandfirstRevised', data: { standfirst: null } }]));

  it('revises the body, keeping the ids of blocks that stay and of the edited paragraph', () =>
    given([drafted()])
      .when({
        type: 'ReviseBody',
        data: {
          body: [
            { type: 'paragraph', text: 'The council met late on Tuesday.' },
            { type: 'heading', text: 'The vote' },
            { type: 'paragraph', text: 'A new paragraph.' },
            { type: 'list', items: ['Budget passed', 'Library stays open'] },
          ],
        },
      })
      .then([
        {
          type: 'BodyRevised',
          data: {
            body: [
              { id: intro.id, type: 'paragraph', text: 'The council met late on Tuesday.' },
              subhead,
              { id: 'id-1', type: 'paragraph', text: 'A new paragraph.' },
              points,
            ],
          },
        },
      ]));

  it.each([
    ['headline', reviseHeadline('Council passes budget')],
    ['standfirst', { type: 'ReviseStandfirst', data: { standfirst: 'A late-night vote.' } } as ArticleCommand],
    ['body without ids', { type: 'ReviseBody', data: { body: [intro, subhead, points].map(({ id: _, ...block }) => block) } } as ArticleCommand],
    ['body with ids', { type: 'ReviseBody', data: { body: [intro, subhead, points] } } as ArticleCommand],
  ])('records nothing when the %s is unchanged', (_, command) => given([drafted()]).when(command).thenNothingHappened());

  it.each([
    ['standards', standards],
    ['admin', admin],
  ])('refuses a %s user', (_, actor) => given([drafted()]).when(reviseHeadline('x'), { actor }).thenThrows(ForbiddenError));

  it('lets a reporter edit again once the article is unpublished', () =>
    given([drafted(), published(), unpublished()])
      .when(reviseHeadline('Back to draft'))
      .then([{ type: 'HeadlineRevised', data: { headline: 'Back to draft' } }]));
});

describe('editing a published article', () => {
  const live = [drafted(), published()];

  it('lets an editor edit with a reason', () =>
    given(live)
      .when(reviseHeadline('Budget passes'), { actor: editor, reason: 'Tighter' })
      .then([{ type: 'HeadlineRevised', data: { headline: 'Budget passes' } }]));

  it('refuses a reporter, even with a reason', () => given(live).when(reviseHeadline('x'), { actor: reporter, reason: 'Tighter' }).thenThrows(ForbiddenError));

  it.each([
    ['no', null],
    ['a blank', '   '],
  ])('refuses an edit with %s reason', (_, reason) =>
    given(live)
      .when({ type: 'ReviseBody', data: { body: [{ type: 'paragraph', text: 'x' }] } }, { actor: editor, reason })
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'reason', message: expect.any(String) }])),
  );
});

describe('PublishArticle', () => {
  it('publishes a draft at the current time', () =>
    given([drafted()])
      .when(publish, { actor: editor })
      .then([{ type: 'ArticlePublished', data: { publishedAt: NOW } }]));

  it('republishes an unpublished article', () =>
    given([drafted(), published(), unpublished()])
      .when(publish, { actor: editor })
      .then([{ type: 'ArticlePublished', data: { publishedAt: NOW } }]));

  it.each([
    ['reporter', reporter],
    ['standards', standards],
  ])('refuses a %s', (_, actor) => given([drafted()]).when(publish, { actor }).thenThrows(ForbiddenError));

  it('refuses an article that is already published', () => given([drafted(), published()]).when(publish, { actor: editor }).thenThrows(RuleViolationError));

  it.each([
    ['an empty headline', drafted({ headline: '  ' })],
    ['an empty body', drafted({ body: [] })],
    [
      'a body of blank blocks',
      drafted({
        body: [
          { id: 'b', type: 'paragraph', text: ' ' },
          { id: 'l', type: 'list', items: [''] },
        ],
      }),
    ],
  ])('refuses a draft with %s', (_, event) => given([event]).when(publish, { actor: editor }).thenThrows(RuleViolationError));
});

describe('UnpublishArticle', () => {
  it('takes a published article back to draft', () =>
    given([drafted(), published()])
      .when(unpublish, { actor: editor, reason: 'Legal review' })
      .then([{ type: 'ArticleUnpublished', data: { unpublishedAt: NOW } }]));

  it('refuses a reporter', () => given([drafted(), published()]).when(unpublish, { actor: reporter, reason: 'x' }).thenThrows(ForbiddenError));

  it('refuses without a reason', () => given([drafted(), published()]).when(unpublish, { actor: editor }).thenThrows(InvalidInputError));

  it('refuses a draft', () => given([drafted()]).when(unpublish, { actor: editor, reason: 'x' }).thenThrows(RuleViolationError));
});

describe('RetractArticle', () => {
  it('retracts a published article', () =>
    given([drafted(), published()])
      .when(retract, { actor: standards })
      .then([{ type: 'ArticleRetracted', data: { note: 'Fabricated quotes.', retractedAt: NOW } }]));

  it('retracts an article that was published once and is now a draft', () =>
    given([drafted(), published(), unpublished()])
      .when(retract, { actor: standards })
      .then([expect.objectContaining({ type: 'ArticleRetracted' })]));

  it('refuses an article never published', () => given([drafted()]).when(retract, { actor: standards }).thenThrows(RuleViolationError));

  it.each([
    ['editor', editor],
    ['admin', admin],
  ])('refuses an %s', (_, actor) => given([drafted(), published()]).when(retract, { actor }).thenThrows(ForbiddenError));

  it('refuses a blank note', () =>
    given([drafted(), published()])
      .when({ type: 'RetractArticle', data: { note: ' ' } }, { actor: standards })
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'note', message: expect.any(String) }])));
});
