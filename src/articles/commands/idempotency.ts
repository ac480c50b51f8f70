import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import stringify from 'safe-stable-stringify';
import { v5 as uuidv5 } from 'uuid';
import { AppErrorCode, FieldError, IdempotencyKeyReusedError } from '../../common/app-error';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore, JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import type { IdSource } from './clock';

/**
 * Idempotency-Key (API.md "Conventions"; draft-ietf-httpapi-idempotency-key-header): a key names
 * one request of one user. The same key with the same request returns the first response and
 * appends nothing; with a different request, on any article and any command, it is refused (422).
 *
 * These records make that hold on both stores, across restarts and between processes:
 * - a claim: the first event of the stream `idempotency-<uuid of user and key>`, appended with
 *   expected revision no_stream, holds the request's hash. The store's optimistic concurrency
 *   makes it the one global index of keys that EventStoreDB, which has no secondary index, can
 *   give: one request per key, whoever claims first.
 * - the command's own events, whose ids (and every id the command creates: article, quote,
 *   correction, block) derive from the key, so a repeat finds them in the article's stream.
 * - for a request that appended nothing (it changed nothing, or a rule refused it), its answer,
 *   as the second event of the claim stream: a repeat gets that answer, even after the article
 *   changed. To try a refused request again, a client sends it with a new key.
 * A keyed request that is refused therefore leaves its claim and answer in the log, in the claim
 * stream; no article stream changes.
 */
export const IDEMPOTENCY_STREAM_PREFIX = 'idempotency-';
export const KEY_CLAIMED = 'IdempotencyKeyClaimed';
export const REQUEST_ANSWERED = 'IdempotentRequestAnswered';

/** What a keyed request that appended nothing answered: the article as it was, or a refusal. */
export type RecordedAnswer =
  | { kind: 'unchanged'; articleId: string; revision: string; position: string }
  | { kind: 'refused'; code: AppErrorCode; message: string; errors?: FieldError[]; currentRevision?: string | null };

/** Ids of keyed requests are UUID v5 names in this namespace (RFC 9562 §5.5). */
const NAMESPACE = '5b0f3c8e-2f7a-4d1e-9a43-6c1b7f2d8e90';

/** What a keyed command carries: the key as sent, and the hash of the request it names. */
export interface IdempotencyKey {
  key: string;
  /** sha-256 (hex) of the method, the path and the validated body with its keys in a stable order. */
  requestHash: string;
}

/** The hash that identifies a request for its Idempotency-Key. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${stringify(body ?? null)}`)
    .digest('hex');
}

/** The article a keyed DraftArticle creates: the same key always drafts the same article id. */
export function idempotentArticleId(userId: string, key: string): string {
  return uuidv5(`article\n${userId}\n${key}`, NAMESPACE);
}

/** The id of the `index`-th event (0-based) appended by a keyed request. */
export function idempotentEventId(userId: string, key: string, index: number): string {
  return uuidv5(`event\n${userId}\n${key}\n${index}`, NAMESPACE);
}

/** The ids a keyed request hands the decider (quote, correction, block ids), in the order it asks. */
export function idempotentIds(userId: string, key: string): IdSource & { causationId: string } {
  let next = 0;
  return {
    newId: () => uuidv5(`id\n${userId}\n${key}\n${next++}`, NAMESPACE),
    causationId: uuidv5(`causation\n${userId}\n${key}`, NAMESPACE),
  };
}

function claimStream(userId: string, key: string): string {
  return `${IDEMPOTENCY_STREAM_PREFIX}${uuidv5(`claim\n${userId}\n${key}`, NAMESPACE)}`;
}

/** Claims keys in the event store (see the module comment); remembers this process's claims. */
@Injectable()
export class IdempotencyKeys {
  /** Claim stream → the request hash it holds. A claim never changes, so this never goes stale. */
  private readonly claims = new LRUCache<string, string>({ max: 50_000 });

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Makes `key` name this request, or finds it already does. Throws IdempotencyKeyReusedError
   * (422) when the user's key already names a different request; store errors pass through.
   */
  async claim(userId: string, { key, requestHash: hash }: IdempotencyKey): Promise<void> {
    const stream = claimStream(userId, key);
    const known = this.claims.get(stream) ?? (await this.readClaim(stream));
    if (known === undefined) {
      try {
        // The event id derives from the request: the same request claiming twice is idempotent,
        // a different one meets the existing stream and is refused below.
        await this.store.appendToStream(
          stream,
          [
            {
              id: uuidv5(`claim\n${userId}\n${key}\n${hash}`, NAMESPACE),
              type: KEY_CLAIMED,
              data: { userId, key, requestHash: hash },
              metadata: { schemaVersion: 1 },
            },
          ],
          'no_stream',
        );
        this.claims.set(stream, hash);
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        return this.check(stream, (await this.readClaim(stream))!, hash);
      }
    }
    this.check(stream, known, hash);
  }

  /** The answer recorded for the user's key, or null when none was (its request appended events, or has not run). */
  async recordedAnswer(userId: string, key: string): Promise<RecordedAnswer | null> {
    const [answer] = await this.store.readStream(claimStream(userId, key), { fromRevision: 1n, maxCount: 1 });
    return answer ? (answer.data as unknown as RecordedAnswer) : null;
  }

  /**
   * Records what a keyed request that appended nothing answered, once: when a copy recorded one
   * first, returns that one instead. Store errors pass through.
   */
  async recordAnswer(userId: string, key: string, answer: RecordedAnswer): Promise<RecordedAnswer> {
    const stream = claimStream(userId, key);
    try {
      await this.store.appendToStream(
        stream,
        [
          {
            id: uuidv5(`answer\n${userId}\n${key}\n${stringify(answer)}`, NAMESPACE),
            type: REQUEST_ANSWERED,
            data: answer as unknown as JsonObject,
            metadata: { schemaVersion: 1 },
          },
        ],
        0n,
      );
      return answer;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      return (await this.recordedAnswer(userId, key)) ?? answer;
    }
  }

  private check(stream: string, claimed: string, hash: string): void {
    this.claims.set(stream, claimed);
    if (claimed !== hash) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was already used for a different request; use a new key');
    }
  }

  private async readClaim(stream: string): Promise<string | undefined> {
    const [first] = await this.store.readStream(stream, { maxCount: 1 });
    return first ? claimedHash(first) : undefined;
  }
}

function claimedHash(event: RecordedEvent): string {
  const data = event.data as { requestHash?: unknown } | null;
  if (typeof data?.requestHash !== 'string') throw new Error(`${event.streamId} holds no request hash`);
  return data.requestHash;
}
