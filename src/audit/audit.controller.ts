import { Controller, Get, Inject, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { ApiRead } from '../http/openapi';
import type { AuthenticatedUser } from '../auth/roles';
import { CurrentUser } from '../auth/roles.decorator';
import { Bulkhead } from '../common/bulkhead';
import { ValidQuery } from '../http/request-schema';
import { ReadModelProgress } from '../read-models/api/read-model-progress';
import { UuidParam } from '../http/uuid-param';
import type { ArticleDiff } from './article-diff';
import type { ArticleView } from '../articles/view/article-view';
import { AUDIT_READS } from './audit-reads';
import { AUDIT_QUERIES, HISTORY_LIMITS, ParseRevisionPipe, type AuditReadParams, type DiffParams, type HistoryParams } from './audit.schemas';
import type { ArticleBlame } from './blame';
import { GetBlameQuery } from './queries/get-blame.query';
import { GetDiffQuery } from './queries/get-diff.query';
import { GetHistoryQuery, type HistoryPage } from './queries/get-history.query';
import { GetRevisionQuery } from './queries/get-revision.query';

const ArticleId = () => UuidParam('id');

/** The audit reads of API.md, straight from the article's stream. Any authenticated user may read. */
@ApiTags('audit')
@Controller('api/articles')
export class AuditController {
  constructor(
    private readonly queries: QueryBus,
    private readonly progress: ReadModelProgress,
    @Inject(AUDIT_READS) private readonly reads: Bulkhead,
  ) {}

  /** The stream is current when an append returns: a minPosition needs no wait, but must be one the log has. */
  private async inLog(minPosition: string | undefined): Promise<void> {
    if (minPosition !== undefined) await this.progress.requireInLog(minPosition);
  }

  @Get(':id/history')
  @ApiRead(404)
  async history(
    @CurrentUser() user: AuthenticatedUser,
    @ArticleId() id: string,
    @ValidQuery(AUDIT_QUERIES.history) query: HistoryParams,
  ): Promise<HistoryPage> {
    await this.inLog(query.minPosition);
    const from = query.cursor === undefined ? 0 : Number(query.cursor);
    return this.reads.run(() => this.queries.execute(new GetHistoryQuery(id, query.limit ?? HISTORY_LIMITS.default, from)), user.id);
  }

  @Get(':id/revisions/:revision')
  @ApiRead(404)
  async revision(
    @CurrentUser() user: AuthenticatedUser,
    @ArticleId() id: string,
    @Param('revision', ParseRevisionPipe) revision: number,
    @ValidQuery(AUDIT_QUERIES.read) query: AuditReadParams,
  ): Promise<ArticleView> {
    await this.inLog(query.minPosition);
    return this.reads.run(() => this.queries.execute(new GetRevisionQuery(id, revision)), user.id);
  }

  @Get(':id/diff')
  @ApiRead(404)
  async diff(@CurrentUser() user: AuthenticatedUser, @ArticleId() id: string, @ValidQuery(AUDIT_QUERIES.diff) query: DiffParams): Promise<ArticleDiff> {
    await this.inLog(query.minPosition);
    return this.reads.run(() => this.queries.execute(new GetDiffQuery(id, Number(query.from), Number(query.to))), user.id);
  }

  @Get(':id/blame')
  @ApiRead(404)
  async blame(@CurrentUser() user: AuthenticatedUser, @ArticleId() id: string, @ValidQuery(AUDIT_QUERIES.read) query: AuditReadParams): Promise<ArticleBlame> {
    await this.inLog(query.minPosition);
    return this.reads.run(() => this.queries.execute(new GetBlameQuery(id)), user.id);
  }
}
