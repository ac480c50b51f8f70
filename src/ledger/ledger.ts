/**
 * The ledger of the server (issue 15 §2): the heads of every article stream, followed from the
 * log, and the signed checkpoints over them, made at an interval (when heads changed) and on
 * demand, each recorded as a CheckpointSigned event in the stream `ledger-checkpoints` so that a
 * rebuild, a restart or another server keeps them. Proofs of inclusion are answered from the
 * latest checkpoint.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { NotFoundError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors';
import {
  EVENT_STORE,
  EventStore,
  formatPosition,
  JsonObject,
  JsonValue,
  parsePosition,
  Position,
  RecordedEvent,
  RecordedEventMetadata,
  START,
} from '../event-store/event-store.port';
import { streamPages } from '../event-store/stream-pages';
import { isArticleStream } from '../articles/stored-article-event';
import { articleStreamId } from '../articles/domain/article.events';
import { carriedHash, ChainHash, storedHash, unchainedMetadata } from './event-chain';
import {
  Checkpoint,
  CHECKPOINT_SIGNED,
  checkpointEvent,
  checkpointEventData,
  checkpointOf,
  headPath,
  headTree,
  HeadTree,
  LEDGER_STREAM,
  signatureHolds,
  signCheckpoint,
  StreamHead,
} from './checkpoint';
import { SigningKey } from './signing-key';

export const SIGNING_KEY = Symbol('SIGNING_KEY');

/** Events per read of the log while following it. */
const BATCH = 1_000;
const BATCH_BYTES = 8 * 1024 * 1024;

/** One event of the chain from the proven revision to the head, as a proof gives it. */
export interface ProofEvent {
  /** A number, first event = 0. */
  revision: number;
  type: string;
  data: JsonValue;
  /** The event's metadata without its `chain` member. */
  metadata: JsonObject;
  /** The chain hash of the event before it (null at revision 0). */
  previousHash: ChainHash | null;
  /** hex(SHA-256(UTF-8(JCS({ type, data, metadata, previousHash })))). */
  hash: ChainHash;
}

/** GET /api/articles/{id}/revisions/{n}/proof. */
export interface InclusionProof {
  articleId: string;
  stream: string;
  /** The proven revision (a number). */
  revision: number;
  /** The events from `revision` to the head's revision, in order: each one's hash is the next one's previousHash. */
  events: ProofEvent[];
  /** The stream's head in the checkpoint: its leaf is UTF-8(JCS(head)). */
  head: StreamHead;
  /** The head's leaf index (0-based) in the checkpoint's tree. */
  leafIndex: number;
  treeSize: number;
  /** RFC 9162 §2.1.3.1 PATH(leafIndex, D[treeSize]), hex, nearest sibling first. */
  inclusionPath: string[];
  checkpoint: Checkpoint;
}

interface Latest {
  checkpoint: Checkpoint;
  /** The heads it signed (the fold of every checkpoint's changedHeads). */
  heads: ReadonlyMap<string, StreamHead>;
  tree: HeadTree | null;
}

@Injectable()
export class Ledger implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Ledger');
  /** Every article stream's head at `position`. */
  private readonly heads = new Map<string, StreamHead>();
  /** The heads as the latest checkpoint of the ledger stream signed them. */
  private signed = new Map<string, StreamHead>();
  private latest: Latest | null = null;
  private ledgerRevision: bigint | null = null;
  private position: Position = START;
  /** Catching up and checkpointing take turns: one at a time. */
  private turn: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SIGNING_KEY) readonly key: SigningKey,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // The first catch-up reads the log after the latest checkpoint (the whole log without one):
    // in the background, so that the server starts at once.
    void this.inTurn(async () => {
      await this.resume();
      await this.catchUp();
    }).catch((error: unknown) => this.logger.error(`Following the log failed: ${(error as Error).message}`));
    if (this.config.checkpointIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.tick().catch((error: unknown) => this.logger.error(`The interval checkpoint failed: ${(error as Error).message}`));
      }, this.config.checkpointIntervalMs);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.turn.catch(() => undefined);
  }

  /** Signs a checkpoint over the heads now (POST /api/ledger/checkpoints). Store errors pass through. */
  checkpointNow(): Promise<Checkpoint> {
    return this.inTurn(async () => {
      await this.catchUp();
      return this.sign();
    });
  }

  /**
   * What the interval does (LEDGER_CHECKPOINT_INTERVAL_SECONDS): catches up with the log and signs
   * a checkpoint only when some article stream's head changed since the last one (or there is
   * none yet and some article exists). Returns the new checkpoint, or null when nothing changed.
   */
  tick(): Promise<Checkpoint | null> {
    return this.inTurn(async () => {
      if (this.closed) return null;
      await this.catchUp();
      if (this.changedHeads().length === 0) return null;
      const checkpoint = await this.sign();
      this.logger.log(`Checkpoint ${checkpoint.checkpointId}: ${checkpoint.treeSize} streams, root ${checkpoint.rootHash}`);
      return checkpoint;
    });
  }

  /**
   * Checkpoints, latest first: at most `limit`, those recorded at ledger revisions below `before`
   * (a number; all when omitted). nextCursor (its `before`, a decimal string) names the next page, null on the last.
   */
  async checkpoints(limit: number, before?: number): Promise<{ items: Checkpoint[]; nextCursor: string | null }> {
    const last = await this.store.streamRevision(LEDGER_STREAM);
    if (last === null) return { items: [], nextCursor: null };
    const end = before === undefined ? last : BigInt(Math.min(before - 1, Number(last)));
    if (end < 0n) return { items: [], nextCursor: null };
    const from = end - BigInt(limit) + 1n < 0n ? 0n : end - BigInt(limit) + 1n;
    const events = await this.store.readStream(LEDGER_STREAM, { fromRevision: from, maxCount: Number(end - from + 1n) });
    const items = events
      .map((event) => checkpointEventData(event.data))
      .filter((data) => data !== null)
      .map(checkpointOf)
      .reverse();
    return { items, nextCursor: from > 0n ? from.toString() : null };
  }

  /**
   * The proof that revision `revision` (a number) of the article is in the latest checkpoint.
   * Throws NotFoundError when the article has no such revision or no checkpoint covers it yet
   * (the next interval's will, or POST /api/ledger/checkpoints); an Error when the stream no
   * longer gives the hash its checkpoint signed (`npm run ledger:verify` names what changed).
   */
  async proof(articleId: string, revision: number): Promise<InclusionProof> {
    const latest = await this.inTurn(async () => {
      await this.catchUp();
      return this.latestTree();
    });
    const stream = articleStreamId(articleId);
    const head = latest?.heads.get(stream);
    if (!latest || !head || head.revision < revision) {
      const current = this.heads.get(stream);
      if (!current || current.revision < revision) throw new NotFoundError(`Article ${articleId} has no revision ${revision}`);
      const interval = this.config.checkpointIntervalMs;
      const when = interval > 0 ? `one is signed within ${Math.round(interval / 1000)} s of a change, or on demand` : 'checkpoints are signed only on demand';
      throw new NotFoundError(`No checkpoint covers revision ${revision} of article ${articleId} yet: ${when} (POST /api/ledger/checkpoints)`);
    }
    const events: ProofEvent[] = [];
    let previous: ChainHash | null = null;
    for await (const page of streamPages(this.store, stream, 0n, BigInt(head.revision))) {
      for (const recorded of page) {
        const hash = carriedHash(recorded, previous);
        if (recorded.revision >= BigInt(revision)) {
          events.push({
            revision: Number(recorded.revision),
            type: recorded.type,
            data: recorded.data,
            metadata: unchainedMetadata(recorded.metadata),
            previousHash: previous,
            hash,
          });
        }
        previous = hash;
      }
    }
    if (previous !== head.hash || events.length !== head.revision - revision + 1) {
      throw new Error(`${stream} no longer gives the head its checkpoint signed at revision ${head.revision}; run npm run ledger:verify`);
    }
    const tree = latest.tree!;
    const leafIndex = tree.heads.findIndex((h) => h.stream === stream);
    return {
      articleId,
      stream,
      revision,
      events,
      head,
      leafIndex,
      treeSize: tree.heads.length,
      inclusionPath: headPath(tree, leafIndex),
      checkpoint: latest.checkpoint,
    };
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * At start-up: folds the ledger stream's checkpoints and, when the latest one is this key's own
   * (its logId and signature hold under this key) and the folded heads give its root and size,
   * takes its heads as every article stream's head at its logPosition, so that catchUp reads only
   * the log after it. Otherwise (no checkpoint, another key's, a malformed revision, heads that do
   * not give the root) it leaves the state at START and catchUp reads the whole log, as before.
   * A forged checkpoint (not signed by this key) is never trusted: the server would then sign
   * heads it had not computed. Tampering with events before the checkpoint is for
   * `npm run ledger:verify` to find, as it was: the server never checked stored chain hashes,
   * and proofs still hash each stream from its first event. Store errors pass through.
   */
  private async resume(): Promise<void> {
    const signed = new Map<string, StreamHead>();
    let last: { checkpoint: Checkpoint; revision: bigint } | null = null;
    for await (const page of streamPages(this.store, LEDGER_STREAM, 0n)) {
      for (const recorded of page) {
        const data = recorded.type === CHECKPOINT_SIGNED ? checkpointEventData(recorded.data) : null;
        // catchUp names it, reading the whole log.
        if (!data) return;
        for (const head of data.changedHeads) signed.set(head.stream, head);
        last = { checkpoint: checkpointOf(data), revision: recorded.revision };
      }
    }
    if (!last) return;
    const { checkpoint, revision } = last;
    const position = parsePosition(checkpoint.logPosition);
    const tree = headTree(signed.values());
    const own = checkpoint.logId === this.key.keyId && signatureHolds(checkpoint, this.key.publicKey);
    if (!position || !own || tree.root.toString('hex') !== checkpoint.rootHash || tree.heads.length !== checkpoint.treeSize) {
      this.logger.warn(`Checkpoint ${checkpoint.checkpointId} is not one this key signed over its heads: reading the whole log`);
      return;
    }
    for (const head of signed.values()) this.heads.set(head.stream, head);
    this.signed = signed;
    this.latest = { checkpoint, heads: signed, tree };
    this.ledgerRevision = revision;
    this.position = position;
  }

  /**
   * Reads the log after `position`: article events move their stream's head, checkpoints fold their
   * changed heads. Where the store has readAllMetadata, events are read without their data (a
   * chained event's hash is its metadata's chain.hash); only an event without a chain link and a
   * checkpoint are read again with theirs. A turn of the event loop is given up before each batch
   * after the first: the reads are synchronous, and the log after a checkpoint may hold many
   * maximum-size articles (each ~20 MB), which read in one stretch held every request for seconds.
   */
  private async catchUp(): Promise<void> {
    for (let batches = 0; ; batches++) {
      if (batches > 0) await nextTurn();
      const options = { after: this.position, maxCount: BATCH, maxBytes: BATCH_BYTES };
      // Metadata alone where the store can leave the data out: a chained event's hash is in it.
      const batch: Array<RecordedEventMetadata | RecordedEvent> = this.store.readAllMetadata
        ? await this.store.readAllMetadata(options)
        : await this.store.readAll(options);
      for (const recorded of batch) {
        if (isArticleStream(recorded.streamId)) {
          const previous = this.heads.get(recorded.streamId)?.hash ?? null;
          // An event written before the chain (or with a damaged link) is hashed from its content.
          const hash = storedHash(recorded.metadata) ?? carriedHash(await this.withData(recorded), previous);
          this.heads.set(recorded.streamId, { stream: recorded.streamId, revision: Number(recorded.revision), hash });
        } else if (recorded.streamId === LEDGER_STREAM && (this.ledgerRevision === null || recorded.revision > this.ledgerRevision)) {
          // (A checkpoint already folded, by resume or by sign, is not folded again.)
          this.ledgerRevision = recorded.revision;
          const data = recorded.type === CHECKPOINT_SIGNED ? checkpointEventData((await this.withData(recorded)).data) : null;
          if (!data) {
            this.logger.error(`Revision ${recorded.revision} of ${LEDGER_STREAM} is no checkpoint; run npm run ledger:verify`);
            continue;
          }
          const signed = new Map(this.signed);
          for (const head of data.changedHeads) signed.set(head.stream, head);
          this.signed = signed;
          this.latest = { checkpoint: checkpointOf(data), heads: signed, tree: null };
        }
        this.position = recorded.position;
      }
      if (batch.length === 0) return;
      const bytes = batch.reduce((sum, event) => sum + (event.size ?? 0), 0);
      if (batch.length < BATCH && bytes < BATCH_BYTES) return;
    }
  }

  /** `recorded` with its data: itself when it has it, otherwise the event read again from its stream. */
  private async withData(recorded: RecordedEventMetadata | RecordedEvent): Promise<RecordedEvent> {
    if ('data' in recorded) return recorded;
    const [event] = await this.store.readStream(recorded.streamId, { fromRevision: recorded.revision, maxCount: 1 });
    if (!event || event.id !== recorded.id) throw new Error(`Revision ${recorded.revision} of ${recorded.streamId} was not found again`);
    return event;
  }

  /** The latest checkpoint with its tree, built once; null when the log has none, or its heads do not give its root. */
  private latestTree(): Latest | null {
    const latest = this.latest;
    if (!latest || latest.tree) return latest;
    const tree = headTree(latest.heads.values());
    if (tree.root.toString('hex') !== latest.checkpoint.rootHash || tree.heads.length !== latest.checkpoint.treeSize) {
      this.logger.error(`Checkpoint ${latest.checkpoint.checkpointId}: its heads do not give its root; run npm run ledger:verify`);
      return null;
    }
    latest.tree = tree;
    return latest;
  }

  private changedHeads(): StreamHead[] {
    return [...this.heads.values()].filter((head) => {
      const signed = this.signed.get(head.stream);
      return !signed || signed.revision !== head.revision || signed.hash !== head.hash;
    });
  }

  /** Signs the heads at `position` and records the checkpoint; after another writer's checkpoint, catches up and signs again. */
  private async sign(): Promise<Checkpoint> {
    for (let attempt = 0; ; attempt++) {
      const tree = headTree(this.heads.values());
      const changed = this.changedHeads();
      const checkpoint = signCheckpoint(this.key, tree, formatPosition(this.position));
      try {
        const expected = this.ledgerRevision ?? 'no_stream';
        await this.store.appendToStream(
          LEDGER_STREAM,
          [{ id: checkpoint.checkpointId, type: CHECKPOINT_SIGNED, data: checkpointEvent(checkpoint, changed), metadata: { schemaVersion: 1 } }],
          expected,
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 3) throw error;
        await this.catchUp();
        continue;
      }
      this.signed = new Map(tree.heads.map((head) => [head.stream, head]));
      this.latest = { checkpoint, heads: this.signed, tree };
      this.ledgerRevision = this.ledgerRevision === null ? 0n : this.ledgerRevision + 1n;
      return checkpoint;
    }
  }
}
