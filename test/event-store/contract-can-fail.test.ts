import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../support/temp-dir';

interface JestJson {
  numFailedTests: number;
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}

/** The contract suite is only worth something if a wrong adapter fails it. */
describe('the event-store contract suite', () => {
  it('fails an adapter that ignores the expected revision', () => {
    const out = tempDir('newsroom-contract-run-');
    const results = join(out.path, 'results.json');
    const root = resolve(__dirname, '../..');
    try {
      execFileSync(
        process.execPath,
        [
          require.resolve('jest/bin/jest'),
          '--runInBand',
          '--ci',
          '--json',
          `--outputFile=${results}`,
          '--testMatch',
          '**/ignores-expected-revision.adapter-run.ts',
        ],
        { cwd: root, stdio: 'ignore' },
      );
    } catch {
      // jest exits non-zero when tests fail, which is what this test expects.
    }
    const report = JSON.parse(readFileSync(results, 'utf8')) as JestJson;
    out.remove();
    const failed = report.testResults
      .flatMap((r) => r.assertionResults)
      .filter((a) => a.status === 'failed')
      .map((a) => a.fullName);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringContaining('no_stream creates a stream and refuses an existing one'),
        expect.stringContaining('an exact revision appends only when the stream is at it'),
        expect.stringContaining('exactly one wins'),
      ]),
    );
  }, 60000);
});
