import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { ApiTags } from '@nestjs/swagger';
import { ApiRead } from '../http/openapi';
import { ValidQuery } from '../http/request-schema';
import { READ_QUERIES, type ReadQueryParams } from './read-query.schemas';
import { ProjectionStatus } from './projection-status';
import { ListProjectionsQuery } from './queries/list-projections.query';
import { RebuildAccepted, RebuildProjectionCommand } from './queries/rebuild-projection.command';

@ApiTags('read models')
@Controller('api/projections')
export class ProjectionsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @ApiRead(504)
  list(@ValidQuery(READ_QUERIES.read) params: ReadQueryParams): Promise<ProjectionStatus[]> {
    return this.queries.execute(new ListProjectionsQuery(params.minPosition));
  }

  /** 202: the new generation is built beside the live one, which keeps serving until the swap. */
  @Post(':name/rebuild')
  @Roles('admin')
  @HttpCode(202)
  @ApiRead(403, 404)
  rebuild(@Param('name') name: string): Promise<RebuildAccepted> {
    return this.commands.execute(new RebuildProjectionCommand(name));
  }
}
