import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { AuthenticatedUser } from '../../auth/roles';
import { AppError, NotFoundError, PreconditionRequiredError, RuleViolationError, StaleRevisionError } from '../../common/app-error';
import { KeyedQueue } from '../../common/keyed-queue';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import {
  EVENT_STORE,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  formatPosition,
  parsePosition,
  Position,
  RecordedEvent,
} from '../../event-store/event-store.port';
import { ifMatchAllows, IfMatch } from '../../http/if-match';
import { streamPages } from '../../event-store/stream-pages';
import { readArticleEvent } from '../stored-article-event';
import { ArticleCommand } from '../domain/article.commands';
import { decide, evolve } from '../domain/article.decider';
import { ARTICLE_EVENT_SCHEMA_VERSIONS, ArticleEvent, ArticleEventMetadata, articleStreamId, checkedArticleEvent } from '../domain/article.events';
import { ArticleState, initialState } from '../domain/article.state';
import { CLOCK, Clock, ID_SOURCE, IdSource } from './clock';
import { carriedHash, ChainHash, withChainInTurns } from '../../ledger/event-chain';
import { IdempotencyKey, IdempotencyKeys, idempotentEventId, idempotentIds, RecordedAnswer } from './idempotency';
import { CommandOutcomeLabel, NewsroomMetrics } from '../../observability/newsroom-metrics';

/** Everything about a request that is not the command itself. */
export interface CommandRequest {
  user: AuthenticatedUser;
  reason: string | null;
  correlationId: string;
  /** The request's W3C traceparent (validated), stored in each event's metadata; null for none. */
  traceparent: string | null;
  /** The parsed If-Match header; null when the request had none. */
  ifMatch: IfMatch | null;
  idempotency: IdempotencyKey | null;
}

export interface CommandOutcome {
  articleId: string;
  /** The stream's revision after the command (bigint, first event = 0). */
  revision: bigint;
  position: Position;
  /** The events stored for this request (for a repeated request, those stored the first time). */
  events: ArticleEvent[];
}

interface Folded {
  state: ArticleState;
  revision: bigint | null;
  lastPosition: Position | null;
  /** The chain hash of the event at `revision` (src/ledger/event-chain.ts): the next event's previous; null for no stream. */
  lastHash: ChainHash | null;
  /** Id → revision of every event in the stream that a keyed request appended. */
  keyed: ReadonlyMap<string, bigint>;
}

/** A command decided on a fold, before its append: the revision it expects and its events (none: nothing changes). */
interface Decided {
  expected: ExpectedRevision;
  events: ArticleEvent[];
  /** The command's one instant (ISO-8601), its events' occurredAt. */
  now: string;
  /** The $causationId of its events; null when there are none. */
  causationId: string | null;
}

const EMPTY: Folded = { state: initialState, revision: null, lastPosition: null, lastHash: null, keyed: new Map() };

/** The memory the fold cache may hold, in bytes (estimated by foldedBytes). */
const FOLD_CACHE_BYTES = 256 * 1024 * 1024;

/** About the memory a fold takes (bytes): its texts as UTF-16 and a fixed cost per string and object. */
function foldedBytes({ state, keyed }: Folded): number {
  const text = (value: string | null | undefined) => 40 + 2 * (value?.length ?? 0);
  let bytes = 1_024 + keyed.size * 100 + text(state.headline) + text(state.standfirst);
  for (const block of state.body) {
    bytes += 80 + (block.type === 'list' ? block.items.reduce((sum, item) => sum + text(item), 0) : text(block.text));
  }
  for (const { text: said, speaker, source } of state.quotes) {
    bytes += 200 + text(said) + text(speaker.name) + text(speaker.title) + text(source?.description) + text(source?.url);
  }
  return bytes;
}

/** The most events one command appends: its changes (≤ 1 + 1 + 1 + 100 quotes) and a CorrectionIssued. */
const MAX_EVENTS_PER_COMMAND = 128;

/**
 * The one command path: read the stream (from a cached fold when there is one), fold, decide,
 * append with the expected revision. Commands on one article take turns in this process, so a
 * fold is never raced by its own process; another process is caught by the expected revision.
 */
@Injectable()
export class ArticleCommandRunner {
  /**
   * Folded state by stream; only ever holds what the store holds, brought up to date before use.
   * Bounded by memory (FOLD_CACHE_BYTES) as well as by count: one article may hold 10 million
   * list items.
   */
  private readonly folds = new LRUCache<string, Folded>({ max: 5_000, maxSize: FOLD_CACHE_BYTES, sizeCalculation: foldedBytes });
  private readonly turns = new KeyedQueue();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
    private readonly keys: IdempotencyKeys,
    @Optional() private readonly metrics?: NewsroomMetrics,
  ) {}

  /**
   * Runs `command` on the article. Throws the domain's errors (403, 404, 409, 400), 428 without
   * If-Match, 412 (StaleRevisionError) when If-Match names no current revision, 422 when the
   * Idempotency-Key names another request; store errors pass through.
   */
  async run(articleId: string, command: ArticleCommand, request: CommandRequest): Promise<CommandOutcome> {
    let outcome: CommandOutcomeLabel = 'failed';
    try {
      if (request.idempotency) await this.keys.claim(request.user.id, request.idempotency);
      const streamId = articleStreamId(articleId);
      const result = await this.turns.run(streamId, () => this.runInTurn(articleId, streamId, command, request));
      outcome = result.events.length > 0 ? 'appended' : 'unchanged';
      return result;
    } catch (error) {
      if (error instanceof AppError) outcome = 'refused';
      throw error;
    } finally {
      this.metrics?.commandFinished(command.type, outcome);
    }
  }

  private async runInTurn(articleId: string, streamId: string, command: ArticleCommand, request: CommandRequest): Promise<CommandOutcome> {
    const { idempotency, user } = request;
    if (!idempotency) return this.runOnFold(articleId, streamId, command, request);
    const folded = await this.load(streamId);
    // The same request again (whatever its If-Match): the first response, nothing appended.
    const stored = await this.storedOutcome(articleId, streamId, folded, request);
    if (stored) return stored;
    const recorded = await this.keys.recordedAnswer(user.id, idempotency.key);
    if (recorded) return answerAgain(recorded);
    let outcome: CommandOutcome;
    try {
      outcome = await this.decideAndAppend(articleId, streamId, command, request, folded);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return answerAgain(await this.keys.recordAnswer(user.id, idempotency.key, refusal(error)));
    }
    if (outcome.events.length > 0) return outcome;
    const unchanged: RecordedAnswer = { kind: 'unchanged', articleId, revision: outcome.revision.toString(), position: formatPosition(outcome.position) };
    return answerAgain(await this.keys.recordAnswer(user.id, idempotency.key, unchanged));
  }

  /**
   * An unkeyed command, decided on the cached fold without reading the stream first: in this
   * process every append to the stream goes through that fold (commands on one stream take
   * turns), and another process's append is caught by the expected revision, which the append
   * checks in the store (412). What the fold alone would answer (a refusal, or nothing to
   * append) is answered from the stream as it is now: its tail is read and the command decided
   * again, so a fold behind another process's writes never refuses a current If-Match.
   */
  private async runOnFold(articleId: string, streamId: string, command: ArticleCommand, request: CommandRequest): Promise<CommandOutcome> {
    const cached = this.folds.get(streamId);
    this.metrics?.foldCacheLookup(cached !== undefined);
    if (cached) {
      let decided: Decided | null = null;
      try {
        decided = this.decideOn(articleId, command, request, cached);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
      }
      if (decided && decided.events.length > 0) return this.append(articleId, streamId, request, cached, decided);
    }
    return this.decideAndAppend(articleId, streamId, command, request, await this.load(streamId, cached ?? EMPTY));
  }

  private async decideAndAppend(
    articleId: string,
    streamId: string,
    command: ArticleCommand,
    request: CommandRequest,
    folded: Folded,
  ): Promise<CommandOutcome> {
    const decided = this.decideOn(articleId, command, request, folded);
    if (decided.events.length === 0) {
      // Nothing changes (e.g. the same headline again): nothing is appended.
      return { articleId, revision: folded.revision!, position: folded.lastPosition!, events: [] };
    }
    return this.append(articleId, streamId, request, folded, decided);
  }

  /**
   * The command decided on `folded`: the expected revision (from If-Match) and the events, each
   * checked against its schema. Throws what expectedRevision and the decider throw (AppErrors).
   */
  private decideOn(articleId: string, command: ArticleCommand, request: CommandRequest, folded: Folded): Decided {
    const expected = expectedRevision(articleId, command, folded, request.ifMatch);
    const ids = request.idempotency ? idempotentIds(request.user.id, request.idempotency.key) : null;
    // One instant for the whole command: the events' times and their occurredAt agree.
    const now = this.clock.now();
    const events = decide(command, folded.state, {
      actor: request.user,
      now,
      newId: () => (ids ?? this.ids).newId(),
      reason: request.reason,
    }).map(checkedArticleEvent);
    return { expected, events, now, causationId: events.length === 0 ? null : (ids?.causationId ?? this.ids.newId()) };
  }

  /** Appends a decision's events (at least one) with its expected revision, and advances the cached fold. */
  private async append(articleId: string, streamId: string, request: CommandRequest, folded: Folded, decided: Decided): Promise<CommandOutcome> {
    const { expected, events, now } = decided;
    const causationId = decided.causationId!;
    try {
      const started = process.hrtime.bigint();
      const { toAppend, lastHash } = await this.toAppend(events, request, now, causationId, folded.lastHash);
      const result = await this.store.appendToStream(streamId, toAppend, expected);
      this.metrics?.appendTook(Number(process.hrtime.bigint() - started) / 1e9);
      if (request.idempotency) {
        // A copy of this request in another process may have stored these very ids first (the
        // store then appends nothing): answer with what the store holds, never with our own.
        const stored = await this.storedOutcome(articleId, streamId, await this.load(streamId), request);
        if (!stored) throw new Error(`The events of idempotent request ${request.idempotency.key} are not in ${streamId}`);
        return stored;
      }
      const state = events.reduce(evolve, folded.state);
      this.folds.set(streamId, { ...folded, state, revision: result.nextExpectedRevision, lastPosition: result.position, lastHash });
      return { articleId, revision: result.nextExpectedRevision, position: result.position, events };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Another process wrote first; its events are not in our fold.
      this.folds.delete(streamId);
      if (expected === 'no_stream') throw new RuleViolationError(`Article ${articleId} already exists`);
      const current = error.actual === 'no_stream' ? -1n : error.actual;
      throw new StaleRevisionError(`The article changed after revision ${folded.revision}; read it again`, current);
    }
  }

  /**
   * The stream folded to its last event, reading only what the cached fold has not seen, a page
   * at a time (streamPages: one event may hold a maximum-size body).
   */
  private async load(streamId: string, from?: Folded): Promise<Folded> {
    let cached = from;
    if (cached === undefined) {
      const hit = this.folds.get(streamId);
      this.metrics?.foldCacheLookup(hit !== undefined);
      cached = hit ?? EMPTY;
    }
    let { state, revision, lastPosition, lastHash } = cached;
    let keyed: Map<string, bigint> | null = null;
    for await (const page of streamPages(this.store, streamId, revision === null ? 0n : revision + 1n)) {
      for (const recorded of page) {
        const stored = readArticleEvent(recorded);
        state = evolve(state, stored.event);
        if (stored.idempotencyKey !== null) (keyed ??= new Map(cached.keyed)).set(recorded.id, recorded.revision);
        revision = recorded.revision;
        lastPosition = recorded.position;
        lastHash = carriedHash(recorded, lastHash);
      }
    }
    if (revision === cached.revision) return cached;
    const folded: Folded = { state, revision, lastPosition, lastHash, keyed: keyed ?? cached.keyed };
    this.folds.set(streamId, folded);
    return folded;
  }

  /**
   * A keyed request already stored in the stream: its events, whose ids derive from the key, as
   * the outcome. null when it is not there.
   */
  private async storedOutcome(articleId: string, streamId: string, folded: Folded, { user, idempotency }: CommandRequest): Promise<CommandOutcome | null> {
    const { key } = idempotency!;
    const first = folded.keyed.get(idempotentEventId(user.id, key, 0));
    if (first === undefined) return null;
    const after = await this.store.readStream(streamId, { fromRevision: first, maxCount: MAX_EVENTS_PER_COMMAND });
    const mine: RecordedEvent[] = [];
    for (const recorded of after) {
      if (recorded.id !== idempotentEventId(user.id, key, mine.length)) break;
      mine.push(recorded);
    }
    const last = mine[mine.length - 1];
    const events = mine.map((recorded) => readArticleEvent(recorded).event);
    return { articleId, revision: last.revision, position: last.position, events };
  }

  /**
   * The events as appended, each with its metadata and its link in the stream's hash chain
   * (src/ledger/event-chain.ts), chained from `previousHash`, the hash of the stream's last event,
   * which the append's expected revision guarantees; and the last event's hash. A large event is
   * hashed a piece per turn of the event loop (withChainInTurns).
   */
  private async toAppend(
    events: ArticleEvent[],
    request: CommandRequest,
    occurredAt: string,
    causationId: string,
    previousHash: ChainHash | null,
  ): Promise<{ toAppend: EventToAppend[]; lastHash: ChainHash | null }> {
    const { user, idempotency } = request;
    let lastHash = previousHash;
    const toAppend: EventToAppend[] = [];
    for (const [index, event] of events.entries()) {
      const metadata: ArticleEventMetadata & { requestHash?: string } = {
        $correlationId: request.correlationId,
        $causationId: causationId,
        ...(request.traceparent ? { traceparent: request.traceparent } : {}),
        actor: { id: user.id, name: user.name },
        reason: request.reason,
        occurredAt,
        schemaVersion: ARTICLE_EVENT_SCHEMA_VERSIONS[event.type],
        textForm: 'NFC',
        ...(idempotency ? { idempotencyKey: idempotency.key, requestHash: idempotency.requestHash } : {}),
      };
      const data = event.data as unknown as EventToAppend['data'];
      const chained = await withChainInTurns(event.type, data, metadata as unknown as EventToAppend['metadata'], lastHash);
      lastHash = chained.hash;
      toAppend.push({
        id: idempotency ? idempotentEventId(user.id, idempotency.key, index) : this.ids.newId(),
        type: event.type,
        data,
        metadata: chained.metadata,
      });
    }
    return { toAppend, lastHash };
  }
}

/**
 * The revision the append expects, from the fold and If-Match (RFC 9110 §13.1.1, strong
 * comparison). Throws NotFoundError, PreconditionRequiredError (no If-Match, or `*`, which names
 * no revision), StaleRevisionError, or RuleViolationError for a draft of an existing article.
 */
function expectedRevision(articleId: string, command: ArticleCommand, folded: Folded, ifMatch: IfMatch | null): ExpectedRevision {
  if (command.type === 'DraftArticle') {
    // The target is the collection, which has no entity tag: only `*` can match it (RFC 9110 §13.1.1).
    if (ifMatch && !ifMatch.any)
      throw new StaleRevisionError('If-Match names an entity tag, but the article collection has none; a draft needs no If-Match', null);
    if (folded.revision !== null) throw new RuleViolationError(`Article ${articleId} already exists`);
    return 'no_stream';
  }
  if (folded.revision === null) throw new NotFoundError(`Article ${articleId} does not exist`);
  if (ifMatch === null) {
    throw new PreconditionRequiredError('This command needs If-Match: "<revision>" (the ETag of the article)');
  }
  if (ifMatch.any) {
    throw new PreconditionRequiredError(
      'If-Match: * names no revision; send the article\'s ETag (If-Match: "<revision>") so that no edit is silently overwritten',
    );
  }
  if (!ifMatchAllows(ifMatch, folded.revision)) {
    const named = ifMatch.revisions.length > 0 ? `revision ${ifMatch.revisions.join(', ')}` : 'no revision';
    throw new StaleRevisionError(`If-Match names ${named}, but the article is at revision ${folded.revision}`, folded.revision);
  }
  return folded.revision;
}

/** A refusal as the idempotency record keeps it. */
function refusal(error: AppError): RecordedAnswer {
  const currentRevision = error instanceof StaleRevisionError ? (error.currentRevision?.toString() ?? null) : undefined;
  return {
    kind: 'refused',
    code: error.code,
    message: error.message,
    ...(error.errors ? { errors: error.errors } : {}),
    ...(currentRevision !== undefined ? { currentRevision } : {}),
  };
}

/** A recorded answer as it was first given: the unchanged article's outcome (no events), or the refusal thrown again. */
function answerAgain(answer: RecordedAnswer): CommandOutcome {
  if (answer.kind === 'unchanged') {
    return { articleId: answer.articleId, revision: BigInt(answer.revision), position: parsePosition(answer.position)!, events: [] };
  }
  if (answer.code === 'STALE_REVISION') {
    const current = answer.currentRevision;
    throw new StaleRevisionError(answer.message, current === undefined || current === null ? null : BigInt(current));
  }
  throw new AppError(answer.code, answer.message, answer.errors);
}
