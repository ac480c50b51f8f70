import { INestApplication, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** The signals an orchestrator (SIGTERM) or a terminal (SIGINT, Ctrl-C) stops the server with. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Stops the server without losing an acknowledged command or leaving one half-done:
 * 1. stop accepting connections (the listening socket closes, idle keep-alive ones too);
 * 2. let every request in flight finish, each command either acknowledged (its append durable,
 *    the store fsyncs before it answers) or refused; their connections close after the response;
 * 3. close the application: the projection runtime stops after the batch it is applying (a batch
 *    and its checkpoint are one transaction), the event store commits the appends it has accepted
 *    and closes, the DATA_DIR lock is released.
 * All of it within `timeoutMs`; past it, the connections left are cut and the exit code is 1.
 * Every step is logged. Nest's own enableShutdownHooks() is not used: it closes the modules
 * (the store among them) before the HTTP server, and re-raises the signal instead of exiting 0.
 */
export class GracefulShutdown {
  private readonly inFlight = new Set<ServerResponse>();
  private readonly server: Server;
  private draining = false;
  private drained: (() => void) | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly app: INestApplication,
    private readonly timeoutMs: number,
    private readonly logger = new Logger('Shutdown'),
  ) {
    this.server = app.getHttpServer() as Server;
    // Before Fastify sees the request: every response is counted, whatever route or middleware answers.
    this.server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => this.track(response));
  }

  /** Runs shutdown() on SIGTERM or SIGINT and exits with its code; a second signal exits 1 at once. */
  handleSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    for (const signal of SHUTDOWN_SIGNALS) {
      process.on(signal, () => {
        if (this.running) {
          this.logger.warn(`${signal} again: exiting now, without waiting`);
          return exit(1);
        }
        void this.shutdown(signal).then(exit);
      });
    }
  }

  /** The number of requests whose response has not finished. */
  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  /** Shuts down once (later calls get the same result): resolves 0 when done in time, 1 otherwise. */
  shutdown(reason: string): Promise<number> {
    this.running ??= this.run(reason);
    return this.running;
  }

  private track(response: ServerResponse): void {
    this.inFlight.add(response);
    if (this.draining) response.setHeader('Connection', 'close');
    response.once('close', () => {
      this.inFlight.delete(response);
      if (this.inFlight.size === 0) this.drained?.();
    });
  }

  private async run(reason: string): Promise<number> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.timeoutMs)));
    try {
      this.draining = true;
      this.logger.log(`${reason}: shutting down; no new connections, ${this.inFlight.size} request(s) in flight (at most ${this.timeoutMs} ms)`);
      for (const response of this.inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
      this.server.close();
      this.server.closeIdleConnections();
      const requests = this.inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.drained = resolve));
      if ((await Promise.race([requests, timedOut])) === 'timeout') {
        this.logger.error(`${this.inFlight.size} request(s) still running after ${this.timeoutMs} ms: closing their connections`);
        this.server.closeAllConnections();
        return 1;
      }
      this.server.closeIdleConnections();
      this.logger.log('requests finished; stopping the read models and closing the event store');
      if ((await Promise.race([this.app.close(), timedOut])) === 'timeout') {
        this.logger.error(`the application did not close within ${this.timeoutMs} ms`);
        return 1;
      }
      this.logger.log(`shut down in ${Date.now() - started} ms`);
      return 0;
    } catch (error) {
      this.logger.error(`shutdown failed: ${(error as Error).message}`, (error as Error).stack);
      return 1;
    } finally {
      clearTimeout(timer);
    }
  }
}
