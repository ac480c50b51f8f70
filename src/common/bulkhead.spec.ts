import { Bulkhead } from './bulkhead';
import { ServerBusyError } from './app-error';

describe('Bulkhead', () => {
  it('runs at most `concurrency` tasks at once, queues up to `queue` more in order, and refuses the rest at once', async () => {
    const bulkhead = new Bulkhead('diffs', 2, 2);
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
    const bulkhead = new Bulkhead('diffs', 1, 0);
    await expect(bulkhead.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(bulkhead.run(async () => 'yes')).resolves.toBe('yes');
  });

  it('says when to retry', async () => {
    const bulkhead = new Bulkhead('diffs', 1, 0);
    let release!: () => void;
    const first = bulkhead.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(bulkhead.run(async () => undefined)).rejects.toMatchObject({ code: 'SERVER_BUSY', retryAfterSeconds: 1 });
    release();
    await first;
  });
});
