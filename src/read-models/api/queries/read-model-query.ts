import { Injectable } from '@nestjs/common';
import { Query } from '@nestjs/cqrs';
import { ReadModelReader } from '../../engine/read-model-reader';
import { ReadModelProgress } from '../read-model-progress';

/**
 * A read of the read models that honours `?minPosition=` (API.md, "Reads"): a position from a
 * command response, as text ("<commit>" or "<commit>/<prepare>", see parsePosition).
 */
export abstract class ReadModelQuery<R> extends Query<R> {
  constructor(readonly minPosition: string | undefined) {
    super();
  }
}

/**
 * The one place a read waits for `minPosition`: execute() waits until the projections the
 * handler reads from (`projections`; all of them when undefined) have reached it, then read()s.
 * Throws InvalidInputError (400) for a position beyond the log's head and ReadModelTimeoutError
 * (504) after MIN_POSITION_WAIT_MS (5 s), both from ReadModelProgress.waitFor.
 */
@Injectable()
export abstract class ReadModelQueryHandler<Q extends ReadModelQuery<R>, R> {
  /** The names of the projections this read depends on; undefined for every projection. */
  protected abstract readonly projections: readonly string[] | undefined;

  constructor(
    protected readonly reader: ReadModelReader,
    protected readonly progress: ReadModelProgress,
  ) {}

  async execute(query: Q): Promise<R> {
    if (query.minPosition !== undefined) await this.progress.waitFor(query.minPosition, undefined, this.projections);
    return this.read(query);
  }

  /** The read itself, once the read models have reached `query.minPosition`. */
  protected abstract read(query: Q): R | Promise<R>;
}
