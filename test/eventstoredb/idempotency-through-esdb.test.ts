import { join } from 'node:path';
import { idempotencyBehaviour } from '../support/idempotency.behaviour';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp } from '../support/test-app';
import { EsdbTestServer, startEsdbTestServer } from './esdb-test-server';

/**
 * Idempotency-Key on EventStoreDB (through the protocol test server), with copies of each
 * request spread over two application servers on the one store: nothing in one process's memory
 * can keep them apart, only the store.
 */
describe('Idempotency-Key (e2e, EventStoreDB test double, two servers)', () => {
  const dir = tempDir('newsroom-esdb-idempotency-');
  let esdb: EsdbTestServer;
  let apps: TestApp[] = [];
  const start = async () => {
    apps = [await startTestApp({ env: { EVENTSTORE_URL: esdb.url } }), await startTestApp({ env: { EVENTSTORE_URL: esdb.url } })];
  };
  const stop = async () => {
    await Promise.all(apps.map((app) => app.close()));
  };

  beforeAll(async () => {
    esdb = await startEsdbTestServer({ file: join(dir.path, 'esdb.sqlite') });
    await start();
  });
  afterAll(async () => {
    await stop();
    await esdb.stop();
    dir.remove();
  });

  idempotencyBehaviour(
    () => apps,
    async () => {
      await stop();
      await start();
    },
  );
});
