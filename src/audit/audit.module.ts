import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ArticleStreamReader } from './article-stream-reader';
import { AuditController } from './audit.controller';
import { GetBlameHandler } from './queries/get-blame.query';
import { GetDiffHandler } from './queries/get-diff.query';
import { GetHistoryHandler } from './queries/get-history.query';
import { GetRevisionHandler } from './queries/get-revision.query';
import { WordDiffPool } from './word-diff.pool';
import { AUDIT_READS, auditReads } from './audit-reads';

/** History, state at a revision, diffs and blame, read straight from the event store. */
@Module({
  imports: [CqrsModule],
  controllers: [AuditController],
  providers: [
    { provide: AUDIT_READS, useFactory: auditReads },
    ArticleStreamReader,
    WordDiffPool,
    GetHistoryHandler,
    GetRevisionHandler,
    GetDiffHandler,
    GetBlameHandler,
  ],
  // An article as of an instant (GET /api/articles/{id}?asOf=) folds its stream too: the same bulkhead.
  exports: [AUDIT_READS],
})
export class AuditModule {}
