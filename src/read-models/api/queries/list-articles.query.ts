import { Injectable } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { articlesProjection } from '../../../../projections/articles.projection';
import type { ArticleSummary } from '../../../articles/view/article-view';
import { ListArticlesParams } from '../read-query.schemas';
import { ReadModelProgress } from '../read-model-progress';
import { Filter, Page, ReadModelReader } from '../../engine/read-model-reader';
import { pageOf } from './page-of';

export class ListArticlesQuery extends Query<Page<ArticleSummary>> {
  constructor(readonly params: ListArticlesParams) {
    super();
  }
}

@Injectable()
@QueryHandler(ListArticlesQuery)
export class ListArticlesHandler implements IQueryHandler<ListArticlesQuery> {
  constructor(
    private readonly reader: ReadModelReader,
    private readonly progress: ReadModelProgress,
  ) {}

  async execute({ params }: ListArticlesQuery): Promise<Page<ArticleSummary>> {
    if (params.minPosition !== undefined) await this.progress.waitFor(params.minPosition, undefined, [articlesProjection.name]);
    const filters: Filter[] = params.status ? [{ column: 'status', equals: params.status }] : [];
    return this.reader.page(articlesProjection, 'summaries', { ...pageOf(params), filters, newestFirstBy: 'updated_at' });
  }
}
