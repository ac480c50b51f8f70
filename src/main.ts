import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.setup';
import { loadConfig } from './config/app-config';
import { startupLogger } from './observability/request-log';
import { GracefulShutdown } from './http/graceful-shutdown';

async function main(): Promise<void> {
  // A setting refused before the app exists is logged as a failed start of the app is (startupLogger).
  Logger.overrideLogger(startupLogger());
  const config = loadConfig();
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
