import { ForbiddenError, InvalidInputError, NotFoundError, RuleViolationError } from '../../common/app-error';
import {
  drafted,
  editor,
  given,
  intro,
  NOW,
  points,
  published,
  QUOTE_ID,
  quoteAttributed,
  quoteWithdrawn,
  reporter,
  standards,
  subhead,
  unpublished,
} from '../../../test/support/article-fixtures';
import type { ArticleCommand, IssueCorrection } from './article.commands';
import type { ArticleEvent, FieldChange } from './article.events';

const correct = (data: Partial<IssueCorrection['data']>): ArticleCommand => ({
  type: 'IssueCorrection',
  data: { kind: 'correction', note: 'We misstated the vote.', ...data },
});
const issued = (changes: FieldChange[], kind: IssueCorrection['data']['kind'] = 'correction'): ArticleEvent => ({
  type: 'CorrectionIssued',
  data: { correctionId: 'id-1', kind, note: 'We misstated the vote.', issuedAt: NOW, changes },
});
const live = [drafted(), quoteAttributed(), published()];
const asStandards = { actor: standards };

describe('IssueCorrection: who and when', () => {
  it.each([
    ['editor', editor],
    ['reporter', reporter],
  ])('refuses an %s', (_, actor) =>
    given(live)
      .when(correct({ headline: 'x' }), { actor, reason: 'x' })
      .thenThrows(ForbiddenError),
  );

  it('refuses an article never published', () =>
    given([drafted()])
      .when(correct({ headline: 'Fixed' }), asStandards)
      .thenThrows(RuleViolationError));

  it('corrects an article that was published and is now a draft', () =>
    given([...live, unpublished()])
      .when(correct({ headline: 'Fixed' }), asStandards)
      .then([{ type: 'HeadlineRevised', data: { headline: 'Fixed' } }, issued([{ field: 'headline', before: 'Council passes budget', after: 'Fixed' }])]));

  it('refuses a blank note', () =>
    given(live)
      .when(correct({ note: '  ', headline: 'Fixed' }), asStandards)
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'note', message: expect.any(String) }])));
});

describe('IssueCorrection: what it changes', () => {
  it('revises the standfirst', () =>
    given(live)
      .when(correct({ standfirst: 'An early vote.' }), asStandards)
      .then([
        { type: 'StandfirstRevised', data: { standfirst: 'An early vote.' } },
        issued([{ field: 'standfirst', before: 'A late-night vote.', after: 'An early vote.' }]),
      ]));

  it('revises the body, listing each block edited, added and removed', () =>
    given(live)
      .when(
        correct({
          body: [
            { type: 'paragraph', text: 'The council met on Wednesday.' },
            { type: 'list', items: ['Budget passed', 'Library closes'] },
            { type: 'paragraph', text: 'More to follow.' },
          ],
        }),
        asStandards,
      )
      .then([
        {
          type: 'BodyRevised',
          data: {
            body: [
              { id: intro.id, type: 'paragraph', text: 'The council met on Wednesday.' },
              { id: points.id, type: 'list', items: ['Budget passed', 'Library closes'] },
              { id: 'id-1', type: 'paragraph', text: 'More to follow.' },
            ],
          },
        },
        {
          ...issued([
            { field: `body.${intro.id}`, before: 'The council met on Tuesday.', after: 'The council met on Wednesday.' },
            { field: `body.${points.id}`, before: 'Budget passed\nLibrary stays open', after: 'Budget passed\nLibrary closes' },
            { field: 'body.id-1', before: null, after: 'More to follow.' },
            { field: `body.${subhead.id}`, before: 'The vote', after: null },
          ]),
          data: expect.objectContaining({ correctionId: 'id-2' }),
        },
      ]));

  it('amends a published quote: the way to change its text and speaker', () =>
    given(live)
      .when(correct({ quotes: [{ quoteId: QUOTE_ID, text: 'We kept it open.', speaker: { name: 'John Roe', title: 'Mayor' } }] }), asStandards)
      .then([
        {
          type: 'QuoteAmended',
          data: { quoteId: QUOTE_ID, speaker: { name: 'John Roe', title: 'Mayor' }, text: 'We kept it open.', source: { description: 'Press conference' } },
        },
        issued([
          { field: `quotes.${QUOTE_ID}.text`, before: 'We kept the library open.', after: 'We kept it open.' },
          { field: `quotes.${QUOTE_ID}.speaker`, before: 'Jane Doe', after: 'John Roe' },
        ]),
      ]));

  it('names a quote source by its description, and a speaker by name and title when only the title moved', () =>
    given(live)
      .when(correct({ quotes: [{ quoteId: QUOTE_ID, speaker: { name: 'Jane Doe', title: 'Former mayor' }, source: null }] }), asStandards)
      .then([
        expect.objectContaining({ type: 'QuoteAmended' }),
        issued([
          { field: `quotes.${QUOTE_ID}.speaker`, before: 'Jane Doe, Mayor', after: 'Jane Doe, Former mayor' },
          { field: `quotes.${QUOTE_ID}.source`, before: 'Press conference', after: null },
        ]),
      ]));

  it('leaves out every value that matches what the article already says', () =>
    given(live)
      .when(
        correct({
          kind: 'clarification',
          headline: 'Council passes budget',
          standfirst: 'A late-night vote.',
          body: [intro, subhead, points],
          quotes: [{ quoteId: QUOTE_ID, text: 'We kept the library open.', source: { description: 'Council press conference' } }],
        }),
        asStandards,
      )
      .then([
        expect.objectContaining({ type: 'QuoteAmended' }),
        issued([{ field: `quotes.${QUOTE_ID}.source`, before: 'Press conference', after: 'Council press conference' }], 'clarification'),
      ]));

  it('emits headline, standfirst, body and quote revisions before the correction, in one list', () =>
    given(live)
      .when(
        correct({
          headline: 'Budget passes',
          standfirst: 'An early vote.',
          body: [intro, subhead],
          quotes: [{ quoteId: QUOTE_ID, text: 'We kept it open.' }],
        }),
        asStandards,
      )
      .then([
        expect.objectContaining({ type: 'HeadlineRevised' }),
        expect.objectContaining({ type: 'StandfirstRevised' }),
        expect.objectContaining({ type: 'BodyRevised' }),
        expect.objectContaining({ type: 'QuoteAmended' }),
        expect.objectContaining({
          type: 'CorrectionIssued',
          data: expect.objectContaining({
            changes: [
              expect.objectContaining({ field: 'headline' }),
              expect.objectContaining({ field: 'standfirst' }),
              expect.objectContaining({ field: `body.${points.id}`, after: null }),
              expect.objectContaining({ field: `quotes.${QUOTE_ID}.text` }),
            ],
          }),
        }),
      ]));

  it('lets an editors-note stand alone', () =>
    given(live)
      .when(correct({ kind: 'editors-note' }), asStandards)
      .then([issued([], 'editors-note')]));

  it('refuses a correction that changes nothing', () =>
    given(live)
      .when(correct({ kind: 'correction', headline: 'Council passes budget' }), asStandards)
      .thenThrows(RuleViolationError));

  it('lets a clarification be its note alone, as an editors-note may', () =>
    given(live)
      .when(correct({ kind: 'clarification' }), asStandards)
      .then([issued([], 'clarification')]));

  it('withdraws a published quote, recording its text as the change', () =>
    given(live)
      .when(correct({ quotes: [{ quoteId: QUOTE_ID, withdraw: true }] }), asStandards)
      .then([
        { type: 'QuoteWithdrawn', data: { quoteId: QUOTE_ID } },
        issued([{ field: `quotes.${QUOTE_ID}`, before: 'We kept the library open.', after: null }]),
      ]));

  it('refuses a withdrawal that also changes the quote', () =>
    given(live)
      .when(correct({ quotes: [{ quoteId: QUOTE_ID, withdraw: true, text: 'x' }] }), asStandards)
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'quotes[0].withdraw', message: expect.any(String) }])));

  it('refuses a withdrawal that also changes the quote by its shape alone: 400 even for a quote the article does not hold', () =>
    given(live)
      .when(correct({ quotes: [{ quoteId: 'q-unknown', withdraw: true, text: 'x' }] }), asStandards)
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'quotes[0].withdraw', message: expect.any(String) }])));

  it('refuses a malformed withdrawal after an unknown quote with 400, not 404: every shape is checked before any lookup', () =>
    given(live)
      .when(
        correct({
          quotes: [
            { quoteId: 'q-unknown', text: 'x' },
            { quoteId: QUOTE_ID, withdraw: true, source: null },
          ],
        }),
        asStandards,
      )
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'quotes[1].withdraw', message: expect.any(String) }])));

  it('refuses a malformed withdrawal with 400 on an article never published too (shape before state)', () =>
    given([drafted(), quoteAttributed()])
      .when(correct({ quotes: [{ quoteId: QUOTE_ID, withdraw: true, text: 'x' }] }), asStandards)
      .thenThrows(InvalidInputError));

  it('lists every malformed quote entry, not only the first', () =>
    given(live)
      .when(
        correct({
          quotes: [
            { quoteId: QUOTE_ID, text: 'a' },
            { quoteId: QUOTE_ID, withdraw: true, text: 'b' },
          ],
        }),
        asStandards,
      )
      .thenThrows(InvalidInputError, (error) =>
        expect(error.errors).toEqual([
          { field: 'quotes[1].quoteId', message: expect.any(String) },
          { field: 'quotes[1].withdraw', message: expect.any(String) },
        ]),
      ));

  it('refuses an unknown quote', () =>
    given(live)
      .when(correct({ quotes: [{ quoteId: 'q-unknown', text: 'x' }] }), asStandards)
      .thenThrows(NotFoundError));

  it('refuses a withdrawn quote', () =>
    given([...live, quoteWithdrawn()])
      .when(correct({ quotes: [{ quoteId: QUOTE_ID, text: 'x' }] }), asStandards)
      .thenThrows(NotFoundError));

  it('refuses the same quote twice', () =>
    given(live)
      .when(
        correct({
          quotes: [
            { quoteId: QUOTE_ID, text: 'a' },
            { quoteId: QUOTE_ID, text: 'b' },
          ],
        }),
        asStandards,
      )
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'quotes[1].quoteId', message: expect.any(String) }])));

  it('refuses duplicate block ids', () =>
    given(live)
      .when(correct({ body: [intro, intro] }), asStandards)
      .thenThrows(InvalidInputError, (error) => expect(error.errors).toEqual([{ field: 'body[1].id', message: expect.any(String) }])));
});
