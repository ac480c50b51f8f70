import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../common/app-error';
import { ArticleReplay, type ArticleAtRevision } from '../article-replay';
import { ArticleStreamReader } from '../article-stream-reader';

export class GetRevisionQuery extends Query<ArticleAtRevision> {
  constructor(
    readonly articleId: string,
    readonly revision: number,
  ) {
    super();
  }
}

/** Folds the stream once from its start up to the revision asked for. */
@QueryHandler(GetRevisionQuery)
export class GetRevisionHandler implements IQueryHandler<GetRevisionQuery, ArticleAtRevision> {
  constructor(private readonly reader: ArticleStreamReader) {}

  async execute({ articleId, revision }: GetRevisionQuery): Promise<ArticleAtRevision> {
    await this.reader.requireRevisions(articleId, revision);
    const replay = new ArticleReplay();
    for await (const entry of this.reader.upTo(articleId, revision)) replay.apply(entry);
    const view = replay.view();
    // A stream that does not open with ArticleDrafted holds no article to show.
    if (!view) throw new NotFoundError(`Article ${articleId} did not exist at revision ${revision}`);
    return view;
  }
}
