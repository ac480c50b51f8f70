import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createServer, type AddressInfo } from 'node:net';
import { createApp } from './app.setup';
import { loadConfig } from './config/app-config';
import { startupLogger } from './observability/request-log';
import { GracefulShutdown } from './http/graceful-shutdown';

/**
 * Resolves once `port` (a TCP port number, 1-65535; 0 needs no check) can be bound on `host`,
 * by binding it and letting it go at once; rejects with an Error naming the address and the
 * system's reason (EADDRINUSE: "… is in use by another process"; EACCES, EADDRNOTAVAIL) when it
 * cannot. Checked before the app is made, so that a start that cannot listen creates nothing
 * (no development users, signing key or store in DATA_DIR) and prints no tokens. Another process
 * may still take the port in the moment between this check and the app's listen: that start
 * fails at the listen, as it did before this check.
 */
async function ensureCanListen(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is in use by another process' : `cannot be listened on (${error.code ?? error.message})`;
      reject(new Error(`${host}:${port} ${reason}: set PORT (or HOST) to another, or stop that process`));
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

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
    `listening on http://${config.host}:${port} (event store: ${config.eventStoreUrl ? 'EventStoreDB' : `embedded, ${config.dataDir}`})`,
  );
}

main().catch((error: unknown) => {
  new Logger('Newsroom').error((error as Error).message);
  process.exit(1);
});
