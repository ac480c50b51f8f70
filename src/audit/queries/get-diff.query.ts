import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InvalidInputError, NotFoundError } from '../../common/app-error';
import { diffArticles, isStatusEvent, type ArticleDiff, type StatusChange } from '../article-diff';
import { ArticleReplay, type ArticleAtRevision } from '../article-replay';
import { ArticleStreamReader } from '../article-stream-reader';

export class GetDiffQuery extends Query<ArticleDiff> {
  constructor(
    readonly articleId: string,
    readonly from: number,
    readonly to: number,
  ) {
    super();
  }
}

/**
 * One fold from the start to `to`, snapshotting at `from` on the way: the cost is one pass over
 * `to` events however far apart the two revisions are.
 */
@QueryHandler(GetDiffQuery)
export class GetDiffHandler implements IQueryHandler<GetDiffQuery, ArticleDiff> {
  constructor(private readonly reader: ArticleStreamReader) {}

  async execute({ articleId, from, to }: GetDiffQuery): Promise<ArticleDiff> {
    if (from >= to) {
      throw new InvalidInputError('from must be an earlier revision than to', [{ field: 'to', message: 'to must be greater than from' }]);
    }
    await this.reader.requireRevisions(articleId, from, to);
    const replay = new ArticleReplay();
    let before: ArticleAtRevision | null = null;
    const statusChanges: StatusChange[] = [];
    for await (const entry of this.reader.upTo(articleId, to)) {
      replay.apply(entry);
      if (entry.revision === from) before = replay.view();
      if (entry.revision > from && isStatusEvent(entry)) {
        const { revision, at, actor, reason, type } = entry;
        statusChanges.push({ revision, at, actor, reason, type, status: replay.status });
      }
    }
    const after = replay.view();
    if (!before || !after) throw new NotFoundError(`Article ${articleId} did not exist at revision ${from}`);
    return diffArticles(before, after, statusChanges);
  }
}
