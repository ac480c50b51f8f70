import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { loadConfig } from './config/app-config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('Newsroom').log(
    `listening on http://${config.host}:${config.port} (event store: ${config.eventStoreUrl ? 'EventStoreDB' : `embedded, ${config.dataDir}`})`,
  );
}

main().catch((error: unknown) => {
  new Logger('Newsroom').error((error as Error).message);
  process.exit(1);
});
