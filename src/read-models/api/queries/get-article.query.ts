import { Injectable } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ArticleReadModel, articlesProjection } from '../../../../projections/articles.projection';
import { NotFoundError } from '../../../common/app-error';
import { ReadModelProgress } from '../read-model-progress';
import { ReadModelReader } from '../../engine/read-model-reader';

export class GetArticleQuery extends Query<ArticleReadModel> {
  constructor(
    readonly id: string,
    readonly minPosition?: string,
  ) {
    super();
  }
}

@Injectable()
@QueryHandler(GetArticleQuery)
export class GetArticleHandler implements IQueryHandler<GetArticleQuery> {
  constructor(
    private readonly reader: ReadModelReader,
    private readonly progress: ReadModelProgress,
  ) {}

  async execute({ id, minPosition }: GetArticleQuery): Promise<ArticleReadModel> {
    if (minPosition !== undefined) await this.progress.waitFor(minPosition, undefined, [articlesProjection.name]);
    const article = this.reader.get(articlesProjection, 'articles', id);
    if (!article) throw new NotFoundError(`There is no article ${id}`);
    return article;
  }
}
