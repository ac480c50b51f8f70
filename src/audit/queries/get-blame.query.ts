import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../common/app-error';
import { ArticleStreamReader } from '../article-stream-reader';
import { BlameTracker, type ArticleBlame } from '../blame';

export class GetBlameQuery extends Query<ArticleBlame> {
  constructor(readonly articleId: string) {
    super();
  }
}

/** One pass over the whole stream, remembering who last changed each part. */
@QueryHandler(GetBlameQuery)
export class GetBlameHandler implements IQueryHandler<GetBlameQuery, ArticleBlame> {
  constructor(private readonly reader: ArticleStreamReader) {}

  async execute({ articleId }: GetBlameQuery): Promise<ArticleBlame> {
    const last = await this.reader.lastRevision(articleId);
    const blame = new BlameTracker();
    for await (const entry of this.reader.upTo(articleId, last)) blame.apply(entry);
    const result = blame.result(articleId);
    if (!result) throw new NotFoundError(`Article ${articleId} has no drafted article to blame`);
    return result;
  }
}
