import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { WordDiffResult } from './word-diff';
import diffPairs, { type WordDiffTask } from './word-diff.worker';

/** Texts up to this many characters in all are diffed inline: a worker round trip would cost more. */
const INLINE_CHARS = 4_096;

/**
 * Word diffs off the request loop: one worker thread (this machine class has two cores, one for
 * the event loop), so a diff of maximum-size texts never holds up other requests. Each task is
 * bounded by its budget (see diffPairs).
 */
@Injectable()
export class WordDiffPool implements OnModuleDestroy {
  private readonly pool = new Piscina({
    // Compiled, the worker is a .js file beside this one; under ts-jest or ts-node it is the .ts source.
    filename: join(__dirname, `word-diff.worker${__filename.endsWith('.ts') ? '.ts' : '.js'}`),
    execArgv: __filename.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [],
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 60_000,
  });

  /** The word diff of each [before, after] pair, all within `budgetMs` milliseconds of work. */
  async diff(pairs: Array<[string, string]>, budgetMs: number): Promise<WordDiffResult[]> {
    const task: WordDiffTask = { pairs, budgetMs };
    const chars = pairs.reduce((sum, [before, after]) => sum + before.length + after.length, 0);
    if (chars <= INLINE_CHARS) return diffPairs(task);
    return (await this.pool.run(task)) as WordDiffResult[];
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }
}
