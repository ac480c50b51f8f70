import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { WordDiffResult } from './word-diff';
import diffPairs, { type WordDiffTask } from './word-diff.worker';

/** Texts up to this many characters in all are diffed inline: a worker round trip would cost more. */
const INLINE_CHARS = 4_096;
/** Characters of text sent to the worker in one task (see diff). */
const TASK_CHARS = 1024 * 1024;

const size = ([before, after]: [string, string]) => before.length + after.length;

/**
 * Word diffs off the request loop: one worker thread (this machine class has two cores, one for
 * the event loop), so a diff of maximum-size texts never holds up other requests. Each task is
 * bounded by its budget (see diffPairs).
 */
@Injectable()
export class WordDiffPool implements OnModuleDestroy {
  private readonly pool = new Piscina({
    // Compiled, the worker is a .js file beside this one; under jest or ts-node it is the .ts source.
    filename: join(__dirname, `word-diff.worker${__filename.endsWith('.ts') ? '.ts' : '.js'}`),
    execArgv: __filename.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [],
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 60_000,
  });

  /**
   * The word diff of each [before, after] pair, all within `budgetMs` milliseconds of work,
   * smallest pairs first (see diffPairs). Sent to the worker in tasks of at most TASK_CHARS
   * characters, one after the other under the one deadline: copying 40 million characters to the
   * worker and its answer back in one message held the event loop for 0.2-0.4 s.
   */
  async diff(pairs: Array<[string, string]>, budgetMs: number): Promise<WordDiffResult[]> {
    const chars = pairs.reduce((sum, pair) => sum + size(pair), 0);
    if (chars <= INLINE_CHARS) return diffPairs({ pairs, budgetMs });
    const deadline = Date.now() + budgetMs;
    const results: WordDiffResult[] = new Array(pairs.length);
    const order = pairs.map((_, i) => i).sort((a, b) => size(pairs[a]) - size(pairs[b]));
    for (let start = 0; start < order.length;) {
      let end = start + 1;
      for (let taken = size(pairs[order[start]]); end < order.length && taken + size(pairs[order[end]]) <= TASK_CHARS; end++) taken += size(pairs[order[end]]);
      const indexes = order.slice(start, end);
      const task: WordDiffTask = { pairs: indexes.map((i) => pairs[i]), budgetMs: deadline - Date.now() };
      // Once the budget is spent the answers are the coarse ones, which need no worker.
      const answers = task.budgetMs > 0 ? ((await this.pool.run(task)) as WordDiffResult[]) : diffPairs(task);
      indexes.forEach((i, k) => (results[i] = answers[k]));
      start = end;
    }
    return results;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }
}
