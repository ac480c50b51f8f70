/**
 * What normalising stored text to NFC would cost the one reader (readArticleEvent), as a ratio
 * to the JSON.parse every read already does, in the same run: a 20-paragraph English body and a
 * Ukrainian one. Why events appended since #11 carry metadata.textForm = "NFC" and only events
 * without it (older code) are normalised on read. Run: node -r ts-node/register/transpile-only bench/nfc-read-cost.ts
 */
import { nfcDeep, nfcShared } from '../src/text';

const bodyOf = (sentence: string) => ({
  type: 'BodyRevised',
  data: { body: Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, type: 'paragraph', text: `${i}. ${sentence} `.repeat(8) })) },
});
const cases = {
  english: JSON.stringify(bodyOf('The council passed the budget after Zelenskyy and Merz spoke at length')),
  ukrainian: JSON.stringify(bodyOf('Зеленський провів переговори з союзниками про бюджет і оборону')),
};
const N = 5_000;

function perCall(run: () => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) run();
  return Number(process.hrtime.bigint() - start) / N / 1000;
}

for (const [name, json] of Object.entries(cases)) {
  // Warm up, then alternate the three, three rounds, keeping each one's best.
  for (let i = 0; i < 2_000; i++) nfcShared(nfcDeep(JSON.parse(json)));
  const best = { parse: Infinity, shared: Infinity, deep: Infinity };
  for (let round = 0; round < 3; round++) {
    best.parse = Math.min(
      best.parse,
      perCall(() => JSON.parse(json)),
    );
    best.shared = Math.min(
      best.shared,
      perCall(() => nfcShared(JSON.parse(json))),
    );
    best.deep = Math.min(
      best.deep,
      perCall(() => nfcDeep(JSON.parse(json))),
    );
  }
  console.log(
    `${name}: JSON.parse ${best.parse.toFixed(1)} µs; + nfcShared ${(best.shared / best.parse).toFixed(2)}×; + nfcDeep ${(best.deep / best.parse).toFixed(2)}×`,
  );
}
