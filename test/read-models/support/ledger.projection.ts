import { changesOf, Projection } from '../../../src/projection-kit/projection';

export type LedgerDocs = { seen: { position: string; times: number } };
const { put } = changesOf<LedgerDocs>();

/**
 * A deliberately naive projection for exactly-once tests: it counts how many times it saw each
 * event, with no idempotence guard of its own. Any event applied twice shows times = 2; any
 * event skipped is missing.
 */
export const ledgerProjection: Projection<LedgerDocs> = {
  name: 'ledger',
  version: 1,
  collections: { seen: { columns: { times: (d) => d.times } } },
  handle(e, view) {
    const seen = view.get('seen', e.position);
    return [put('seen', e.position, { position: e.position, times: (seen?.times ?? 0) + 1 })];
  },
};
