import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** test/fixtures/seed-article.txt is a copy of ../shared/fixtures/seed-article.txt. */
export const SEED_FILE = resolve(__dirname, '../../test/fixtures/seed-article.txt');
export const SEED_TEXT = readFileSync(SEED_FILE, 'utf8');

export type SeedBlock = { type: 'paragraph'; text: string } | { type: 'list'; items: string[] };

/**
 * The seed article as a draft command: the first line is the headline, the next non-empty
 * one the standfirst; the repeated title line is not part of the body; each other line is a
 * paragraph, and consecutive bullet lines are one list block.
 */
export function parseSeedArticle(text = SEED_TEXT): { headline: string; standfirst: string; body: SeedBlock[] } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const [headline, standfirst, ...rest] = lines;
  const body: SeedBlock[] = [];
  for (const line of rest) {
    if (line === headline) continue;
    const bullet = /^[•\-*]\s*(.+)$/.exec(line);
    const last = body[body.length - 1];
    if (bullet && last?.type === 'list') last.items.push(bullet[1]);
    else if (bullet) body.push({ type: 'list', items: [bullet[1]] });
    else body.push({ type: 'paragraph', text: line });
  }
  return { headline, standfirst, body };
}

/** The quotes of the seed article and who said them; each text stands verbatim in the fixture. */
export const SEED_QUOTES = [
  {
    speaker: { name: 'Volodymyr Zelenskyy', title: 'President of Ukraine' },
    text: 'We discussed the meeting in Istanbul',
    source: { description: 'Post on X' },
  },
  {
    speaker: { name: 'Volodymyr Zelenskyy', title: 'President of Ukraine' },
    text: 'Ukraine is ready to take the fastest possible steps to bring real peace, and it is important that the world holds a strong stance',
    source: { description: 'Statement' },
  },
  {
    speaker: { name: 'Emmanuel Macron', title: 'President of France' },
    text: '[Russian President Vladimir] Putin refuses to respond to the unconditional ceasefire proposal',
    source: { description: 'Statement' },
  },
  {
    speaker: { name: 'Donald Trump', title: 'President of the United States' },
    text: "We have to meet. He and I will meet. I think we'll solve it. Or maybe not, but at least we'll know",
    source: { description: 'Remarks to reporters during a visit to the UAE' },
  },
] as const;

export const MERZ_WRONG = 'German Chancellor Olaf Merz';
export const MERZ_RIGHT = 'German Chancellor Friedrich Merz';

/**
 * The correction the seed article needs: each block whose text names "Olaf Merz" names Friedrich
 * Merz instead; other blocks (and every block's id) are kept as they are.
 */
export function correctMerz<B extends { text?: string }>(body: readonly B[]): B[] {
  return body.map((block) => (block.text?.includes(MERZ_WRONG) ? { ...block, text: block.text.replace(MERZ_WRONG, MERZ_RIGHT) } : block));
}
