import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { articlesProjection } from '../../../../projections/articles.projection';
import { asOfProjection } from '../../../../projections/as-of.projection';
import { instantOf, validAt } from '../as-of';
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

/**
 * Article summaries, newest update first. With `asOf`, each article that existed at that instant
 * at its revision then (with status=published: the site as a reader found it), newest revision
 * first, from the as_of projection's versions: no log is read.
 */
@Injectable()
@QueryHandler(ListArticlesQuery)
export class ListArticlesHandler extends ReadModelQueryHandler<ListArticlesQuery, Page<ArticleSummary>> {
  protected readonly projections = [articlesProjection.name, asOfProjection.name];

  protected read({ params }: ListArticlesQuery): Page<ArticleSummary> {
    const filters: Filter[] = params.status ? [{ column: 'status', equals: params.status }] : [];
    if (params.asOf !== undefined) {
      // A summary's updatedAt is its version's from_at: the same order as the list of today.
      const page = this.reader.page(asOfProjection, 'articles_summaries', {
        ...pageOf(params),
        filters: [...filters, ...validAt(instantOf(params.asOf))],
        newestFirstBy: 'from_at',
      });
      return { items: page.items.map((version) => version.doc), nextCursor: page.nextCursor };
    }
    return this.reader.page(articlesProjection, 'summaries', { ...pageOf(params), filters, newestFirstBy: 'updated_at' });
  }
}
