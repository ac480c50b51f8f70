import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { CorrectionReadModel, correctionsProjection } from '../../../../projections/corrections.projection';
import { ListCorrectionsParams } from '../read-query.schemas';
import { Filter, Page } from '../../engine/read-model-reader';
import { pageOf } from './page-of';
import { ReadModelQuery, ReadModelQueryHandler } from './read-model-query';

export class ListCorrectionsQuery extends ReadModelQuery<Page<CorrectionReadModel>> {
  constructor(readonly params: ListCorrectionsParams) {
    super(params.minPosition);
  }
}

/** The newsroom's corrections history, newest first. */
@Injectable()
@QueryHandler(ListCorrectionsQuery)
export class ListCorrectionsHandler extends ReadModelQueryHandler<ListCorrectionsQuery, Page<CorrectionReadModel>> {
  protected readonly projections = [correctionsProjection.name];

  protected read({ params }: ListCorrectionsQuery): Page<CorrectionReadModel> {
    const filters: Filter[] = params.articleId !== undefined ? [{ column: 'article_id', equals: params.articleId }] : [];
    return this.reader.page(correctionsProjection, 'corrections', { ...pageOf(params), filters, newestFirstBy: 'issued_at' });
  }
}
