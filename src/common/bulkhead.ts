import { ServerBusyError } from './app-error';

/** How a Bulkhead shares its places: limits per kind of task (all counts are tasks, times in ms). */
export interface BulkheadLimits {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting at most, all owners together. */
  queue: number;
  /** Tasks one owner may have waiting; its next one is refused at once. Default: `queue`. */
  queuePerOwner?: number;
  /** Longest a task waits for a place before it is refused (503). Default: no bound. */
  maxWaitMs?: number;
}

interface Waiter {
  start: () => void;
  refuse: (error: ServerBusyError) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Bounds how many tasks of one costly kind run at once, and how many may wait: a burst of them
 * (64 parallel diffs of maximum-size articles) queues instead of holding 64 folds in memory.
 * Beyond the queue, beyond an owner's share of it, or after `maxWaitMs` of waiting, a task is
 * refused with ServerBusyError (503 with Retry-After) instead of waiting minutes.
 *
 * Places go round-robin between owners (a user id), each owner's tasks in arrival order, so one
 * user's burst of diffs delays another user's history read by at most one task per owner ahead
 * of it, not by the whole burst (issue 10 §3: no request can monopolise the server).
 */
export class Bulkhead {
  private running = 0;
  private waitingCount = 0;
  /** Owner → its waiting tasks; Map order is the round-robin order (an owner served moves to the back). */
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly limits: Required<BulkheadLimits>;

  constructor(
    private readonly name: string,
    limits: BulkheadLimits,
  ) {
    this.limits = { queuePerOwner: limits.queue, maxWaitMs: Infinity, ...limits };
  }

  /**
   * Runs `task` when a place is free, taking turns with other owners.
   * @throws ServerBusyError when the queue, or `owner`'s share of it, is full, or the wait passes `maxWaitMs`.
   */
  async run<T>(task: () => Promise<T>, owner = ''): Promise<T> {
    if (this.running >= this.limits.concurrency) {
      const own = this.waiting.get(owner) ?? [];
      if (this.waitingCount >= this.limits.queue || own.length >= this.limits.queuePerOwner) {
        throw this.busy(1);
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { start: resolve, refuse: reject };
        if (Number.isFinite(this.limits.maxWaitMs)) {
          waiter.timer = setTimeout(() => this.giveUp(owner, waiter), this.limits.maxWaitMs);
        }
        own.push(waiter);
        this.waiting.set(owner, own);
        this.waitingCount++;
      });
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // The place passes straight to the next owner's first waiter, or is freed.
      const next = this.nextWaiter();
      if (next) next.start();
      else this.running--;
    }
  }

  private nextWaiter(): Waiter | undefined {
    for (const [owner, queue] of this.waiting) {
      const waiter = queue.shift()!;
      this.waiting.delete(owner);
      if (queue.length > 0) this.waiting.set(owner, queue);
      this.waitingCount--;
      clearTimeout(waiter.timer);
      return waiter;
    }
    return undefined;
  }

  private giveUp(owner: string, waiter: Waiter): void {
    const queue = this.waiting.get(owner);
    const index = queue?.indexOf(waiter) ?? -1;
    if (index < 0) return;
    queue!.splice(index, 1);
    if (queue!.length === 0) this.waiting.delete(owner);
    this.waitingCount--;
    waiter.refuse(this.busy(Math.max(1, Math.ceil(this.limits.maxWaitMs / 1000))));
  }

  private busy(retryAfterSeconds: number): ServerBusyError {
    return new ServerBusyError(`The server is busy with other ${this.name}; retry in a moment`, retryAfterSeconds);
  }
}
