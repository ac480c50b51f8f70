import { Injectable } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ReadModelProgress } from '../read-model-progress';
import { ProjectionStatus } from '../../engine/projection-status';

export class ListProjectionsQuery extends Query<ProjectionStatus[]> {
  constructor(readonly minPosition?: string) {
    super();
  }
}

@Injectable()
@QueryHandler(ListProjectionsQuery)
export class ListProjectionsHandler implements IQueryHandler<ListProjectionsQuery> {
  constructor(private readonly progress: ReadModelProgress) {}

  async execute({ minPosition }: ListProjectionsQuery): Promise<ProjectionStatus[]> {
    if (minPosition !== undefined) await this.progress.waitFor(minPosition);
    return this.progress.status();
  }
}
