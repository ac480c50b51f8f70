import { AllSubscription, RecordedEvent } from '../../src/event-store/event-store.port';

/**
 * Consumes a subscription in the background, up to a limit it can be told to raise. A
 * receiver held at its limit stops pulling, so events the client has already buffered stay
 * undelivered: exactly the ones a dropped connection would lose if resuming were wrong.
 */
export class Receiver {
  readonly events: RecordedEvent[] = [];
  private limit: number;
  private wake: (() => void) | null = null;
  private readonly waiters: Array<{ count: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  private failure: unknown = null;
  readonly done: Promise<void>;

  constructor(
    private readonly subscription: AllSubscription,
    limit = Infinity,
  ) {
    this.limit = limit;
    this.done = this.consume();
  }

  get ids(): string[] {
    return this.events.map((e) => e.id);
  }

  /** Resolves once `count` events have arrived; rejects if the subscription fails first. */
  until(count: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ count, resolve, reject }));
  }

  allow(limit: number): void {
    this.limit = limit;
    this.wake?.();
  }

  /** Closes the subscription; rejects if it had failed. */
  async close(): Promise<void> {
    await this.subscription.close();
    this.allow(Infinity);
    await this.done;
    if (this.failure) throw this.failure;
  }

  private async consume(): Promise<void> {
    try {
      for await (const event of this.subscription) {
        this.events.push(event);
        for (const waiter of this.waiters.filter((w) => this.events.length >= w.count)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        while (this.events.length >= this.limit) await new Promise<void>((resolve) => (this.wake = resolve));
      }
      const ended = new Error(`The subscription ended after ${this.events.length} events`);
      for (const waiter of this.waiters.splice(0)) waiter.reject(ended);
    } catch (error) {
      this.failure = error;
      for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    }
  }
}
