import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { ArticleDiff } from './article-diff';
import type { ArticleAtRevision } from './article-replay';
import { AuditReadQueryDto, DiffQueryDto, HISTORY_LIMITS, HistoryQueryDto, ParseRevisionPipe } from './audit.dto';
import type { ArticleBlame } from './blame';
import { GetBlameQuery } from './queries/get-blame.query';
import { GetDiffQuery } from './queries/get-diff.query';
import { GetHistoryQuery, type HistoryPage } from './queries/get-history.query';
import { GetRevisionQuery } from './queries/get-revision.query';

const ArticleId = () => Param('id', new ParseUUIDPipe({ version: undefined }));

/** The audit reads of API.md, straight from the article's stream. Any authenticated user may read. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/articles')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':id/history')
  history(@ArticleId() id: string, @Query() query: HistoryQueryDto): Promise<HistoryPage> {
    const from = query.cursor === undefined ? 0 : Number(query.cursor);
    return this.queries.execute(new GetHistoryQuery(id, query.limit ?? HISTORY_LIMITS.default, from));
  }

  @Get(':id/revisions/:revision')
  revision(@ArticleId() id: string, @Param('revision', ParseRevisionPipe) revision: number, @Query() _: AuditReadQueryDto): Promise<ArticleAtRevision> {
    return this.queries.execute(new GetRevisionQuery(id, revision));
  }

  @Get(':id/diff')
  diff(@ArticleId() id: string, @Query() query: DiffQueryDto): Promise<ArticleDiff> {
    return this.queries.execute(new GetDiffQuery(id, Number(query.from), Number(query.to)));
  }

  @Get(':id/blame')
  blame(@ArticleId() id: string, @Query() _: AuditReadQueryDto): Promise<ArticleBlame> {
    return this.queries.execute(new GetBlameQuery(id));
  }
}
