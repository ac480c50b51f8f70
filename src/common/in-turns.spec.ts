import { createHash } from 'node:crypto';
import { PIECE_UNITS, sha256HexInTurns, textSlices, utf8TextInTurns } from './in-turns';

/** Runs `work` while counting the turns of the event loop (setImmediate callbacks) that ran during it. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work();
  running = false;
  return { value, turns };
}

describe('UTF-8 work on large text, a piece per turn of the event loop', () => {
  // An emoji is a surrogate pair: with an odd offset, every piece boundary falls inside a pair.
  const astral = `x${'😀'.repeat(PIECE_UNITS * 2)}ж`;

  it('slices text into pieces whose concatenation is the text, never between the halves of a surrogate pair', () => {
    const slices = [...textSlices(astral)];
    expect(slices.length).toBeGreaterThanOrEqual(4);
    expect(slices.join('')).toBe(astral);
    for (const slice of slices) expect(slice.isWellFormed()).toBe(true);
  });

  it('hashes large text to the digest of hashing it whole, yielding to other work between pieces', async () => {
    const { value, turns } = await turnsDuring(() => sha256HexInTurns(astral));
    expect(value).toBe(createHash('sha256').update(astral, 'utf8').digest('hex'));
    expect(turns).toBeGreaterThanOrEqual(4);
    // A lone surrogate is U+FFFD in the whole and in the pieces alike.
    const lone = `${'a'.repeat(PIECE_UNITS - 1)}\ud800${'b'.repeat(PIECE_UNITS)}`;
    expect(await sha256HexInTurns(lone)).toBe(createHash('sha256').update(lone, 'utf8').digest('hex'));
  });

  it('hashes short text at once, with no turn given up', async () => {
    const { value, turns } = await turnsDuring(() => sha256HexInTurns('Friedrich Merz'));
    expect(value).toBe(createHash('sha256').update('Friedrich Merz', 'utf8').digest('hex'));
    expect(turns).toBe(0);
  });

  it('decodes large UTF-8 to the text toString gives, sequences split across pieces included, a piece per turn', async () => {
    // Three-byte characters after one ASCII byte: piece boundaries fall inside sequences.
    const text = `\ufeffa${'€'.repeat(PIECE_UNITS)}😀`;
    const bytes = Buffer.from(text, 'utf8');
    const { value, turns } = await turnsDuring(() => utf8TextInTurns(bytes));
    expect(value).toBe(bytes.toString('utf8'));
    expect(value.startsWith('\ufeff')).toBe(true);
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(await utf8TextInTurns(Buffer.from('Olaf Merz'))).toBe('Olaf Merz');
    // Four-byte sequences at every offset from a cut, and text that is ASCII throughout.
    for (const other of [
      `${'😀'.repeat(PIECE_UNITS / 2)}b`,
      `ab${'😀'.repeat(PIECE_UNITS / 2)}`,
      `abc${'😀'.repeat(PIECE_UNITS / 2)}`,
      'Friedrich Merz '.repeat(PIECE_UNITS / 5),
    ]) {
      const encoded = Buffer.from(other, 'utf8');
      expect(await utf8TextInTurns(encoded)).toBe(other);
    }
  });
});
