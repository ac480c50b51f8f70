import { ArticleCommand } from '../domain/article.commands';
import { CommandRequest } from './article-command.runner';

/**
 * The CommandBus messages: one class per command, each carrying the domain command, the
 * article it is for and the request's envelope. Handlers are in article.handlers.ts.
 */
abstract class ArticleMessage<C extends ArticleCommand> {
  constructor(
    readonly articleId: string,
    readonly command: C,
    readonly request: CommandRequest,
  ) {}
}

type Of<T extends ArticleCommand['type']> = Extract<ArticleCommand, { type: T }>;

export class DraftArticleCommand extends ArticleMessage<Of<'DraftArticle'>> {}
export class ReviseHeadlineCommand extends ArticleMessage<Of<'ReviseHeadline'>> {}
export class ReviseStandfirstCommand extends ArticleMessage<Of<'ReviseStandfirst'>> {}
export class ReviseBodyCommand extends ArticleMessage<Of<'ReviseBody'>> {}
export class AttributeQuoteCommand extends ArticleMessage<Of<'AttributeQuote'>> {}
export class AmendQuoteCommand extends ArticleMessage<Of<'AmendQuote'>> {}
export class WithdrawQuoteCommand extends ArticleMessage<Of<'WithdrawQuote'>> {}
export class PublishArticleCommand extends ArticleMessage<Of<'PublishArticle'>> {}
export class UnpublishArticleCommand extends ArticleMessage<Of<'UnpublishArticle'>> {}
export class IssueCorrectionCommand extends ArticleMessage<Of<'IssueCorrection'>> {}
export class RetractArticleCommand extends ArticleMessage<Of<'RetractArticle'>> {}

export type AnyArticleMessage = ArticleMessage<ArticleCommand>;
