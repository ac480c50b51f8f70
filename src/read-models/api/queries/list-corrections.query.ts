import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { CorrectionReadModel, correctionsProjection } from '../../../../projections/corrections.projection';
import { asOfProjection } from '../../../../projections/as-of.projection';
import { instantOf, validAt } from '../as-of';
import { ListCorrectionsParams } from '../read-query.schemas';
import { Filter, Page } from '../../engine/read-model-reader';
import { pageOf } from './page-of';
import { ReadModelQuery, ReadModelQueryHandler } from './read-model-query';

export class ListCorrectionsQuery extends ReadModelQuery<Page<CorrectionReadModel>> {
  constructor(readonly params: ListCorrectionsParams) {
    super(params.minPosition);
  }
}

/** The newsroom's corrections history, newest first; with `asOf`, as it stood at that instant (the as_of projection's versions). */
@Injectable()
@QueryHandler(ListCorrectionsQuery)
export class ListCorrectionsHandler extends ReadModelQueryHandler<ListCorrectionsQuery, Page<CorrectionReadModel>> {
  protected readonly projections = [correctionsProjection.name, asOfProjection.name];

  protected read({ params }: ListCorrectionsQuery): Page<CorrectionReadModel> {
    const filters: Filter[] = params.articleId !== undefined ? [{ column: 'article_id', equals: params.articleId }] : [];
    if (params.asOf !== undefined) {
      const instant = instantOf(params.asOf);
      const page = this.reader.page(asOfProjection, 'corrections_corrections', {
        ...pageOf(params),
        // Issued at its CorrectionIssued's (or ArticleRetracted's) occurredAt, the command's one instant:
        // none issued after the instant is in the feed then, and the bound lets the index start there.
        filters: [...filters, ...validAt(instant), { column: 'issued_at', atMost: instant }],
        newestFirstBy: 'issued_at',
      });
      return { items: page.items.map((version) => version.doc), nextCursor: page.nextCursor };
    }
    return this.reader.page(correctionsProjection, 'corrections', { ...pageOf(params), filters, newestFirstBy: 'issued_at' });
  }
}
