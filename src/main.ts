import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createServer, isIPv6, type AddressInfo } from 'node:net';
import { createApp } from './app.setup';
import { loadConfig } from './config/app-config';
import { startupLogger } from './observability/request-log';
import { GracefulShutdown } from './http/graceful-shutdown';

/** `host:port` as a URL writes it (RFC 3986 §3.2.2): an IPv6 address in brackets. */
function hostAndPort(host: string, port: number): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * Resolves once `port` (a TCP port number, 0-65535; 0: any free one) can be bound on `host`, by
 * binding it and letting it go at once; rejects with an Error naming the address, the system's
 * reason and what to change when it cannot: EADDRINUSE (another process has it), EACCES (a port
 * below 1024 without the privilege), EADDRNOTAVAIL or ENOTFOUND (HOST is no address of this
 * machine). Checked before the app is made, so that a start that cannot listen creates nothing
 * (no development users, signing key or store in DATA_DIR) and prints no tokens. Another process
 * may still take the port in the moment between this check and the app's listen: that start
 * fails at the listen, as it did before this check.
 */
async function ensureCanListen(port: number, host: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      const reason = code === 'EADDRINUSE' ? 'is in use by another process' : `cannot be listened on (${code})`;
      const advice = LISTEN_ADVICE[code];
      reject(new Error(`${hostAndPort(host, port)} ${reason}${advice ? `: ${advice}` : ''}`));
    });
    probe.listen({ port, host }, () => probe.close(() => resolve()));
  });
}

/** What to change when the listen fails with this system error code (ensureCanListen). */
const LISTEN_ADVICE: Readonly<Record<string, string>> = {
  EADDRINUSE: 'set PORT to another, or stop that process',
  EACCES: 'this user may not bind that port; set PORT to another (from 1024 up)',
  EADDRNOTAVAIL: 'HOST is no address of this machine; set HOST to one (e.g. 127.0.0.1)',
  ENOTFOUND: 'HOST is no address of this machine; set HOST to one (e.g. 127.0.0.1)',
};

async function main(): Promise<void> {
  // A setting refused before the app exists is logged as a failed start of the app is (startupLogger).
  Logger.overrideLogger(startupLogger());
  const config = loadConfig();
  await ensureCanListen(config.port, config.host);
  const app = await createApp(config);
  // Before listening: a signal from the first moment on drains and closes (SHUTDOWN_TIMEOUT_MS).
  new GracefulShutdown(app, config.shutdownTimeoutMs).handleSignals();
  await app.listen(config.port, config.host);
  // The bound port, which differs from config.port when PORT=0 asks for any free one.
  const { port } = app.getHttpServer().address() as AddressInfo;
  new Logger('Newsroom').log(
    `listening on http://${hostAndPort(config.host, port)} (event store: ${config.eventStoreUrl ? 'EventStoreDB' : `embedded, ${config.dataDir}`})`,
  );
}

main().catch((error: unknown) => {
  new Logger('Newsroom').error((error as Error).message);
  process.exit(1);
});
