import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ArticleCommandRunner, CommandOutcome } from './article-command.runner';
import * as C from './article.commands';

/**
 * Each handler is the generic path (ArticleCommandRunner) for its command. Errors are not
 * caught here: they reach the exception filter as they are.
 */
function handlerFor<M extends C.AnyArticleMessage>(message: new (...args: never[]) => M) {
  @CommandHandler(message)
  class Handler implements ICommandHandler<C.AnyArticleMessage, CommandOutcome> {
    constructor(readonly runner: ArticleCommandRunner) {}
    execute({ articleId, command, request }: C.AnyArticleMessage): Promise<CommandOutcome> {
      return this.runner.run(articleId, command, request);
    }
  }
  Object.defineProperty(Handler, 'name', { value: `${message.name.replace(/Command$/, '')}Handler` });
  return Handler;
}

export const ARTICLE_COMMAND_HANDLERS = [
  C.DraftArticleCommand,
  C.ReviseHeadlineCommand,
  C.ReviseStandfirstCommand,
  C.ReviseBodyCommand,
  C.AttributeQuoteCommand,
  C.AmendQuoteCommand,
  C.WithdrawQuoteCommand,
  C.PublishArticleCommand,
  C.UnpublishArticleCommand,
  C.IssueCorrectionCommand,
  C.RetractArticleCommand,
].map((message) => handlerFor(message as new (...args: never[]) => C.AnyArticleMessage));
