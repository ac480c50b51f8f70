/**
 * One exact schema per command body (API.md "Commands" and "Limits"): every object an object,
 * every array an array, null only where stated, every unknown field refused, every limit in
 * characters (Unicode code points, see characterCount). The TypeScript types of the bodies are
 * derived from the same schemas, and so is the OpenAPI document.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_TOTAL_LENGTH, maxJsonBytes, maxJsonValues, VISIBLE_TEXT } from '../../common/json-schema';
import { bodySchema } from '../../http/request-schema';

/** The limits of API.md; beyond them a command gets 400. Lengths are characters (code points). */
export const LIMITS = {
  headline: 300,
  standfirst: 600,
  blocks: 500,
  blockChars: 20_000,
  quoteText: 5_000,
  note: 2_000,
  reason: 1_000,
  /** Names in a byline; API.md sets none, this keeps a byline a byline. */
  byline: 20,
  /** A person's name or title. */
  name: 200,
  /** A quote source's description and URL. */
  sourceDescription: 2_000,
  url: 2_000,
  /** Quotes one correction may change. */
  correctedQuotes: 100,
} as const;

const closed = { additionalProperties: false } as const;
/** A required text (minLength ≥ 1) must also be visible (x-visibleText); limits count code points. */
const text = (minLength: number, maxLength: number, description?: string) =>
  Type.String({ minLength, maxLength, ...(minLength > 0 ? { [VISIBLE_TEXT]: true } : {}), ...(description ? { description } : {}) });

const Reason = text(1, LIMITS.reason, 'Why; stored with the events. Required on edits to a published article.');

const BlockId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  maxLength: 64,
  description: 'Stable block id; the server assigns one to a block without it and keeps it across revisions',
});

const BlockText = text(1, LIMITS.blockChars);
const Paragraph = Type.Object({ id: Type.Optional(BlockId), type: Type.Literal('paragraph'), text: BlockText }, closed);
const Heading = Type.Object({ id: Type.Optional(BlockId), type: Type.Literal('heading'), text: BlockText }, closed);
const List = Type.Object(
  {
    id: Type.Optional(BlockId),
    type: Type.Literal('list'),
    items: Type.Array(BlockText, {
      minItems: 1,
      maxItems: LIMITS.blockChars,
      [MAX_TOTAL_LENGTH]: LIMITS.blockChars,
      description: `At most ${LIMITS.blockChars} characters in all items together`,
    }),
  },
  closed,
);

/** A body block; `type` picks the shape (OpenAPI discriminator, ajv's `discriminator` keyword). */
export const BodyBlock = Type.Unsafe<Static<typeof Paragraph> | Static<typeof Heading> | Static<typeof List>>({
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', enum: ['paragraph', 'heading', 'list'] } },
  discriminator: { propertyName: 'type' },
  oneOf: [Paragraph, Heading, List],
});

const Body = Type.Array(BodyBlock, { minItems: 1, maxItems: LIMITS.blocks });
const Headline = text(1, LIMITS.headline);
const Standfirst = Type.String({ maxLength: LIMITS.standfirst, description: 'An empty string means no standfirst' });

const Speaker = Type.Object({ name: text(1, LIMITS.name), title: Type.Optional(text(1, LIMITS.name)) }, closed);
const Source = Type.Object(
  {
    description: text(1, LIMITS.sourceDescription),
    url: Type.Optional(Type.String({ format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: LIMITS.url })),
  },
  closed,
);
const QuoteText = text(1, LIMITS.quoteText);
const Note = text(1, LIMITS.note);

export const DraftArticleBody = Type.Object(
  {
    headline: Headline,
    standfirst: Type.Optional(Standfirst),
    body: Body,
    byline: Type.Optional(Type.Array(text(1, LIMITS.name), { minItems: 1, maxItems: LIMITS.byline, description: 'Defaults to the drafting user' })),
    reason: Type.Optional(Reason),
  },
  closed,
);

export const ReviseHeadlineBody = Type.Object({ headline: Headline, reason: Type.Optional(Reason) }, closed);
export const ReviseStandfirstBody = Type.Object({ standfirst: Standfirst, reason: Type.Optional(Reason) }, closed);
export const ReviseBodyBody = Type.Object({ body: Body, reason: Type.Optional(Reason) }, closed);

/** POST .../quotes and PUT .../quotes/{quoteId}: a PUT replaces the quote, so a source left out is removed. */
export const QuoteBody = Type.Object({ speaker: Speaker, text: QuoteText, source: Type.Optional(Source), reason: Type.Optional(Reason) }, closed);

export const ReasonOnlyBody = Type.Object({ reason: Type.Optional(Reason) }, closed);
export const UnpublishBody = Type.Object({ reason: Reason }, closed);

const QuoteCorrection = Type.Object(
  {
    quoteId: Type.String({ format: 'uuid', maxLength: 36 }),
    speaker: Type.Optional(Speaker),
    text: Type.Optional(QuoteText),
    source: Type.Optional(Type.Union([Source, Type.Null()], { description: 'null removes the source' })),
    withdraw: Type.Optional(Type.Literal(true, { description: 'Withdraws the quote from the story (no speaker, text or source beside it)' })),
  },
  closed,
);

export const CORRECTION_KINDS = ['correction', 'clarification', 'editors-note'] as const;

export const IssueCorrectionBody = Type.Object(
  {
    kind: Type.Union(CORRECTION_KINDS.map((kind) => Type.Literal(kind))),
    note: Note,
    headline: Type.Optional(Headline),
    standfirst: Type.Optional(Standfirst),
    body: Type.Optional(Body),
    quotes: Type.Optional(Type.Array(QuoteCorrection, { minItems: 1, maxItems: LIMITS.correctedQuotes })),
    reason: Type.Optional(Reason),
  },
  closed,
);

export const RetractBody = Type.Object({ note: Note, reason: Type.Optional(Reason) }, closed);

/** Every command body, compiled once; also what the body-size limit is derived from. */
export const COMMAND_BODIES = {
  draft: bodySchema(DraftArticleBody),
  headline: bodySchema(ReviseHeadlineBody),
  standfirst: bodySchema(ReviseStandfirstBody),
  body: bodySchema(ReviseBodyBody),
  quote: bodySchema(QuoteBody),
  reasonOnly: bodySchema(ReasonOnlyBody),
  unpublish: bodySchema(UnpublishBody),
  correction: bodySchema(IssueCorrectionBody),
  retract: bodySchema(RetractBody),
};

/**
 * The default body limit, in bytes: the largest command body valid under API.md's limits as the
 * most verbose JSON writer would send it (maxJsonBytes: every character escaped, indented), plus
 * 1 MiB. About 320 MB, for a maximum-size list of 20,000 one-character items per block: any
 * valid article in any script and any usual JSON encoding fits.
 */
export function largestCommandBytes(): number {
  const largest = Math.max(...Object.values(COMMAND_BODIES).map((body) => maxJsonBytes(body.schema)));
  return largest + 1024 * 1024;
}

/**
 * The most JSON values any command body valid under API.md's limits holds (maxJsonValues): about
 * ten million, for 500 list blocks of 20,000 one-character items.
 */
export function largestCommandValues(): number {
  return Object.values(COMMAND_BODIES).reduce((most, body) => Math.max(most, maxJsonValues(body.schema)), 0);
}

export type DraftArticleRequest = Static<typeof DraftArticleBody>;
export type QuoteRequest = Static<typeof QuoteBody>;
export type IssueCorrectionRequest = Static<typeof IssueCorrectionBody>;
export type BodyBlockRequest = Static<typeof BodyBlock>;
