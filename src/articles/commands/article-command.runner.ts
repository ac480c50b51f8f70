import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { v5 as uuidv5 } from 'uuid';
import { AuthenticatedUser } from '../../auth/roles.decorator';
import { AppError, NotFoundError, RuleViolationError } from '../../common/app-error';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore, EventToAppend, Position, RecordedEvent } from '../../event-store/event-store.port';
import { ArticleEnvelope, toArticleEnvelope } from '../article-stream';
import { ArticleCommand } from '../domain/article.commands';
import { decide, evolve } from '../domain/article.decider';
import { ARTICLE_EVENT_SCHEMA_VERSIONS, ArticleEvent, ArticleEventMetadata, articleStreamId } from '../domain/article.events';
import { ArticleState, initialState } from '../domain/article.state';
import { CLOCK, Clock, ID_SOURCE, IdSource } from './clock';

/** Everything about a request that is not the command itself. */
export interface CommandEnvelope {
  user: AuthenticatedUser;
  reason: string | null;
  correlationId: string;
  /** From If-Match; null when the request had none. */
  expectedRevision: bigint | null;
  idempotency: { key: string; requestHash: string } | null;
}

export interface CommandOutcome {
  articleId: string;
  revision: bigint;
  position: Position;
  /** The events this request appended (or, for a repeated request, appended the first time). */
  events: ArticleEvent[];
}

interface Folded {
  state: ArticleState;
  revision: bigint | null;
  lastPosition: Position | null;
}

/** Ids of idempotency-keyed events are derived from the key, so a retry is recognisable. */
const IDEMPOTENCY_NAMESPACE = '5b0f3c8e-2f7a-4d1e-9a43-6c1b7f2d8e90';

export function idempotentArticleId(userId: string, key: string): string {
  return uuidv5(`article\n${userId}\n${key}`, IDEMPOTENCY_NAMESPACE);
}

function idempotentEventId(userId: string, key: string, index: number): string {
  return uuidv5(`event\n${userId}\n${key}\n${index}`, IDEMPOTENCY_NAMESPACE);
}

/**
 * The one command path: read the stream (from a cached fold when there is one), fold, decide,
 * append with the expected revision. Nest handlers only name the article and the command.
 */
@Injectable()
export class ArticleCommandRunner {
  /** Folded state by stream; always brought up to date from the store before use. */
  private readonly folds = new LRUCache<string, Folded>({ max: 5_000 });

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
  ) {}

  async run(articleId: string, command: ArticleCommand, envelope: CommandEnvelope): Promise<CommandOutcome> {
    const creates = command.type === 'DraftArticle';
    const streamId = articleStreamId(articleId);
    const folded = await this.load(streamId);

    const replay = await this.findReplay(streamId, envelope, creates ? -1n : envelope.expectedRevision, folded);
    if (replay) return { articleId, ...replay };

    if (!creates) {
      if (folded.revision === null) throw new NotFoundError(`Article ${articleId} does not exist`);
      if (envelope.expectedRevision === null) {
        throw new AppError('PRECONDITION_REQUIRED', 'This command needs If-Match: "<revision>" (the ETag of the article)');
      }
      if (envelope.expectedRevision !== folded.revision) {
        throw new AppError(
          'STALE_REVISION',
          `If-Match is revision ${envelope.expectedRevision}, but the article is at revision ${folded.revision}`,
        );
      }
    } else if (folded.revision !== null) {
      throw new RuleViolationError(`Article ${articleId} already exists`);
    }

    // One instant for the whole command: the events' times and their occurredAt agree.
    const now = this.clock.now();
    const events = decide(command, folded.state, {
      actor: envelope.user,
      now,
      newId: () => this.ids.newId(),
      reason: envelope.reason,
    });
    if (events.length === 0) {
      // Nothing changes (e.g. the same headline again): nothing is appended.
      return { articleId, revision: folded.revision!, position: folded.lastPosition!, events };
    }

    const toAppend = this.envelopes(events, envelope, now);
    try {
      const result = await this.store.appendToStream(streamId, toAppend, creates ? 'no_stream' : folded.revision!);
      // The fold now includes our own events: the next command reads nothing it already knows.
      this.folds.set(streamId, { state: events.reduce(evolve, folded.state), revision: result.nextExpectedRevision, lastPosition: result.position });
      return { articleId, revision: result.nextExpectedRevision, position: result.position, events };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) {
        // Another request got there first; its events are not in our fold.
        this.folds.delete(streamId);
        if (creates) throw new RuleViolationError(`Article ${articleId} already exists`);
        throw new AppError('STALE_REVISION', `The article changed after revision ${folded.revision}; read it again`);
      }
      throw error;
    }
  }

  /** The stream folded to its last event, reading only what the cached fold has not seen. */
  private async load(streamId: string): Promise<Folded> {
    const cached = this.folds.get(streamId) ?? { state: initialState, revision: null, lastPosition: null };
    const fresh = await this.store.readStream(streamId, { fromRevision: cached.revision === null ? 0n : cached.revision + 1n });
    if (fresh.length === 0) return cached;
    let state = cached.state;
    for (const recorded of fresh) {
      const article = toArticleEnvelope(recorded);
      if (article) state = evolve(state, article.event);
    }
    const last = fresh[fresh.length - 1];
    const folded = { state, revision: last.revision, lastPosition: last.position };
    this.folds.set(streamId, folded);
    return folded;
  }

  /**
   * A request repeated with its Idempotency-Key finds its own events right after the revision
   * it expected (their ids derive from the key): answer with them and append nothing.
   */
  private async findReplay(
    streamId: string,
    envelope: CommandEnvelope,
    expected: bigint | null,
    folded: Folded,
  ): Promise<Omit<CommandOutcome, 'articleId'> | null> {
    const { idempotency, user } = envelope;
    if (!idempotency || expected === null || folded.revision === null || folded.revision <= expected) return null;
    const after = await this.store.readStream(streamId, { fromRevision: expected + 1n, maxCount: 1_000 });
    const mine: RecordedEvent[] = [];
    for (const recorded of after) {
      if (recorded.id !== idempotentEventId(user.id, idempotency.key, mine.length)) break;
      mine.push(recorded);
    }
    if (mine.length === 0) return null;
    if (mine[0].metadata.requestHash !== idempotency.requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request');
    }
    const last = mine[mine.length - 1];
    return {
      revision: last.revision,
      position: last.position,
      events: mine.map((r) => toArticleEnvelope(r)).filter((e): e is ArticleEnvelope => e !== null).map((e) => e.event),
    };
  }

  private envelopes(events: ArticleEvent[], envelope: CommandEnvelope, occurredAt: string): EventToAppend[] {
    const causationId = this.ids.newId();
    return events.map((event, index): EventToAppend => {
      const metadata: ArticleEventMetadata & { requestHash?: string } = {
        $correlationId: envelope.correlationId,
        $causationId: causationId,
        actor: { id: envelope.user.id, name: envelope.user.name },
        reason: envelope.reason,
        occurredAt,
        schemaVersion: ARTICLE_EVENT_SCHEMA_VERSIONS[event.type],
        ...(envelope.idempotency
          ? { idempotencyKey: envelope.idempotency.key, requestHash: envelope.idempotency.requestHash }
          : {}),
      };
      return {
        id: envelope.idempotency ? idempotentEventId(envelope.user.id, envelope.idempotency.key, index) : this.ids.newId(),
        type: event.type,
        data: event.data as unknown as EventToAppend['data'],
        metadata: metadata as unknown as EventToAppend['metadata'],
      };
    });
  }
}
