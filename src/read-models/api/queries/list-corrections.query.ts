import { Injectable } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CorrectionReadModel, correctionsProjection } from '../../../../projections/corrections.projection';
import { ListCorrectionsParams } from '../read-query.schemas';
import { ReadModelProgress } from '../read-model-progress';
import { Filter, Page, ReadModelReader } from '../../engine/read-model-reader';
import { pageOf } from './page-of';

export class ListCorrectionsQuery extends Query<Page<CorrectionReadModel>> {
  constructor(readonly params: ListCorrectionsParams) {
    super();
  }
}

/** The newsroom's corrections history, newest first. */
@Injectable()
@QueryHandler(ListCorrectionsQuery)
export class ListCorrectionsHandler implements IQueryHandler<ListCorrectionsQuery> {
  constructor(
    private readonly reader: ReadModelReader,
    private readonly progress: ReadModelProgress,
  ) {}

  async execute({ params }: ListCorrectionsQuery): Promise<Page<CorrectionReadModel>> {
    if (params.minPosition !== undefined) await this.progress.waitFor(params.minPosition, undefined, [correctionsProjection.name]);
    const filters: Filter[] = params.articleId !== undefined ? [{ column: 'article_id', equals: params.articleId }] : [];
    return this.reader.page(correctionsProjection, 'corrections', { ...pageOf(params), filters, newestFirstBy: 'issued_at' });
  }
}
