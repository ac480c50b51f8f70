import { resolve } from 'node:path';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Configuration from the environment (the table in API.md). */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStoreUrl: string | null;
  usersFile: string | null;
  production: boolean;
  /** Largest accepted request body; bigger ones get 413. */
  bodyLimit: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return {
    port,
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.DATA_DIR || './data'),
    eventStoreUrl: env.EVENTSTORE_URL || null,
    usersFile: env.NEWSROOM_USERS_FILE ? resolve(env.NEWSROOM_USERS_FILE) : null,
    production: env.NODE_ENV === 'production',
    // The largest valid body is 500 blocks of 20,000 chars: ~10 MB of ASCII. 16 MB admits it
    // with room for JSON, and keeps one request from exhausting memory.
    bodyLimit: env.BODY_LIMIT || '16mb',
  };
}
