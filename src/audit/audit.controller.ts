import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { ApiRead } from '../http/openapi';
import { ValidQuery } from '../http/request-schema';
import type { ArticleDiff } from './article-diff';
import type { ArticleAtRevision } from './article-replay';
import { AUDIT_QUERIES, HISTORY_LIMITS, ParseRevisionPipe, type AuditReadParams, type DiffParams, type HistoryParams } from './audit.schemas';
import type { ArticleBlame } from './blame';
import { GetBlameQuery } from './queries/get-blame.query';
import { GetDiffQuery } from './queries/get-diff.query';
import { GetHistoryQuery, type HistoryPage } from './queries/get-history.query';
import { GetRevisionQuery } from './queries/get-revision.query';

const ArticleId = () => Param('id', new ParseUUIDPipe({ version: undefined }));

/** The audit reads of API.md, straight from the article's stream. Any authenticated user may read. */
@ApiTags('audit')
@Controller('api/articles')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':id/history')
  @ApiRead(404)
  history(@ArticleId() id: string, @ValidQuery(AUDIT_QUERIES.history) query: HistoryParams): Promise<HistoryPage> {
    const from = query.cursor === undefined ? 0 : Number(query.cursor);
    return this.queries.execute(new GetHistoryQuery(id, query.limit ?? HISTORY_LIMITS.default, from));
  }

  @Get(':id/revisions/:revision')
  @ApiRead(404)
  revision(@ArticleId() id: string, @Param('revision', ParseRevisionPipe) revision: number, @ValidQuery(AUDIT_QUERIES.read) _: AuditReadParams): Promise<ArticleAtRevision> {
    return this.queries.execute(new GetRevisionQuery(id, revision));
  }

  @Get(':id/diff')
  @ApiRead(404)
  diff(@ArticleId() id: string, @ValidQuery(AUDIT_QUERIES.diff) query: DiffParams): Promise<ArticleDiff> {
    return this.queries.execute(new GetDiffQuery(id, Number(query.from), Number(query.to)));
  }

  @Get(':id/blame')
  @ApiRead(404)
  blame(@ArticleId() id: string, @ValidQuery(AUDIT_QUERIES.read) _: AuditReadParams): Promise<ArticleBlame> {
    return this.queries.execute(new GetBlameQuery(id));
  }
}
