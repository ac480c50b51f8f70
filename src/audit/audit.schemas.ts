import { PipeTransform } from '@nestjs/common';
import { Type, type Static } from '@sinclair/typebox';
import { InvalidInputError } from '../common/app-error';
import { querySchema } from '../http/request-schema';
import { MinPosition } from '../read-models/api/read-query.schemas';

/** A revision as a path or query value: a decimal integer, first event = 0. */
const REVISION = /^(0|[1-9]\d{0,14})$/;
const REVISION_MESSAGE = 'must be a revision: a non-negative decimal integer';
const Revision = (description: string) => Type.String({ pattern: REVISION.source, description });

export const HISTORY_LIMITS = { default: 50, max: 500 } as const;

// The audit endpoints read the stream itself, which is current the moment an append returns, so
// minPosition (accepted on every read, see API.md) is already satisfied and needs no wait.
const minPosition = Type.Optional(MinPosition);
const closed = { additionalProperties: false } as const;

export const AUDIT_QUERIES = {
  read: querySchema(Type.Object({ minPosition }, closed)),
  history: querySchema(
    Type.Object(
      {
        minPosition,
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HISTORY_LIMITS.max, default: HISTORY_LIMITS.default })),
        cursor: Type.Optional(Revision('nextCursor of the previous page (the revision it starts at)')),
      },
      closed,
    ),
  ),
  diff: querySchema(Type.Object({ minPosition, from: Revision('The earlier revision'), to: Revision('The later revision') }, closed)),
};

export type AuditReadParams = Static<typeof AUDIT_QUERIES.read.schema>;
export type HistoryParams = Static<typeof AUDIT_QUERIES.history.schema>;
export type DiffParams = Static<typeof AUDIT_QUERIES.diff.schema>;

/** The :revision path parameter as a number; 400 for anything but a revision. */
export class ParseRevisionPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!REVISION.test(value)) throw new InvalidInputError(`revision ${REVISION_MESSAGE}`, [{ field: 'revision', message: REVISION_MESSAGE }]);
    return Number(value);
  }
}
