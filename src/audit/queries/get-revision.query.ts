import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../common/app-error';
import { evolveArticleView, type ArticleView } from '../../articles/view/article-view';
import { ArticleStreamReader } from '../article-stream-reader';

export class GetRevisionQuery extends Query<ArticleView> {
  constructor(
    readonly articleId: string,
    readonly revision: number,
  ) {
    super();
  }
}

/** Folds the stream once from its start up to the revision asked for, with the read model's own fold (evolveArticleView). */
@QueryHandler(GetRevisionQuery)
export class GetRevisionHandler implements IQueryHandler<GetRevisionQuery, ArticleView> {
  constructor(private readonly reader: ArticleStreamReader) {}

  async execute({ articleId, revision }: GetRevisionQuery): Promise<ArticleView> {
    await this.reader.requireRevisions(articleId, revision);
    let view: ArticleView | null = null;
    for await (const entry of this.reader.upTo(articleId, revision)) view = evolveArticleView(view, entry);
    if (!view) throw new NotFoundError(`Article ${articleId} did not exist at revision ${revision}`);
    return view;
  }
}
