import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { ReadQueryDto } from './dto/read-query.dto';
import { ProjectionStatus } from './projection-status';
import { ListProjectionsQuery } from './queries/list-projections.query';
import { RebuildAccepted, RebuildProjectionCommand } from './queries/rebuild-projection.command';

@Controller('api/projections')
export class ProjectionsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  list(@Query() params: ReadQueryDto): Promise<ProjectionStatus[]> {
    return this.queries.execute(new ListProjectionsQuery(params.minPosition));
  }

  /** 202: the new generation is built beside the live one, which keeps serving until the swap. */
  @Post(':name/rebuild')
  @Roles('admin')
  @HttpCode(202)
  rebuild(@Param('name') name: string): Promise<RebuildAccepted> {
    return this.commands.execute(new RebuildProjectionCommand(name));
  }
}
