import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { ArticleCommand } from '../domain/article.commands';
import { ArticleCommandRunner, type CommandOutcome, type CommandRequest } from './article-command.runner';

/**
 * The write side's one CommandBus message: a domain command (src/articles/domain/article.commands.ts)
 * for one article, with what the request says about it. Typed by @nestjs/cqrs 11's Command<R>, so
 * `commandBus.execute(message)` is a Promise<CommandOutcome>. Its handler is right below.
 */
export class ArticleCommandMessage extends Command<CommandOutcome> {
  constructor(
    /** The article's id (a UUID); its stream is `article-<id>`. */
    readonly articleId: string,
    readonly command: ArticleCommand,
    readonly request: CommandRequest,
  ) {
    super();
  }
}

/**
 * Handles every ArticleCommandMessage with the one command path, ArticleCommandRunner.run.
 * Errors are not caught here: they reach the exception filter as they are.
 */
@CommandHandler(ArticleCommandMessage)
export class ArticleCommandHandler implements ICommandHandler<ArticleCommandMessage, CommandOutcome> {
  constructor(private readonly runner: ArticleCommandRunner) {}

  execute({ articleId, command, request }: ArticleCommandMessage): Promise<CommandOutcome> {
    return this.runner.run(articleId, command, request);
  }
}
