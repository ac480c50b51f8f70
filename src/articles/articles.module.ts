import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ArticlesController } from './articles.controller';
import { ArticleCommandRunner } from './commands/article-command.runner';
import { ArticleCommandHandler } from './commands/article-command.message';
import { CLOCK, ID_SOURCE, randomIds, systemClock } from './commands/clock';
import { IdempotencyKeys } from './commands/idempotency';

@Module({
  imports: [CqrsModule],
  controllers: [ArticlesController],
  providers: [
    ArticleCommandRunner,
    IdempotencyKeys,
    ArticleCommandHandler,
    { provide: CLOCK, useValue: systemClock },
    { provide: ID_SOURCE, useValue: randomIds },
  ],
  exports: [ArticleCommandRunner],
})
export class ArticlesModule {}
