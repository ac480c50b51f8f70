import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { AuthenticatedUser } from '../../auth/roles';
import { CurrentUser } from '../../auth/roles.decorator';
import type { FastifyReply as Response } from 'fastify';
import { JsonText } from '../../http/large-json';
import type { ArticleSummary } from '../../articles/view/article-view';
import type { CorrectionReadModel } from '../../../projections/corrections.projection';
import type { QuoteReadModel } from '../../../projections/quotes.projection';
import { ApiTags } from '@nestjs/swagger';
import { ApiArticleRead, ApiRead } from '../../http/openapi';
import { ValidQuery } from '../../http/request-schema';
import { UuidParam } from '../../http/uuid-param';
import { READ_QUERIES, type ListArticlesParams, type ListCorrectionsParams, type ReadQueryParams, type SearchQuotesParams } from './read-query.schemas';
import { GetArticleQuery } from './queries/get-article.query';
import { GetArticleAsOfQuery, type ArticleAsOf } from './queries/get-article-as-of.query';
import { ReadModelProgress } from './read-model-progress';
import { AUDIT_READS } from '../../audit/audit-reads';
import type { Bulkhead } from '../../common/bulkhead';
import { ListArticlesQuery } from './queries/list-articles.query';
import { ListCorrectionsQuery } from './queries/list-corrections.query';
import { SearchQuotesQuery } from './queries/search-quotes.query';
import type { Page } from '../engine/read-model-reader';

/**
 * The read endpoints served from the read models. The commands on /api/articles live in the
 * articles module; the audit reads (history, revisions, diff) come straight from the stream.
 */
@ApiTags('reads')
@Controller('api')
export class ReadModelsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly progress: ReadModelProgress,
    @Inject(AUDIT_READS) private readonly streamFolds: Bulkhead,
  ) {}

  @Get('articles')
  @ApiRead(504)
  listArticles(@ValidQuery(READ_QUERIES.articles) params: ListArticlesParams): Promise<Page<ArticleSummary>> {
    return this.queries.execute(new ListArticlesQuery(params));
  }

  @Get('articles/:id')
  @ApiArticleRead()
  async getArticle(
    @CurrentUser() user: AuthenticatedUser,
    @UuidParam('id') id: string,
    @ValidQuery(READ_QUERIES.read) params: ReadQueryParams,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JsonText | ArticleAsOf | undefined> {
    if (params.asOf !== undefined) {
      // Straight from the article's stream, as the audit reads are: current once an append returns.
      if (params.minPosition !== undefined) await this.progress.requireInLog(params.minPosition);
      return this.streamFolds.run(() => this.queries.execute(new GetArticleAsOfQuery(id, params.asOf!)), user.id);
    }
    const article = await this.queries.execute(new GetArticleQuery(id, params.minPosition));
    const etag = `"${article.revision}"`;
    res.header('ETag', etag);
    // A client that holds this revision already needs no body; `*` matches any current article
    // (RFC 9110 §13.1.2, weak comparison).
    if (ifNoneMatch?.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag)) {
      res.status(304);
      return undefined;
    }
    return article.json;
  }

  @Get('quotes')
  @ApiRead(504)
  searchQuotes(@ValidQuery(READ_QUERIES.quotes) params: SearchQuotesParams): Promise<Page<QuoteReadModel>> {
    return this.queries.execute(new SearchQuotesQuery(params));
  }

  @Get('corrections')
  @ApiRead(504)
  listCorrections(@ValidQuery(READ_QUERIES.corrections) params: ListCorrectionsParams): Promise<Page<CorrectionReadModel>> {
    return this.queries.execute(new ListCorrectionsQuery(params));
  }
}
