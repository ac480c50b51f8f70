import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { ProjectionStatus } from '../../engine/projection-status';
import { ReadModelQuery, ReadModelQueryHandler } from './read-model-query';

export class ListProjectionsQuery extends ReadModelQuery<ProjectionStatus[]> {}

/** Every projection's status (GET /api/projections), once all have reached minPosition. */
@Injectable()
@QueryHandler(ListProjectionsQuery)
export class ListProjectionsHandler extends ReadModelQueryHandler<ListProjectionsQuery, ProjectionStatus[]> {
  protected readonly projections = undefined;

  protected read(): Promise<ProjectionStatus[]> {
    return this.progress.status();
  }
}
