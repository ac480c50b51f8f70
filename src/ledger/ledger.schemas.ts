import { Type, type Static } from '@sinclair/typebox';
import { querySchema } from '../http/request-schema';

export const CHECKPOINT_PAGE = { default: 20, max: 100 } as const;

/** GET /api/ledger/checkpoints: latest first, `limit` a page, `cursor` the nextCursor of the page before. */
export const CHECKPOINTS_QUERY = querySchema(
  Type.Object(
    {
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: CHECKPOINT_PAGE.max, default: CHECKPOINT_PAGE.default })),
      cursor: Type.Optional(Type.String({ pattern: '^(0|[1-9]\\d{0,14})$', description: 'nextCursor of the previous page' })),
    },
    { additionalProperties: false },
  ),
);

export type CheckpointsParams = Static<typeof CHECKPOINTS_QUERY.schema>;
