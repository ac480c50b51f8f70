import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { articlesProjection } from '../../../../projections/articles.projection';
import type { ArticleSummary } from '../../../articles/view/article-view';
import { ListArticlesParams } from '../read-query.schemas';
import { Filter, Page } from '../../engine/read-model-reader';
import { pageOf } from './page-of';
import { ReadModelQuery, ReadModelQueryHandler } from './read-model-query';

export class ListArticlesQuery extends ReadModelQuery<Page<ArticleSummary>> {
  constructor(readonly params: ListArticlesParams) {
    super(params.minPosition);
  }
}

@Injectable()
@QueryHandler(ListArticlesQuery)
export class ListArticlesHandler extends ReadModelQueryHandler<ListArticlesQuery, Page<ArticleSummary>> {
  protected readonly projections = [articlesProjection.name];

  protected read({ params }: ListArticlesQuery): Page<ArticleSummary> {
    const filters: Filter[] = params.status ? [{ column: 'status', equals: params.status }] : [];
    return this.reader.page(articlesProjection, 'summaries', { ...pageOf(params), filters, newestFirstBy: 'updated_at' });
  }
}
