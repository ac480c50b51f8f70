import { idempotencyBehaviour } from '../support/idempotency.behaviour';
import { startTestApp, TestApp } from '../support/test-app';

/** Idempotency-Key on the embedded store: one server per store, restarted on the same DATA_DIR. */
describe('Idempotency-Key (e2e, embedded store)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ removeDataDirOnClose: true })));
  afterAll(async () => t.close());

  idempotencyBehaviour(
    () => [t],
    async () => {
      await t.close({ keepData: true });
      t = await startTestApp({ dataDir: t.dataDir, removeDataDirOnClose: true });
    },
  );
});
