import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { carriedHash, chainHash, storedLink, withChain, withChainInTurns } from './event-chain';
import { readArticleEvent } from '../articles/stored-article-event';
import type { JsonValue } from '../event-store/event-store.port';

describe('canonical JSON (RFC 8785)', () => {
  it("gives RFC 8785 §3.2.2's example output", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3) and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4, '\u00f6': 5 })).toBe('{"\\r":2,"1":4,"ö":5,"€":1,"😀":3}');
    expect(() => canonicalJson({ n: NaN })).toThrow();
    expect(() => canonicalJson({ n: 1n })).toThrow();
  });
});

describe('the hash chain of an article stream', () => {
  const draft = {
    type: 'ArticleDrafted',
    data: { headline: 'Olaf Merz visits' },
    metadata: { occurredAt: '2026-01-01T09:00:00.000Z', actor: { id: 'u', name: 'U' } },
  };
  const publish = { type: 'ArticlePublished', data: { publishedAt: '2026-01-01T09:14:00.000Z' }, metadata: { occurredAt: '2026-01-01T09:14:00.000Z' } };

  it('hashes type, data, metadata and the previous hash, canonically', () => {
    const hash = chainHash({ ...draft, previousHash: null });
    const expected = createHash('sha256')
      .update(
        '{"data":{"headline":"Olaf Merz visits"},"metadata":{"actor":{"id":"u","name":"U"},"occurredAt":"2026-01-01T09:00:00.000Z"},"previousHash":null,"type":"ArticleDrafted"}',
      )
      .digest('hex');
    expect(hash).toBe(expected);
    // Key order does not matter; every byte of content does.
    expect(
      chainHash({ metadata: { actor: { name: 'U', id: 'u' }, occurredAt: draft.metadata.occurredAt }, data: draft.data, type: draft.type, previousHash: null }),
    ).toBe(hash);
    expect(chainHash({ ...draft, data: { headline: 'Olaf Merz visitS' }, previousHash: null })).not.toBe(hash);
    expect(chainHash({ ...draft, previousHash: '0'.repeat(64) })).not.toBe(hash);
  });

  it('links each event to the one before it, and carries it on as a reader does', () => {
    const first = withChain(draft.type, draft.data, draft.metadata, null);
    const second = withChain(publish.type, publish.data, publish.metadata, first.hash);
    expect(first.metadata.chain).toEqual({ previous: null, hash: first.hash });
    expect(second.metadata.chain).toEqual({ previous: first.hash, hash: second.hash });
    expect(second.hash).toBe(chainHash({ ...publish, previousHash: first.hash }));
    // The hash does not cover itself: chaining metadata that already holds a chain gives the same.
    expect(withChain(publish.type, publish.data, second.metadata, first.hash).hash).toBe(second.hash);
    expect(carriedHash({ ...publish, metadata: second.metadata }, 'anything')).toBe(second.hash);
    // An event written before the chain: its hash is computed from what it holds.
    expect(carriedHash(publish, first.hash)).toBe(second.hash);
  });

  it('reads a stored link, and tells a malformed one from none', () => {
    expect(storedLink({})).toBeNull();
    expect(storedLink({ chain: { previous: null, hash: 'a'.repeat(64) } })).toEqual({ previous: null, hash: 'a'.repeat(64) });
    expect(storedLink({ chain: { previous: null, hash: 'xyz' } })).toBe('malformed');
    expect(storedLink({ chain: 'a'.repeat(64) })).toBe('malformed');
  });
});

describe('the one stored-event reader and the chain', () => {
  const recorded = (metadata: Record<string, unknown>) =>
    readArticleEvent({
      id: 'e-0',
      streamId: 'article-6f1c2d3e-0000-4000-8000-000000000001',
      type: 'ArticleDrafted',
      revision: 0n,
      position: { commit: 1n, prepare: 1n },
      data: {
        articleId: '6f1c2d3e-0000-4000-8000-000000000001',
        headline: 'Olaf Merz visits',
        standfirst: null,
        body: [],
        byline: ['Rita'],
        draftedAt: '2026-01-01T09:00:00.000Z',
      },
      metadata: metadata as never,
      recordedAt: '2026-01-01T09:00:00.000Z',
    });

  it('reads an event with its chain link, one without (written before the chain), and one whose link is malformed', () => {
    expect(recorded({ chain: { previous: null, hash: 'a'.repeat(64) } }).chainHash).toBe('a'.repeat(64));
    expect(recorded({}).chainHash).toBeNull();
    // A damaged link never makes the article unreadable: ledger:verify names it.
    expect(recorded({ chain: 'broken' })).toMatchObject({ chainHash: null, event: { type: 'ArticleDrafted' } });
  });
});

describe('the chain hash on the request path (withChainInTurns)', () => {
  it('gives the same hash and metadata as withChain, for a maximum-size body in Cyrillic too', async () => {
    const body = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, type: 'paragraph', text: 'ж'.repeat(20_000) }));
    const metadata = { occurredAt: '2026-01-01T09:00:00.000Z', chain: { previous: null, hash: 'f'.repeat(64) } };
    for (const data of [{ headline: 'Olaf Merz visits' }, { headline: 'Merz', body }] as JsonValue[]) {
      const previous = 'a'.repeat(64);
      expect(await withChainInTurns('ArticleDrafted', data, metadata, previous)).toEqual(withChain('ArticleDrafted', data, metadata, previous));
    }
  });
});
