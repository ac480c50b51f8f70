import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ArticlesController } from './articles.controller';
import { ArticleCommandRunner } from './commands/article-command.runner';
import { ARTICLE_COMMAND_HANDLERS } from './commands/article.handlers';
import { CLOCK, ID_SOURCE, randomIds, systemClock } from './commands/clock';
import { IdempotencyKeys } from './commands/idempotency';

@Module({
  imports: [CqrsModule],
  controllers: [ArticlesController],
  providers: [
    ArticleCommandRunner,
    IdempotencyKeys,
    ...ARTICLE_COMMAND_HANDLERS,
    { provide: CLOCK, useValue: systemClock },
    { provide: ID_SOURCE, useValue: randomIds },
  ],
  exports: [ArticleCommandRunner],
})
export class ArticlesModule {}
