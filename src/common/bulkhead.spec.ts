import { Bulkhead } from './bulkhead';
import { ServerBusyError } from './app-error';

describe('Bulkhead', () => {
  it('runs at most `concurrency` tasks at once, queues up to `queue` more in order, and refuses the rest at once', async () => {
    const bulkhead = new Bulkhead('diffs', { concurrency: 2, queue: 2 });
    const gates: Array<() => void> = [];
    const started: number[] = [];
    const task = (i: number) => () =>
      new Promise<number>((resolve) => {
        started.push(i);
        gates.push(() => resolve(i));
      });
    const runs = [0, 1, 2, 3].map((i) => bulkhead.run(task(i)));
    await expect(bulkhead.run(task(4))).rejects.toBeInstanceOf(ServerBusyError);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[0]();
    await runs[0];
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[1]();
    gates[2]();
    await new Promise<void>((resolve) => setImmediate(resolve));
    gates[3]();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3]);
  });

  it('frees its place when a task fails', async () => {
    const bulkhead = new Bulkhead('diffs', { concurrency: 1, queue: 0 });
    await expect(bulkhead.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(bulkhead.run(async () => 'yes')).resolves.toBe('yes');
  });

  it('says when to retry', async () => {
    const bulkhead = new Bulkhead('diffs', { concurrency: 1, queue: 0 });
    let release!: () => void;
    const first = bulkhead.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(bulkhead.run(async () => undefined)).rejects.toMatchObject({ code: 'SERVER_BUSY', retryAfterSeconds: 1 });
    release();
    await first;
  });

  /** A task that starts when run and ends when its gate is opened. */
  function gated(started: string[], gates: Map<string, () => void>) {
    return (name: string) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        gates.set(name, () => resolve(name));
      });
  }
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("takes turns between owners: one user's burst does not hold another user's task behind all of it", async () => {
    const bulkhead = new Bulkhead('diffs', { concurrency: 1, queue: 10 });
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    const task = gated(started, gates);
    const runs = [bulkhead.run(task('a0'), 'alice'), bulkhead.run(task('a1'), 'alice'), bulkhead.run(task('a2'), 'alice'), bulkhead.run(task('a3'), 'alice')];
    runs.push(bulkhead.run(task('b0'), 'bob'));
    for (const name of ['a0', 'a1', 'b0', 'a2', 'a3']) {
      await tick();
      expect(started[started.length - 1]).toBe(name);
      gates.get(name)!();
    }
    await Promise.all(runs);
    expect(started).toEqual(['a0', 'a1', 'b0', 'a2', 'a3']);
  });

  it("refuses an owner's task beyond its share of the queue, while others still queue", async () => {
    const bulkhead = new Bulkhead('diffs', { concurrency: 1, queue: 10, queuePerOwner: 2 });
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    const task = gated(started, gates);
    const runs = [bulkhead.run(task('a0'), 'alice'), bulkhead.run(task('a1'), 'alice'), bulkhead.run(task('a2'), 'alice')];
    await expect(bulkhead.run(task('a3'), 'alice')).rejects.toBeInstanceOf(ServerBusyError);
    runs.push(bulkhead.run(task('b0'), 'bob'));
    for (const name of ['a0', 'a1', 'b0', 'a2']) {
      await tick();
      gates.get(name)!();
    }
    await expect(Promise.all(runs)).resolves.toEqual(['a0', 'a1', 'a2', 'b0']);
  });

  it('refuses a task that waited longer than maxWaitMs, with Retry-After, and keeps serving the rest', async () => {
    jest.useFakeTimers();
    try {
      const bulkhead = new Bulkhead('diffs', { concurrency: 1, queue: 10, maxWaitMs: 15_000 });
      let release!: () => void;
      const first = bulkhead.run(() => new Promise<void>((resolve) => (release = resolve)));
      const waiting = bulkhead.run(async () => 'late', 'bob');
      jest.advanceTimersByTime(15_001);
      await expect(waiting).rejects.toMatchObject({ code: 'SERVER_BUSY', retryAfterSeconds: 15 });
      release();
      await first;
      await expect(bulkhead.run(async () => 'next', 'bob')).resolves.toBe('next');
    } finally {
      jest.useRealTimers();
    }
  });
});
