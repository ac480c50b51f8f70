import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { GracefulShutdown } from '../../src/http/graceful-shutdown';
import { startTestApp, TestApp } from '../support/test-app';

/** A Nest Logger that keeps what it is given. */
class CapturingLogger extends Logger {
  readonly lines: string[] = [];
  override log(message: string): void {
    this.lines.push(`log ${message}`);
  }
  override error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

describe('graceful shutdown bounded by its timeout', () => {
  let t: TestApp;
  beforeEach(async () => (t = await startTestApp()));
  afterEach(() => t.close());

  it('cuts a request that does not finish in time, says so, and resolves 1', async () => {
    const logger = new CapturingLogger();
    const shutdown = new GracefulShutdown(t.app, 300, logger);
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    // A body announced and never sent: the request stays in flight.
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    // With a valid token: a body without one is refused (401) before it is read.
    socket.write(
      `POST /api/articles HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.auth('reporter')}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`,
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    expect(shutdown.requestsInFlight).toBe(1);

    expect(await shutdown.shutdown('test')).toBe(1);
    await closed;
    expect(logger.lines).toEqual([
      'log test: shutting down; no new connections, 1 request(s) in flight (at most 300 ms)',
      'error 1 request(s) still running after 300 ms: closing their connections',
    ]);
  });

  it('resolves 0 at once with nothing in flight, and a second call gets the same answer', async () => {
    const logger = new CapturingLogger();
    const shutdown = new GracefulShutdown(t.app, 5_000, logger);
    await t.app.listen(0, '127.0.0.1');
    expect(await shutdown.shutdown('test')).toBe(0);
    expect(await shutdown.shutdown('again')).toBe(0);
    expect(logger.lines[logger.lines.length - 1]).toMatch(/^log shut down in \d+ ms$/);
  });
});
