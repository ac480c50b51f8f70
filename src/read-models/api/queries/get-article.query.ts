import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { ArticleReadModel, articlesProjection } from '../../../../projections/articles.projection';
import { NotFoundError } from '../../../common/app-error';
import { ReadModelQuery, ReadModelQueryHandler } from './read-model-query';

export class GetArticleQuery extends ReadModelQuery<ArticleReadModel> {
  constructor(
    /** The article's id (a UUID). */
    readonly id: string,
    minPosition?: string,
  ) {
    super(minPosition);
  }
}

/** One article's read model; NotFoundError (404) when there is none. */
@Injectable()
@QueryHandler(GetArticleQuery)
export class GetArticleHandler extends ReadModelQueryHandler<GetArticleQuery, ArticleReadModel> {
  protected readonly projections = [articlesProjection.name];

  protected read({ id }: GetArticleQuery): ArticleReadModel {
    const article = this.reader.get(articlesProjection, 'articles', id);
    if (!article) throw new NotFoundError(`There is no article ${id}`);
    return article;
  }
}
