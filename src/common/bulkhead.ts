import { ServerBusyError } from './app-error';

/**
 * Bounds how many tasks of one costly kind run at once, and how many may wait: a burst of them
 * (64 parallel diffs of maximum-size articles) queues instead of holding 64 folds in memory, and
 * beyond the queue is refused at once with ServerBusyError (503, Retry-After) instead of waiting
 * minutes. Tasks start in arrival order.
 */
export class Bulkhead {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly name: string,
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  /** Runs `task` when a place is free; throws ServerBusyError when `queue` tasks already wait. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        throw new ServerBusyError(`The server is busy with other ${this.name}; retry in a moment`, 1);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // The place passes straight to the next waiter, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
