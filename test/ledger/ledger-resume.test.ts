import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { articleStreamId } from '../../src/articles/domain/article.events';
import type { AppConfig } from '../../src/config/app-config';
import { parsePosition, ReadAllOptions, START } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { Ledger } from '../../src/ledger/ledger';
import { SigningKey } from '../../src/ledger/signing-key';
import { tempDir } from '../support/temp-dir';

const config = { checkpointIntervalMs: 0 } as AppConfig;
const newKey = () => new SigningKey(generateKeyPairSync('ed25519').privateKey);

/**
 * At start-up the ledger resumes from its latest checkpoint when this key signed it: it reads
 * the log after the checkpoint's position only, and ends with the heads a whole-log read gives.
 */
describe('the ledger at start-up', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  const key = newKey();
  const articles = [randomUUID(), randomUUID()];
  const write = (article: string, text: string) =>
    store.appendToStream(articleStreamId(article), [{ id: randomUUID(), type: 'ArticleDrafted', data: { text }, metadata: {} }], 'any');

  /** A ledger started as the server starts it; resolves once its first catch-up is done, with the positions it read after. */
  async function started(signingKey: SigningKey): Promise<{ ledger: Ledger; readsAfter: string[] }> {
    const readsAfter: string[] = [];
    // The ledger reads the log without its data (readAllMetadata); readAll is watched too.
    const readAll = store.readAll.bind(store);
    jest.spyOn(store, 'readAll').mockImplementation((options: ReadAllOptions) => {
      readsAfter.push((options.after ?? START).commit.toString());
      return readAll(options);
    });
    const readAllMetadata = store.readAllMetadata.bind(store);
    jest.spyOn(store, 'readAllMetadata').mockImplementation((options: ReadAllOptions) => {
      readsAfter.push((options.after ?? START).commit.toString());
      return readAllMetadata(options);
    });
    const ledger = new Ledger(store, signingKey, config);
    ledger.onApplicationBootstrap();
    // Its first catch-up, which runs in the background (one turn at a time).
    await ledger['turn'];
    return { ledger, readsAfter };
  }

  beforeEach(async () => {
    dir = tempDir('newsroom-ledger-resume-');
    store = new SqliteEventStore(join(dir.path, 'events.sqlite'));
    await write(articles[0], 'one');
    await write(articles[1], 'two');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
    dir.remove();
  });

  it('reads only the log after its own latest checkpoint, and gets the heads a whole-log read gets', async () => {
    const first = await started(key);
    const checkpoint = await first.ledger.checkpointNow();
    await first.ledger.onModuleDestroy();
    await write(articles[0], 'three');
    jest.restoreAllMocks();

    const again = await started(key);
    expect(again.readsAfter[0]).toBe(parsePosition(checkpoint.logPosition)!.commit.toString());
    // Another key's ledger trusts no checkpoint: it reads the whole log, and must agree.
    jest.restoreAllMocks();
    const whole = await started(newKey());
    expect(whole.readsAfter[0]).toBe(START.commit.toString());
    expect(again.ledger['heads']).toEqual(whole.ledger['heads']);
    expect(again.ledger['signed']).toEqual(whole.ledger['signed']);
    // The head that moved after the checkpoint is signed next; the one that did not is not.
    const next = await again.ledger.checkpointNow();
    expect(next.treeSize).toBe(2);
    const data = (await store.readStream('ledger-checkpoints')).at(-1)!.data as { changedHeads: Array<{ stream: string }> };
    expect(data.changedHeads.map((head) => head.stream)).toEqual([articleStreamId(articles[0])]);
    await Promise.all([again.ledger.onModuleDestroy(), whole.ledger.onModuleDestroy()]);
  });

  it('does not trust a checkpoint signed by another key: it reads the whole log', async () => {
    const stranger = await started(newKey());
    await stranger.ledger.checkpointNow();
    await stranger.ledger.onModuleDestroy();
    jest.restoreAllMocks();

    const own = await started(key);
    expect(own.readsAfter[0]).toBe(START.commit.toString());
    await own.ledger.onModuleDestroy();
  });
});
