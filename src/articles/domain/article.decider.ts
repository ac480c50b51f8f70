/**
 * The article as a decider: decide(command, state, ctx) refuses with a domain error or returns the
 * events to append; evolve(state, event) folds them. Time and ids come only from ctx.
 */
import type { Role } from '../../auth/roles';
import { ForbiddenError, InvalidInputError, NotFoundError, RuleViolationError } from '../../common/app-error';
import type { AmendQuote, ArticleCommand, AttributeQuote, DraftArticle, IssueCorrection, QuoteCorrection } from './article.commands';
import { unhandledEvent, type ArticleEvent, type FieldChange, type QuoteAmended, type QuoteSource, type Speaker } from './article.events';
import { activeQuote, initialState, type ArticleState, type QuoteState } from './article.state';
import { assignBlockIds, bodyChanges, sameBody } from './body-blocks';
import { isBlank } from '../../text';

export { initialState } from './article.state';

/** What decide may know beyond the command and the state; the only source of time and ids. */
export interface DecideContext {
  actor: { id: string; name: string; roles: Role[] };
  /** ISO-8601. */
  now: string;
  /** A fresh UUID on every call. */
  newId: () => string;
  reason: string | null;
}

/**
 * The events `command` appends to an article in `state` (the fold of its stream), oldest first;
 * [] when it changes nothing (the same headline again, say). Pure: reads nothing but its arguments.
 * The rules are API.md's "Commands" and "Article lifecycle".
 *
 * @throws NotFoundError (404) for a command on an article that does not exist, or a quote it does not hold.
 * @throws ForbiddenError (403) when `ctx.actor`'s roles may not make this change (a reporter on a
 *   published article, anyone but a reporter or editor drafting).
 * @throws RuleViolationError (409) when the article's state forbids it: a retracted article is
 *   final, only a draft is published, a published quote changes or leaves only by correction, a publication
 *   needs a headline and a body, a draft of an article that exists.
 * @throws InvalidInputError (400) for values the request schema cannot judge alone: a required
 *   text left blank, a quote changed twice by one correction, a quote withdrawn and changed at once.
 */
export function decide(command: ArticleCommand, state: ArticleState, ctx: DecideContext): ArticleEvent[] {
  if (command.type === 'DraftArticle') return draftArticle(command.data, state, ctx);
  if (!state.exists) throw new NotFoundError('Article not found');
  if (state.status === 'retracted') throw new RuleViolationError('A retracted article is final');

  switch (command.type) {
    case 'ReviseHeadline': {
      assertMayEdit(state, ctx);
      const { headline } = command.data;
      return headline === state.headline ? [] : [{ type: 'HeadlineRevised', data: { headline } }];
    }
    case 'ReviseStandfirst': {
      assertMayEdit(state, ctx);
      const { standfirst } = command.data;
      return standfirst === state.standfirst ? [] : [{ type: 'StandfirstRevised', data: { standfirst } }];
    }
    case 'ReviseBody': {
      assertMayEdit(state, ctx);
      const body = assignBlockIds(command.data.body, state.body, ctx.newId);
      return sameBody(body, state.body) ? [] : [{ type: 'BodyRevised', data: { body } }];
    }
    case 'AttributeQuote':
      assertMayEdit(state, ctx);
      return [attributeQuote(command.data, ctx)];
    case 'AmendQuote':
      assertMayEdit(state, ctx);
      return amendQuote(command.data, state);
    case 'WithdrawQuote': {
      assertMayEdit(state, ctx);
      const quote = requireQuote(state, command.data.quoteId);
      // Readers saw it: it leaves the story only with a correction that says so (issue #15, section 0).
      if (quote.publishedOnce) {
        throw new RuleViolationError('This quote has been published: it leaves the story only through a correction (quotes[].withdraw)');
      }
      return [{ type: 'QuoteWithdrawn', data: { quoteId: quote.quoteId } }];
    }
    case 'PublishArticle':
      requireRole(ctx, ['editor'], 'Only an editor may publish');
      if (state.status !== 'draft') throw new RuleViolationError('Only a draft can be published');
      if (isBlank(state.headline)) throw new RuleViolationError('An article needs a headline to be published');
      if (!hasContent(state)) throw new RuleViolationError('An article needs a non-empty body to be published');
      return [{ type: 'ArticlePublished', data: { publishedAt: ctx.now } }];
    case 'UnpublishArticle':
      requireRole(ctx, ['editor'], 'Only an editor may unpublish');
      requireText(ctx.reason, 'reason', 'Unpublishing needs a reason');
      if (state.status !== 'published') throw new RuleViolationError('Only a published article can be unpublished');
      return [{ type: 'ArticleUnpublished', data: { unpublishedAt: ctx.now } }];
    case 'IssueCorrection':
      return issueCorrection(command.data, state, ctx);
    case 'RetractArticle':
      requireRole(ctx, ['standards'], 'Only the standards desk may retract');
      requireText(command.data.note, 'note', 'A retraction needs a note');
      requirePublishedOnce(state, 'Only an article that has been published can be retracted');
      return [{ type: 'ArticleRetracted', data: { note: command.data.note, retractedAt: ctx.now } }];
  }
}

/**
 * The state after `event`, pure and exhaustive: a new event type does not compile until it is
 * handled here (see unhandledEvent; at run time an unknown type throws, though the one reader,
 * readArticleEvent, never hands one over). An event about a quote the state does not hold
 * leaves the quotes alone.
 */
export function evolve(state: ArticleState, event: ArticleEvent): ArticleState {
  switch (event.type) {
    case 'ArticleDrafted': {
      const { headline, standfirst, body } = event.data;
      return { ...initialState, exists: true, headline, standfirst, body };
    }
    case 'HeadlineRevised':
      return { ...state, headline: event.data.headline };
    case 'StandfirstRevised':
      return { ...state, standfirst: event.data.standfirst };
    case 'BodyRevised':
      return { ...state, body: event.data.body };
    case 'QuoteAttributed': {
      const { quoteId, speaker, text, source } = event.data;
      // A quote attributed to a live article is published the moment it lands.
      const quote: QuoteState = { quoteId, speaker, text, source, publishedOnce: state.status === 'published' };
      return { ...state, quotes: [...state.quotes, quote] };
    }
    case 'QuoteAmended': {
      const { quoteId, speaker, text, source } = event.data;
      return { ...state, quotes: state.quotes.map((q) => (q.quoteId === quoteId ? { ...q, speaker, text, source } : q)) };
    }
    case 'QuoteWithdrawn':
      return { ...state, quotes: state.quotes.filter((q) => q.quoteId !== event.data.quoteId) };
    case 'ArticlePublished':
      return { ...state, status: 'published', publishedOnce: true, quotes: state.quotes.map((q) => ({ ...q, publishedOnce: true })) };
    case 'ArticleUnpublished':
      return { ...state, status: 'draft' };
    case 'CorrectionIssued':
      return state;
    case 'ArticleRetracted':
      return { ...state, status: 'retracted' };
    default:
      return unhandledEvent(event);
  }
}

/** `events` folded with evolve onto `from` (the initial state unless given). */
export function fold(events: readonly ArticleEvent[], from: ArticleState = initialState): ArticleState {
  return events.reduce(evolve, from);
}

export const articleDecider = { decide, evolve, initialState };

function draftArticle(data: DraftArticle['data'], state: ArticleState, ctx: DecideContext): ArticleEvent[] {
  if (state.exists) throw new RuleViolationError('The article already exists');
  requireRole(ctx, ['reporter', 'editor'], 'Only a reporter or an editor may draft an article');
  const body = assignBlockIds(data.body, [], ctx.newId);
  const byline = data.byline ?? [ctx.actor.name];
  const event: ArticleEvent = {
    type: 'ArticleDrafted',
    data: {
      articleId: data.articleId,
      headline: data.headline,
      standfirst: data.standfirst ?? null,
      body,
      byline,
      draftedAt: ctx.now,
    },
  };
  return [event];
}

function attributeQuote(data: AttributeQuote['data'], ctx: DecideContext): ArticleEvent {
  const { speaker, text, source } = data;
  return {
    type: 'QuoteAttributed',
    data: {
      quoteId: ctx.newId(),
      speaker: copySpeaker(speaker),
      text,
      source: copySource(source ?? null),
      attributedAt: ctx.now,
    },
  };
}

function amendQuote(data: AmendQuote['data'], state: ArticleState): ArticleEvent[] {
  const quote = requireQuote(state, data.quoteId);
  const amended = amendedQuote(quote, data);
  if (!amended) return [];
  if (quote.publishedOnce && (quote.text !== amended.data.text || !sameSpeaker(quote.speaker, amended.data.speaker))) {
    throw new RuleViolationError('This quote has been published: use a correction to change its text or speaker');
  }
  return [amended];
}

function issueCorrection(data: IssueCorrection['data'], state: ArticleState, ctx: DecideContext): ArticleEvent[] {
  requireRole(ctx, ['standards'], 'Only the standards desk may issue a correction');
  requireText(data.note, 'note', 'A correction needs a note');
  const quotes = wellFormedQuoteCorrections(data.quotes ?? []);
  requirePublishedOnce(state, 'Only an article that has been published can be corrected');

  const revisions: ArticleEvent[] = [];
  const changes: FieldChange[] = [];
  if (data.headline !== undefined && data.headline !== state.headline) {
    revisions.push({ type: 'HeadlineRevised', data: { headline: data.headline } });
    changes.push({ field: 'headline', before: state.headline, after: data.headline });
  }
  if (data.standfirst !== undefined && data.standfirst !== state.standfirst) {
    revisions.push({ type: 'StandfirstRevised', data: { standfirst: data.standfirst } });
    changes.push({ field: 'standfirst', before: state.standfirst, after: data.standfirst });
  }
  if (data.body !== undefined) {
    const body = assignBlockIds(data.body, state.body, ctx.newId);
    if (!sameBody(body, state.body)) {
      revisions.push({ type: 'BodyRevised', data: { body } });
      for (const change of bodyChanges(state.body, body)) changes.push(change);
    }
  }
  for (const correction of quotes) {
    const quote = requireQuote(state, correction.quoteId);
    if (correction.withdraw) {
      revisions.push({ type: 'QuoteWithdrawn', data: { quoteId: quote.quoteId } });
      changes.push({ field: `quotes.${quote.quoteId}`, before: quote.text, after: null });
      continue;
    }
    const amended = amendedQuote(quote, correction);
    if (!amended) continue;
    revisions.push(amended);
    for (const change of quoteChanges(quote, amended)) changes.push(change);
  }
  // A correction must correct something; a clarification or an editor's note may be its note alone (issue #15).
  if (revisions.length === 0 && data.kind === 'correction') {
    throw new RuleViolationError('A correction must change something; use a clarification or an editors-note for a note alone');
  }
  const issued: ArticleEvent = {
    type: 'CorrectionIssued',
    data: { correctionId: ctx.newId(), kind: data.kind, note: data.note, issuedAt: ctx.now, changes },
  };
  return [...revisions, issued];
}

/** The QuoteAmended the change asks for, or null when it changes nothing. */
function amendedQuote(quote: QuoteState, change: QuoteCorrection): QuoteAmended | null {
  const speaker = copySpeaker(change.speaker ?? quote.speaker);
  const text = change.text ?? quote.text;
  const source = copySource(change.source === undefined ? quote.source : change.source);
  const unchanged = text === quote.text && sameSpeaker(speaker, quote.speaker) && sameSource(source, quote.source);
  return unchanged ? null : { type: 'QuoteAmended', data: { quoteId: quote.quoteId, speaker, text, source } };
}

function quoteChanges(quote: QuoteState, { data: after }: QuoteAmended): FieldChange[] {
  const field = `quotes.${quote.quoteId}`;
  const changes: FieldChange[] = [];
  if (after.text !== quote.text) changes.push({ field: `${field}.text`, before: quote.text, after: after.text });
  if (!sameSpeaker(after.speaker, quote.speaker)) {
    // Named by the speaker's name, unless only the title moved: then the title has to show.
    const label = after.speaker.name === quote.speaker.name ? speakerWithTitle : (s: Speaker) => s.name;
    changes.push({ field: `${field}.speaker`, before: label(quote.speaker), after: label(after.speaker) });
  }
  if (!sameSource(after.source, quote.source)) {
    const onlyUrl = after.source !== null && quote.source !== null && after.source.description === quote.source.description;
    const label = (s: QuoteSource | null) => (s === null ? null : onlyUrl ? sourceWithUrl(s) : s.description);
    changes.push({ field: `${field}.source`, before: label(quote.source), after: label(after.source) });
  }
  return changes;
}

/**
 * `quotes` once checked by their shape alone, before the article's quotes and status are (after
 * the article's existence, its retraction and the caller's role, as every command), so that such
 * a mistake is 400 whatever quotes the article holds: not 404 beside an unknown quote id, nor 409
 * on an article never published. Throws InvalidInputError (400) listing every entry at fault
 * (API.md: every validation error listed in `errors`): a quote named more than once, a withdrawal
 * (`withdraw: true`) with a speaker, text or source beside it (docs/api.md "What readers saw").
 */
function wellFormedQuoteCorrections(quotes: QuoteCorrection[]): QuoteCorrection[] {
  const seen = new Set<string>();
  const errors: Array<{ field: string; message: string }> = [];
  let title = '';
  quotes.forEach(({ quoteId, withdraw, speaker, text, source }, i) => {
    if (seen.has(quoteId)) {
      title ||= 'A correction may change each quote once';
      errors.push({ field: `quotes[${i}].quoteId`, message: `quote ${quoteId} appears more than once` });
    }
    if (withdraw && (speaker !== undefined || text !== undefined || source !== undefined)) {
      title ||= 'A quote the correction withdraws takes no other change';
      errors.push({ field: `quotes[${i}].withdraw`, message: 'withdraw takes no speaker, text or source beside it' });
    }
    seen.add(quoteId);
  });
  if (errors.length > 0) throw new InvalidInputError(title, errors);
  return quotes;
}

function assertMayEdit(state: ArticleState, ctx: DecideContext): void {
  if (state.status !== 'published') {
    requireRole(ctx, ['reporter', 'editor'], 'Only a reporter or an editor may edit a draft');
    return;
  }
  requireRole(ctx, ['editor'], 'Only an editor may edit a published article');
  requireText(ctx.reason, 'reason', 'An edit to a published article needs a reason');
}

function requireRole(ctx: DecideContext, allowed: Role[], message: string): void {
  if (!ctx.actor.roles.some((role) => allowed.includes(role))) throw new ForbiddenError(message);
}

function requireText(value: string | null, field: string, message: string): void {
  if (value === null || isBlank(value)) throw new InvalidInputError(message, [{ field, message: `${field} is required` }]);
}

function requirePublishedOnce(state: ArticleState, message: string): void {
  if (!state.publishedOnce) throw new RuleViolationError(message);
}

function requireQuote(state: ArticleState, quoteId: string): QuoteState {
  const quote = activeQuote(state, quoteId);
  if (!quote) throw new NotFoundError(`Quote ${quoteId} not found`);
  return quote;
}

function hasContent(state: ArticleState): boolean {
  return state.body.some((block) => (block.type === 'list' ? !block.items.every(isBlank) : !isBlank(block.text)));
}

// Copies keep stray input properties out of events and leave no `title: undefined` behind.
function copySpeaker({ name, title }: Speaker): Speaker {
  return title === undefined ? { name } : { name, title };
}

function copySource(source: QuoteSource | null): QuoteSource | null {
  if (source === null) return null;
  return source.url === undefined ? { description: source.description } : { description: source.description, url: source.url };
}

function sameSpeaker(a: Speaker, b: Speaker): boolean {
  return a.name === b.name && a.title === b.title;
}

function sameSource(a: QuoteSource | null, b: QuoteSource | null): boolean {
  return a === null || b === null ? a === b : a.description === b.description && a.url === b.url;
}

function speakerWithTitle(speaker: Speaker): string {
  return speaker.title === undefined ? speaker.name : `${speaker.name}, ${speaker.title}`;
}

function sourceWithUrl(source: QuoteSource): string {
  return source.url === undefined ? source.description : `${source.description} (${source.url})`;
}
