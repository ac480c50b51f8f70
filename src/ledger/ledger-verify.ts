/**
 * The check behind `npm run ledger:verify` (issue 15 §2): recomputes every article stream's hash
 * chain and every checkpoint from the store, checks every signature, and names what was altered,
 * removed, inserted or reordered. Reads only; it never writes to the store.
 *
 * Events written before the chain existed (no `metadata.chain`) are counted as unchained: their
 * hashes are computed from what they hold, so the first chained event of their stream and every
 * checkpoint seal them as they were then; what was done to them before that cannot be seen. An
 * unchained event after a chained one in the same stream is reported as altered (its link was
 * stripped).
 */
import type { KeyObject } from 'node:crypto';
import { comparePositions, EventStore, formatPosition, parsePosition, Position, RecordedEvent, START } from '../event-store/event-store.port';
import { streamPages } from '../event-store/stream-pages';
import { isArticleStream } from '../articles/stored-article-event';
import { ChainHash, chainHash, chainInputOf, storedLink } from './event-chain';
import { Checkpoint, CHECKPOINT_SIGNED, CheckpointEventData, checkpointEventData, headTree, LEDGER_STREAM, signatureHolds, StreamHead } from './checkpoint';
import { keyIdOf } from './signing-key';

/** What was found wrong. */
export type FindingKind = 'altered' | 'removed' | 'inserted' | 'reordered-or-inserted' | 'checkpoint';

export interface Finding {
  kind: FindingKind;
  /** The stream it is in (an article stream, or ledger-checkpoints). */
  stream: string;
  /** The event's revision in that stream (a number), or null when none applies. */
  revision: number | null;
  /** The event's log position (formatPosition), or null for an event that is not there (removed). */
  position: string | null;
  detail: string;
}

export interface LedgerReport {
  /** Events read from the log. */
  events: number;
  articleStreams: number;
  /** Events of article streams that carry a chain link. */
  chainedEvents: number;
  /** Events of article streams written before the chain (no link, none chained before them in their stream). */
  unchainedEvents: number;
  checkpoints: number;
  /** The key the signatures were checked with (keyId), or null when there was none. */
  keyId: string | null;
  /** Everything found, the earliest in the log first (those without a position last). */
  findings: Finding[];
}

export interface VerifyOptions {
  /** The public key checkpoints must be signed with; null: signatures cannot be checked (a finding for each checkpoint). */
  publicKey: KeyObject | null;
  /** A checkpoint saved earlier by an outsider, to check against today's log. */
  outsider?: Checkpoint;
  /** Called after each batch with the events read so far. */
  progress?: (events: number) => void;
}

interface StreamState {
  revision: number;
  hash: ChainHash;
  position: string;
  chained: boolean;
}

interface PendingCheckpoint {
  /** null for the outsider's. */
  revision: number | null;
  position: string | null;
  at: Position;
  data: CheckpointEventData | null;
  checkpoint: Checkpoint;
}

const BATCH = 1_000;
const BATCH_BYTES = 8 * 1024 * 1024;
const short = (hash: string | null) => (hash === null ? 'null' : `${hash.slice(0, 12)}…`);

/** Verifies the whole log of `store`; see the module comment. Store errors pass through. */
export async function verifyLedger(store: EventStore, options: VerifyOptions): Promise<LedgerReport> {
  const findings: Finding[] = [];
  const keyId = options.publicKey ? keyIdOf(options.publicKey) : null;
  const pending = await readCheckpoints(store, options, keyId, findings);
  const heads = new Map<string, StreamState>();
  const signed = new Map<string, StreamHead>();
  let next = 0;
  let events = 0;
  let chainedEvents = 0;
  let unchainedEvents = 0;

  const checkUpTo = (position: Position | null) => {
    while (next < pending.length && (position === null || comparePositions(pending[next].at, position) < 0)) {
      checkCheckpoint(pending[next++], heads, signed, findings);
    }
  };

  for (let after = START; ;) {
    const batch = await store.readAll({ after, maxCount: BATCH, maxBytes: BATCH_BYTES });
    for (const recorded of batch) {
      checkUpTo(recorded.position);
      events++;
      if (!isArticleStream(recorded.streamId)) continue;
      const chained = checkEvent(recorded, heads, findings);
      if (chained) chainedEvents++;
      else unchainedEvents++;
    }
    options.progress?.(events);
    if (batch.length === 0) break;
    after = batch[batch.length - 1].position;
    const bytes = batch.reduce((sum, event) => sum + (event.size ?? 0), 0);
    if (batch.length < BATCH && bytes < BATCH_BYTES) break;
  }
  checkUpTo(null);

  // A change a later checkpoint sees again is one finding.
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.kind}|${f.stream}|${f.revision}|${f.detail.replace(/checkpoint \S+ \([^)]*\)/g, '')}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  unique.sort((a, b) => {
    if (a.position === null || b.position === null) return a.position === null ? (b.position === null ? 0 : 1) : -1;
    return comparePositions(parsePosition(a.position)!, parsePosition(b.position)!);
  });
  return {
    events,
    articleStreams: heads.size,
    chainedEvents,
    unchainedEvents,
    checkpoints: pending.filter((p) => p.revision !== null).length,
    keyId,
    findings: unique,
  };
}

/** Checks one article event against its stream's chain so far, and moves the head. Returns whether it carries a link. */
function checkEvent(recorded: RecordedEvent, heads: Map<string, StreamState>, findings: Finding[]): boolean {
  const { streamId: stream } = recorded;
  const revision = Number(recorded.revision);
  const position = formatPosition(recorded.position);
  const state = heads.get(stream);
  const expected = state ? state.revision + 1 : 0;
  const previous = state?.hash ?? null;
  const at = { stream, revision, position };
  let gap = false;
  if (revision > expected) {
    gap = true;
    const missing = revision - 1 === expected ? `revision ${expected} is` : `revisions ${expected}–${revision - 1} are`;
    findings.push({ kind: 'removed', ...at, detail: `${missing} missing before it` });
  } else if (revision < expected) {
    findings.push({ kind: 'reordered-or-inserted', ...at, detail: `revision ${revision} comes again after revision ${expected - 1}` });
  }
  const link = storedLink(recorded.metadata);
  let hash: ChainHash;
  if (link === 'malformed') {
    findings.push({ kind: 'altered', ...at, detail: 'its metadata.chain is malformed' });
    hash = chainHash(chainInputOf(recorded, previous));
  } else if (link === null) {
    hash = chainHash(chainInputOf(recorded, previous));
    if (state?.chained) findings.push({ kind: 'altered', ...at, detail: 'its chain link was removed, though the events before it are chained' });
  } else {
    const computed = chainHash(chainInputOf(recorded, link.previous));
    if (computed !== link.hash) {
      findings.push({
        kind: 'altered',
        ...at,
        detail: `its type, data or metadata no longer give its hash (stored ${short(link.hash)}, computed ${short(computed)})`,
      });
    } else if (link.previous !== previous && state && !state.chained && !gap) {
      findings.push({
        kind: 'altered',
        ...at,
        detail: `it is the stream's first chained event, and the ${revision} unchained event(s) before it no longer give the hash it follows: one of revisions 0–${revision - 1} was changed`,
      });
    } else if (link.previous !== previous && !gap) {
      findings.push({
        kind: 'reordered-or-inserted',
        ...at,
        detail: `it follows ${short(link.previous)}, but the event before it in the stream is ${short(previous)}: events were reordered, inserted or removed here`,
      });
    }
    // The stored hash is carried on, so that one change is named once, not again at every later event.
    hash = link.hash;
  }
  heads.set(stream, { revision, hash, position, chained: (state?.chained ?? false) || (link !== null && link !== 'malformed') });
  return link !== null && link !== 'malformed';
}

/** The ledger stream's checkpoints, in order, with the findings about the stream itself: gaps, malformed events, signatures. */
async function readCheckpoints(store: EventStore, options: VerifyOptions, keyId: string | null, findings: Finding[]): Promise<PendingCheckpoint[]> {
  const pending: PendingCheckpoint[] = [];
  let expected = 0;
  for await (const page of streamPages(store, LEDGER_STREAM, 0n)) {
    for (const recorded of page) {
      const revision = Number(recorded.revision);
      const position = formatPosition(recorded.position);
      const at = { stream: LEDGER_STREAM, revision, position };
      if (revision !== expected) {
        findings.push({ kind: 'removed', ...at, detail: `checkpoint revision(s) ${expected}–${revision - 1} are missing before it` });
      }
      expected = revision + 1;
      const data = recorded.type === CHECKPOINT_SIGNED ? checkpointEventData(recorded.data) : null;
      const logPosition = data ? parsePosition(data.logPosition) : null;
      if (!data || !logPosition) {
        findings.push({ kind: 'altered', ...at, detail: 'it is not a CheckpointSigned event of the expected shape' });
        continue;
      }
      checkSignature(data, keyId, options.publicKey, at, findings);
      pending.push({ revision, position, at: logPosition, data, checkpoint: data });
    }
  }
  if (options.outsider) {
    const outsider = options.outsider;
    const at = parsePosition(String(outsider.logPosition));
    const where = { stream: LEDGER_STREAM, revision: null, position: null };
    if (!at) {
      findings.push({ kind: 'checkpoint', ...where, detail: `the saved checkpoint's logPosition ${JSON.stringify(outsider.logPosition)} is no position` });
    } else {
      checkSignature(outsider, keyId, options.publicKey, where, findings, 'the saved checkpoint');
      if (!pending.some((p) => p.checkpoint.rootHash === outsider.rootHash && p.checkpoint.timestamp === outsider.timestamp)) {
        findings.push({
          kind: 'removed',
          ...where,
          detail: `the saved checkpoint ${outsider.checkpointId} (${outsider.issuedAt}) is no longer in ${LEDGER_STREAM}`,
        });
      }
      const index = pending.findIndex((p) => comparePositions(p.at, at) > 0);
      pending.splice(index < 0 ? pending.length : index, 0, { revision: null, position: null, at, data: null, checkpoint: outsider });
    }
  }
  return pending;
}

function checkSignature(
  checkpoint: Checkpoint,
  keyId: string | null,
  publicKey: KeyObject | null,
  at: Pick<Finding, 'stream' | 'revision' | 'position'>,
  findings: Finding[],
  name = `checkpoint ${checkpoint.checkpointId}`,
): void {
  if (!publicKey) {
    findings.push({ kind: 'checkpoint', ...at, detail: `${name}: no key to check its signature with` });
  } else if (checkpoint.logId !== keyId) {
    findings.push({ kind: 'checkpoint', ...at, detail: `${name} names key ${checkpoint.logId}, not ${keyId}` });
  } else if (!signatureHolds(checkpoint, publicKey)) {
    findings.push({ kind: 'checkpoint', ...at, detail: `${name}: its signature does not hold for its tree size, root and time` });
  }
}

/**
 * A checkpoint against the heads at its logPosition: its changed heads, folded into those of the
 * checkpoints before it, must give its signed root, and must be the log's heads there, stream by
 * stream. The outsider's checkpoint (no data) is checked by its root alone.
 */
function checkCheckpoint(p: PendingCheckpoint, heads: Map<string, StreamState>, signed: Map<string, StreamHead>, findings: Finding[]): void {
  const { checkpoint } = p;
  const at = { stream: LEDGER_STREAM, revision: p.revision, position: p.position };
  const logHeads = () => [...heads.entries()].map(([stream, state]) => ({ stream, revision: state.revision, hash: state.hash }));
  if (!p.data) {
    const tree = headTree(logHeads());
    if (tree.root.toString('hex') !== checkpoint.rootHash || tree.heads.length !== checkpoint.treeSize) {
      findings.push({
        kind: 'checkpoint',
        ...at,
        detail: `today's log does not give the saved checkpoint ${checkpoint.checkpointId} (${checkpoint.issuedAt}): at position ${checkpoint.logPosition} its heads give root ${short(tree.root.toString('hex'))} of ${tree.heads.length} streams, the checkpoint signed ${short(checkpoint.rootHash)} of ${checkpoint.treeSize}`,
      });
    }
    return;
  }
  for (const head of p.data.changedHeads) signed.set(head.stream, head);
  const tree = headTree(signed.values());
  if (tree.root.toString('hex') !== checkpoint.rootHash || tree.heads.length !== checkpoint.treeSize) {
    findings.push({ kind: 'altered', ...at, detail: `checkpoint ${checkpoint.checkpointId}: its recorded heads do not give its signed root` });
  }
  const name = `checkpoint ${checkpoint.checkpointId} (${checkpoint.issuedAt})`;
  for (const [stream, claimed] of signed) {
    const state = heads.get(stream);
    if (!state) {
      findings.push({
        kind: 'removed',
        stream,
        revision: 0,
        position: null,
        detail: `the stream is gone, though ${name} signed it at revision ${claimed.revision}`,
      });
    } else if (state.revision < claimed.revision) {
      const missing = state.revision + 1 === claimed.revision ? `revision ${claimed.revision} is` : `revisions ${state.revision + 1}–${claimed.revision} are`;
      findings.push({ kind: 'removed', stream, revision: state.revision + 1, position: null, detail: `${missing} missing, though ${name} signed them` });
    } else if (state.revision > claimed.revision) {
      findings.push({
        kind: 'inserted',
        stream,
        revision: state.revision,
        position: state.position,
        detail: `it stands before the position of ${name}, which signed the stream at revision ${claimed.revision}`,
      });
    } else if (state.hash !== claimed.hash) {
      findings.push({
        kind: 'altered',
        stream,
        revision: state.revision,
        position: state.position,
        detail:
          `its hash is not the one ${name} signed: it, or an event before it in the stream, was changed and the chain recomputed ` +
          '(a checkpoint signs only the head; an earlier checkpoint or a proof held outside narrows which event)',
      });
    }
  }
  for (const [stream, state] of heads) {
    if (!signed.has(stream)) {
      findings.push({
        kind: 'inserted',
        stream,
        revision: state.revision,
        position: state.position,
        detail: `the stream stands before the position of ${name}, which does not sign it`,
      });
    }
  }
}
