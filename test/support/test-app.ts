import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.setup';
import { sha256Hex } from '../../src/auth/users';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { tempDir } from './temp-dir';

export const TEST_USERS = {
  reporter: { id: 'u-reporter', name: 'Rita Reporter', roles: ['reporter'], token: 'reporter-token' },
  editor: { id: 'u-editor', name: 'Eddie Editor', roles: ['reporter', 'editor'], token: 'editor-token' },
  standards: { id: 'u-standards', name: 'Sam Standards', roles: ['standards'], token: 'standards-token' },
  admin: { id: 'u-admin', name: 'Ada Admin', roles: ['admin'], token: 'admin-token' },
} as const;

export type TestRole = keyof typeof TEST_USERS;

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  tokens: Record<TestRole, string>;
  /** "Bearer <token>" for a role, for `.set('Authorization', auth('editor'))`. */
  auth(role: TestRole): string;
  eventStore: EventStore;
  config: AppConfig;
  dataDir: string;
  /** Stops the app; its temp DATA_DIR is removed unless keepData (to restart on it). */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** The real application on a temp DATA_DIR (or the one given, to restart on the same data). */
export async function startTestApp(
  options: { dataDir?: string; env?: NodeJS.ProcessEnv; removeDataDirOnClose?: boolean; logDestination?: DestinationStream } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? tempDir('newsroom-e2e-').path;
  const removeOnClose = options.removeDataDirOnClose ?? !options.dataDir;
  const usersFile = join(dataDir, 'test-users.json');
  writeFileSync(usersFile, JSON.stringify(Object.values(TEST_USERS).map(({ token, ...u }) => ({ ...u, tokenSha256: sha256Hex(token) }))));
  // No rate limit unless a test asks for one: many tests are, by design, scripts in a loop. No
  // ledger checkpoint on a timer either: a test that outlasts the interval (60 s, on a loaded
  // machine) would find a checkpoint event in a log it expects untouched; ledger tests sign on
  // demand, or set the interval.
  const config = loadConfig({
    DATA_DIR: dataDir,
    NEWSROOM_USERS_FILE: usersFile,
    RATE_LIMIT_PER_MINUTE: '0',
    LEDGER_CHECKPOINT_INTERVAL_SECONDS: '0',
    ...options.env,
  });
  // Silent unless the test captures the log.
  const app = await createApp(config, options.logDestination ? { logDestination: options.logDestination } : { logger: false });
  await app.init();
  // Fastify's plugins and routes load on ready(); supertest's requests go straight to its server.
  await app.getHttpAdapter().getInstance().ready();
  const tokens = Object.fromEntries(Object.entries(TEST_USERS).map(([role, u]) => [role, u.token])) as Record<TestRole, string>;
  return {
    app,
    http: request(app.getHttpServer()),
    tokens,
    auth: (role) => `Bearer ${tokens[role]}`,
    eventStore: app.get<EventStore>(EVENT_STORE),
    config,
    dataDir,
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (removeOnClose && !keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
