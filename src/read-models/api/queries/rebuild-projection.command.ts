import { Injectable } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../../common/app-error';
import { ProjectionEngine } from '../../engine/projection-engine';

export interface RebuildAccepted {
  name: string;
  /** The generation being built beside the live one. */
  generation: number;
  version: number;
  status: 'rebuilding';
}

export class RebuildProjectionCommand extends Command<RebuildAccepted> {
  constructor(readonly name: string) {
    super();
  }
}

/** Starts a rebuild (or reports the one already running); progress is in GET /api/projections. */
@Injectable()
@CommandHandler(RebuildProjectionCommand)
export class RebuildProjectionHandler implements ICommandHandler<RebuildProjectionCommand> {
  constructor(private readonly runtime: ProjectionEngine) {}

  async execute({ name }: RebuildProjectionCommand): Promise<RebuildAccepted> {
    if (!this.runtime.slot(name)) throw new NotFoundError(`There is no projection "${name}"`);
    const next = await this.runtime.rebuild(name);
    return { name, generation: next.generation, version: next.version, status: 'rebuilding' };
  }
}
