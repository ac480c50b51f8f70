import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InvalidInputError, NotFoundError } from '../../common/app-error';
import { diffArticles, isStatusEvent, type ArticleDiff, type StatusChange } from '../article-diff';
import { evolveArticleView, type ArticleView } from '../../articles/view/article-view';
import { ArticleStreamReader } from '../article-stream-reader';
import type { WordDiffer, WordDiffResult } from '../word-diff';
import { WordDiffPool } from '../word-diff.pool';

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
 * Milliseconds of word-diff work one request may use; beyond it, the texts left are reported as
 * replaced whole and the diff is marked `coarse`. A maximum-size body fully rewritten would take
 * minutes (Myers' O(ND)); this keeps the answer within about a second.
 */
export const DIFF_BUDGET_MS = 1_000;

/**
 * One fold from the start to `to`, snapshotting at `from` on the way: the cost is one pass over
 * `to` events however far apart the two revisions are. The word diffs run on a worker thread
 * under one shared budget (DIFF_BUDGET_MS).
 */
@QueryHandler(GetDiffQuery)
export class GetDiffHandler implements IQueryHandler<GetDiffQuery, ArticleDiff> {
  constructor(
    private readonly reader: ArticleStreamReader,
    private readonly words: WordDiffPool,
  ) {}

  async execute({ articleId, from, to }: GetDiffQuery): Promise<ArticleDiff> {
    if (from >= to) {
      throw new InvalidInputError('from must be an earlier revision than to', [{ field: 'to', message: 'to must be greater than from' }]);
    }
    await this.reader.requireRevisions(articleId, from, to);
    let view: ArticleView | null = null;
    let before: ArticleView | null = null;
    const statusChanges: StatusChange[] = [];
    for await (const entry of this.reader.upTo(articleId, to)) {
      view = evolveArticleView(view, entry);
      if (entry.revision === from) before = view;
      if (entry.revision > from && isStatusEvent(entry)) {
        const { revision, occurredAt, actor, reason } = entry;
        statusChanges.push({ revision, at: occurredAt, actor, reason, type: entry.event.type, status: view.status });
      }
    }
    const after = view;
    if (!before || !after) throw new NotFoundError(`Article ${articleId} did not exist at revision ${from}`);
    return this.diff(before, after, statusChanges);
  }

  /**
   * Two passes of the same pure diff: the first lists the texts to word-diff (in the order the
   * diff asks for them), the worker diffs them all under one budget, the second reads the results.
   */
  private async diff(before: ArticleView, after: ArticleView, statusChanges: StatusChange[]): Promise<ArticleDiff> {
    const pairs: Array<[string, string]> = [];
    const placeholder: WordDiffResult = { words: [], coarse: false };
    diffArticles(before, after, statusChanges, (a, b) => (pairs.push([a, b]), placeholder));
    const results = await this.words.diff(pairs, DIFF_BUDGET_MS);
    let next = 0;
    const computed: WordDiffer = (a, b) => {
      const [expectedA, expectedB] = pairs[next];
      if (a !== expectedA || b !== expectedB) throw new Error('The diff asked for its texts in another order');
      return results[next++];
    };
    return diffArticles(before, after, statusChanges, computed);
  }
}
