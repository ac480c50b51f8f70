import { ForbiddenError, InvalidInputError, NotFoundError, RuleViolationError } from '../../common/app-error';
import {
  drafted,
  editor,
  given,
  NOW,
  published,
  QUOTE_ID,
  quoteAttributed,
  quoteWithdrawn,
  reporter,
  standards,
  unpublished,
} from '../../../test/support/article-fixtures';
import type { AmendQuote, ArticleCommand } from './article.commands';

const attribute: ArticleCommand = {
  type: 'AttributeQuote',
  data: { speaker: { name: 'John Roe' }, text: 'It was a long night.' },
};
const amend = (data: Omit<AmendQuote['data'], 'quoteId'>, quoteId = QUOTE_ID): ArticleCommand => ({
  type: 'AmendQuote',
  data: { quoteId, ...data },
});
const withdraw = (quoteId = QUOTE_ID): ArticleCommand => ({ type: 'WithdrawQuote', data: { quoteId } });
const mayor = { name: 'Jane Doe', title: 'Mayor' };

describe('AttributeQuote', () => {
  it('attributes a quote under a fresh id, with no source unless given', () =>
    given([drafted()])
      .when(attribute)
      .then([
        {
          type: 'QuoteAttributed',
          data: { quoteId: 'id-1', speaker: { name: 'John Roe' }, text: 'It was a long night.', source: null, attributedAt: NOW },
        },
      ]));

  it('keeps the speaker title and source', () =>
    given([drafted()])
      .when({ type: 'AttributeQuote', data: { speaker: mayor, text: 'Yes.', source: { description: 'Interview', url: 'https://x.test' } } })
      .then([expect.objectContaining({ data: expect.objectContaining({ speaker: mayor, source: { description: 'Interview', url: 'https://x.test' } }) })]));

  it('refuses the standards desk', () => given([drafted()]).when(attribute, { actor: standards }).thenThrows(ForbiddenError));

  it('on a published article, needs an editor', () =>
    given([drafted(), published()]).when(attribute, { actor: reporter, reason: 'x' }).thenThrows(ForbiddenError));

  it('on a published article, needs a reason', () => given([drafted(), published()]).when(attribute, { actor: editor }).thenThrows(InvalidInputError));

  it('on a published article, an editor with a reason may add one', () =>
    given([drafted(), published()])
      .when(attribute, { actor: editor, reason: 'New reaction' })
      .then([expect.objectContaining({ type: 'QuoteAttributed' })]));
});

describe('AmendQuote on a quote never published', () => {
  const history = [drafted(), quoteAttributed()];

  it('changes the text, keeping speaker and source', () =>
    given(history)
      .when(amend({ text: 'We kept it open.' }))
      .then([{ type: 'QuoteAmended', data: { quoteId: QUOTE_ID, speaker: mayor, text: 'We kept it open.', source: { description: 'Press conference' } } }]));

  it('changes the speaker', () =>
    given(history)
      .when(amend({ speaker: { name: 'John Roe' } }))
      .then([expect.objectContaining({ data: expect.objectContaining({ speaker: { name: 'John Roe' }, text: 'We kept the library open.' }) })]));

  it('removes the source with null', () =>
    given(history)
      .when(amend({ source: null }))
      .then([expect.objectContaining({ data: expect.objectContaining({ source: null }) })]));

  it('records nothing when nothing changes', () =>
    given(history)
      .when(amend({ text: 'We kept the library open.', speaker: mayor, source: { description: 'Press conference' } }))
      .thenNothingHappened());

  it('refuses an unknown quote', () =>
    given(history)
      .when(amend({ text: 'x' }, 'q-unknown'))
      .thenThrows(NotFoundError));

  it('refuses a withdrawn quote', () =>
    given([...history, quoteWithdrawn()])
      .when(amend({ text: 'x' }))
      .thenThrows(NotFoundError));

  it('refuses the standards desk', () =>
    given(history)
      .when(amend({ text: 'x' }), { actor: standards })
      .thenThrows(ForbiddenError));

  it('is free for a quote added after the article was unpublished', () =>
    given([drafted(), published(), unpublished(), quoteAttributed()])
      .when(amend({ text: 'Edited.' }))
      .then([expect.objectContaining({ type: 'QuoteAmended' })]));

  it('is free for a quote withdrawn before publication and then re-attributed', () =>
    given([drafted(), quoteAttributed({ quoteId: 'q-old' }), quoteWithdrawn('q-old'), published(), unpublished(), quoteAttributed()])
      .when(amend({ text: 'Edited.' }))
      .then([expect.objectContaining({ type: 'QuoteAmended' })]));
});

describe('AmendQuote on a published quote', () => {
  const live = [drafted(), quoteAttributed(), published()];
  const asEditor = { actor: editor, reason: 'Fix' };
  const useACorrection = (error: Error) => expect(error.message).toMatch(/correction/);

  it.each([
    ['text', amend({ text: 'Changed.' })],
    ['speaker name', amend({ speaker: { name: 'John Roe', title: 'Mayor' } })],
    ['speaker title', amend({ speaker: { name: 'Jane Doe' } })],
  ])('refuses a change of %s: that takes a correction', (_, command) => given(live).when(command, asEditor).thenThrows(RuleViolationError, useACorrection));

  it('allows a change of source', () =>
    given(live)
      .when(amend({ source: { description: 'Press release', url: 'https://council.test' } }), asEditor)
      .then([
        {
          type: 'QuoteAmended',
          data: { quoteId: QUOTE_ID, speaker: mayor, text: 'We kept the library open.', source: { description: 'Press release', url: 'https://council.test' } },
        },
      ]));

  it('allows restating the same text and speaker alongside a new source', () =>
    given(live)
      .when(amend({ text: 'We kept the library open.', speaker: mayor, source: null }), asEditor)
      .then([expect.objectContaining({ type: 'QuoteAmended' })]));

  it('still refuses once the article is unpublished again, even for its reporter', () =>
    given([...live, unpublished()])
      .when(amend({ text: 'Changed.' }))
      .thenThrows(RuleViolationError, useACorrection));

  it('lets the reporter change its source once the article is back to draft', () =>
    given([...live, unpublished()])
      .when(amend({ source: null }))
      .then([expect.objectContaining({ type: 'QuoteAmended' })]));

  it('treats a quote attributed to a live article as published', () =>
    given([drafted(), published(), quoteAttributed()])
      .when(amend({ text: 'Changed.' }), asEditor)
      .thenThrows(RuleViolationError));
});

describe('WithdrawQuote', () => {
  it('withdraws a quote', () =>
    given([drafted(), quoteAttributed()])
      .when(withdraw())
      .then([{ type: 'QuoteWithdrawn', data: { quoteId: QUOTE_ID } }]));

  it('refuses a published quote, even from an editor with a reason: it leaves only through a correction', () =>
    given([drafted(), quoteAttributed(), published()])
      .when(withdraw(), { actor: editor, reason: 'Misattributed' })
      .thenThrows(RuleViolationError, (error) => expect(error.message).toMatch(/correction/)));

  it('refuses a quote that was published, after the article is unpublished', () =>
    given([drafted(), quoteAttributed(), published(), unpublished()])
      .when(withdraw(), { actor: editor, reason: 'Misattributed' })
      .thenThrows(RuleViolationError));

  it('refuses a quote attributed while the article was live', () =>
    given([drafted(), published(), quoteAttributed(), unpublished()]).when(withdraw(), { actor: editor, reason: 'x' }).thenThrows(RuleViolationError));

  it('withdraws a quote attributed after the article was unpublished: readers never saw it', () =>
    given([drafted(), published(), unpublished(), quoteAttributed()])
      .when(withdraw(), { actor: editor })
      .then([{ type: 'QuoteWithdrawn', data: { quoteId: QUOTE_ID } }]));

  it('refuses an unknown quote', () => given([drafted()]).when(withdraw()).thenThrows(NotFoundError));

  it('refuses a quote already withdrawn', () => given([drafted(), quoteAttributed(), quoteWithdrawn()]).when(withdraw()).thenThrows(NotFoundError));

  it('refuses a reporter on a published article', () =>
    given([drafted(), quoteAttributed(), published()]).when(withdraw(), { actor: reporter, reason: 'x' }).thenThrows(ForbiddenError));
});
