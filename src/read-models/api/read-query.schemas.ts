/**
 * The query strings of the read endpoints (API.md "Reads"), one exact schema each: unknown
 * parameters are refused, numbers are coerced from their text, and the OpenAPI document declares
 * each parameter from the same schema.
 */
import { Type, type Static } from '@sinclair/typebox';
import { querySchema } from '../../http/request-schema';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** A log position as commands return it: "commit" or "commit/prepare", decimal. */
export const POSITION_PATTERN = '^\\d{1,20}(/\\d{1,20})?$';

export const MinPosition = Type.String({
  pattern: POSITION_PATTERN,
  maxLength: 41,
  description: 'Wait (up to 5 s) until the read models have processed this position from a command response',
});

/**
 * `?asOf=`: an instant as RFC 3339 §5.6 writes it, a date-time with its offset ("2025-05-16T09:14:00Z",
 * "2025-05-16T11:14:00.250+02:00"): ajv-formats' date-time, and a "T" between date and time (no space).
 * Compared with each event's occurredAt to the millisecond (finer digits are cut).
 */
export const AsOf = Type.String({
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$',
  maxLength: 35,
  description: "An RFC 3339 date-time: read as of that instant (the events' occurredAt); a future instant reads as now",
});

const page = {
  minPosition: Type.Optional(MinPosition),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'nextCursor of the previous page' })),
};
const closed = { additionalProperties: false } as const;

export const ARTICLE_STATUSES = ['draft', 'published', 'retracted'] as const;

export const ReadQuery = Type.Object({ minPosition: Type.Optional(MinPosition), asOf: Type.Optional(AsOf) }, closed);
export const ListArticlesQuery = Type.Object(
  { ...page, status: Type.Optional(Type.Union(ARTICLE_STATUSES.map((s) => Type.Literal(s)))), asOf: Type.Optional(AsOf) },
  closed,
);
export const SearchQuotesQuery = Type.Object(
  {
    ...page,
    speaker: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: "Words of the speaker's name, case- and accent-insensitive" })),
    articleId: Type.Optional(Type.String({ format: 'uuid', maxLength: 36 })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: "Words of the quote's text; every one must match" })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('withdrawn')])),
    asOf: Type.Optional(AsOf),
  },
  closed,
);
export const ListCorrectionsQuery = Type.Object(
  { ...page, articleId: Type.Optional(Type.String({ format: 'uuid', maxLength: 36 })), asOf: Type.Optional(AsOf) },
  closed,
);

export const READ_QUERIES = {
  read: querySchema(ReadQuery),
  articles: querySchema(ListArticlesQuery),
  quotes: querySchema(SearchQuotesQuery),
  corrections: querySchema(ListCorrectionsQuery),
};

export type ReadQueryParams = Static<typeof ReadQuery>;
export type PageQueryParams = Pick<Static<typeof ListArticlesQuery>, 'minPosition' | 'limit' | 'cursor'>;
export type ListArticlesParams = Static<typeof ListArticlesQuery>;
export type SearchQuotesParams = Static<typeof SearchQuotesQuery>;
export type ListCorrectionsParams = Static<typeof ListCorrectionsQuery>;
