import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiRead } from '../../http/openapi';
import { NO_BODY, ValidBody, ValidQuery } from '../../http/request-schema';
import { READ_QUERIES, type ReadQueryParams } from './read-query.schemas';
import { ProjectionStatus } from '../engine/projection-status';
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
  @ApiBearerAuth()
  @ApiResponse({ status: 202, description: 'The rebuild has started; the live generation keeps serving until the swap' })
  @ApiProblems(400, 401, 403, 404)
  rebuild(@Param('name') name: string, @ValidBody(NO_BODY) _: Record<string, never>): Promise<RebuildAccepted> {
    return this.commands.execute(new RebuildProjectionCommand(name));
  }
}
