/**
 * The article's events: past tense, plain JSON data (ISO-8601 strings, no Date, no class).
 * Each type has a schema version (ARTICLE_EVENT_SCHEMA_VERSIONS); older shapes are upcast
 * when read (see article.upcasters.ts) so that old logs keep replaying.
 */
import { Type, type Static } from '@sinclair/typebox';
import { jsonSchemas } from '../../common/json-schema';

export type BlockId = string;

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 (RFC 3339) UTC time' });
const Id = Type.String({ minLength: 1 });

const Paragraph = Type.Object({ id: Id, type: Type.Literal('paragraph'), text: Type.String() }, closed);
const Heading = Type.Object({ id: Id, type: Type.Literal('heading'), text: Type.String() }, closed);
const List = Type.Object({ id: Id, type: Type.Literal('list'), items: Type.Array(Type.String()) }, closed);
export const BodyBlockSchema = Type.Union([Paragraph, Heading, List]);
export type BodyBlock = Static<typeof BodyBlockSchema>;

export const SpeakerSchema = Type.Object({ name: Type.String(), title: Type.Optional(Type.String()) }, closed);
export type Speaker = Static<typeof SpeakerSchema>;

export const QuoteSourceSchema = Type.Object({ description: Type.String(), url: Type.Optional(Type.String()) }, closed);
export type QuoteSource = Static<typeof QuoteSourceSchema>;

export const CorrectionKindSchema = Type.Union([Type.Literal('correction'), Type.Literal('clarification'), Type.Literal('editors-note')]);
export type CorrectionKind = Static<typeof CorrectionKindSchema>;

/** One thing a correction changed, as the corrections history shows it. */
const FieldChangeSchema = Type.Object(
  {
    /** "headline", "standfirst", "body.<blockId>", "quotes.<quoteId>.text", ".speaker", ".source". */
    field: Type.String(),
    before: Type.Union([Type.String(), Type.Null()]),
    after: Type.Union([Type.String(), Type.Null()]),
  },
  closed,
);
export type FieldChange = Static<typeof FieldChangeSchema>;

const NullableText = Type.Union([Type.String(), Type.Null()]);
const NullableSource = Type.Union([QuoteSourceSchema, Type.Null()]);

/**
 * The data schema of each event type, as written today. The write side checks every event the
 * decider returns against these before it appends (so no event that a projection or the audit
 * cannot apply reaches the log); the types below are derived from the same schemas.
 */
export const ARTICLE_EVENT_DATA = {
  ArticleDrafted: Type.Object(
    {
      articleId: Id,
      headline: Type.String(),
      standfirst: NullableText,
      body: Type.Array(BodyBlockSchema),
      byline: Type.Array(Type.String()),
      draftedAt: Timestamp,
    },
    closed,
  ),
  HeadlineRevised: Type.Object({ headline: Type.String() }, closed),
  StandfirstRevised: Type.Object({ standfirst: NullableText }, closed),
  BodyRevised: Type.Object({ body: Type.Array(BodyBlockSchema) }, closed),
  QuoteAttributed: Type.Object({ quoteId: Id, speaker: SpeakerSchema, text: Type.String(), source: NullableSource, attributedAt: Timestamp }, closed),
  QuoteAmended: Type.Object({ quoteId: Id, speaker: SpeakerSchema, text: Type.String(), source: NullableSource }, closed),
  QuoteWithdrawn: Type.Object({ quoteId: Id }, closed),
  ArticlePublished: Type.Object({ publishedAt: Timestamp }, closed),
  ArticleUnpublished: Type.Object({ unpublishedAt: Timestamp }, closed),
  CorrectionIssued: Type.Object(
    { correctionId: Id, kind: CorrectionKindSchema, note: Type.String(), issuedAt: Timestamp, changes: Type.Array(FieldChangeSchema) },
    closed,
  ),
  ArticleRetracted: Type.Object({ note: Type.String(), retractedAt: Timestamp }, closed),
};

type EventOf<T extends keyof typeof ARTICLE_EVENT_DATA> = { type: T; data: Static<(typeof ARTICLE_EVENT_DATA)[T]> };

export type ArticleDrafted = EventOf<'ArticleDrafted'>;
export type HeadlineRevised = EventOf<'HeadlineRevised'>;
export type StandfirstRevised = EventOf<'StandfirstRevised'>;
export type BodyRevised = EventOf<'BodyRevised'>;
export type QuoteAttributed = EventOf<'QuoteAttributed'>;
export type QuoteAmended = EventOf<'QuoteAmended'>;
export type QuoteWithdrawn = EventOf<'QuoteWithdrawn'>;
export type ArticlePublished = EventOf<'ArticlePublished'>;
export type ArticleUnpublished = EventOf<'ArticleUnpublished'>;
export type CorrectionIssued = EventOf<'CorrectionIssued'>;
export type ArticleRetracted = EventOf<'ArticleRetracted'>;

export type ArticleEvent =
  | ArticleDrafted
  | HeadlineRevised
  | StandfirstRevised
  | BodyRevised
  | QuoteAttributed
  | QuoteAmended
  | QuoteWithdrawn
  | ArticlePublished
  | ArticleUnpublished
  | CorrectionIssued
  | ArticleRetracted;

export type ArticleEventType = ArticleEvent['type'];

/** The schema version each event type is written with today. */
export const ARTICLE_EVENT_SCHEMA_VERSIONS: Record<ArticleEventType, number> = {
  // v1 stored `byline: string` (names joined with ", " or " and "); v2 stores `byline: string[]`.
  ArticleDrafted: 2,
  HeadlineRevised: 1,
  StandfirstRevised: 1,
  BodyRevised: 1,
  QuoteAttributed: 1,
  QuoteAmended: 1,
  QuoteWithdrawn: 1,
  ArticlePublished: 1,
  ArticleUnpublished: 1,
  CorrectionIssued: 1,
  ArticleRetracted: 1,
};

/**
 * The compiler's check that a fold handles every event type: called in a switch's default, it
 * does not compile while a type is unhandled (the event is not `never` then).
 */
export function unhandledEvent(event: never): never {
  throw new Error(`Unhandled article event ${(event as { type: string }).type}`);
}

export const ARTICLE_EVENT_TYPES = Object.keys(ARTICLE_EVENT_SCHEMA_VERSIONS) as ArticleEventType[];

export function isArticleEventType(type: string): type is ArticleEventType {
  return Object.prototype.hasOwnProperty.call(ARTICLE_EVENT_SCHEMA_VERSIONS, type);
}

export const ARTICLE_STREAM_PREFIX = 'article-';

export function articleStreamId(articleId: string): string {
  return `${ARTICLE_STREAM_PREFIX}${articleId}`;
}

/**
 * Metadata stored with every event, using EventStoreDB's own keys for correlation and causation.
 */
export interface ArticleEventMetadata {
  $correlationId: string;
  $causationId: string;
  /** The W3C traceparent of the request that appended it (https://www.w3.org/TR/trace-context/ §3.2), when it had a valid one. */
  traceparent?: string;
  actor: { id: string; name: string };
  reason: string | null;
  occurredAt: string;
  schemaVersion: number;
  /** The request's Idempotency-Key, when it had one. */
  idempotencyKey?: string;
  /**
   * "NFC" on every event appended since requests are normalised (UAX #15): its texts are in NFC
   * already. Events without it (older code, other tools) are normalised when read.
   */
  textForm?: 'NFC';
}

const EVENT_VALIDATORS = Object.fromEntries(ARTICLE_EVENT_TYPES.map((type) => [type, jsonSchemas.exact.compile(ARTICLE_EVENT_DATA[type])])) as Record<
  ArticleEventType,
  ReturnType<typeof jsonSchemas.exact.compile>
>;

/** An event whose data does not match its type's schema: a bug on the write side, never the client's fault. */
export class MalformedEventError extends Error {
  constructor(
    readonly eventType: string,
    readonly problems: string[],
  ) {
    super(`${eventType} does not match its schema: ${problems.join('; ')}`);
    this.name = 'MalformedEventError';
  }
}

/**
 * Checks an event against the schema of its type (ARTICLE_EVENT_DATA). Throws MalformedEventError
 * naming each mismatch (JSON pointer and ajv's message); returns the event unchanged otherwise.
 */
export function checkedArticleEvent<E extends ArticleEvent>(event: E): E {
  const validate = isArticleEventType(event.type) ? EVENT_VALIDATORS[event.type] : undefined;
  if (!validate) throw new MalformedEventError(String(event.type), ['unknown event type']);
  if (!validate(event.data)) {
    throw new MalformedEventError(
      event.type,
      (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
    );
  }
  return event;
}
