import { tookWake, wakeWorker } from './projection-thread';

describe('wakeWorker', () => {
  it('asks for one message until the worker takes the wake, then for one again', () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    expect(wakeWorker(flag)).toBe(true);
    expect(wakeWorker(flag)).toBe(false);
    expect(wakeWorker(flag)).toBe(false);
    tookWake(flag);
    expect(wakeWorker(flag)).toBe(true);
    expect(wakeWorker(flag)).toBe(false);
  });
});
