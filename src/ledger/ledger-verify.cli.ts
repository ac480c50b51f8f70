import { SingleBar } from 'cli-progress';
import { existsSync, readFileSync } from 'node:fs';
import { EXIT, runCli, UsageError } from '../cli/run-cli';
import { AppConfig, loadConfig } from '../config/app-config';
import { eventsFile, openEventStore } from '../event-store/event-store.module';
import { START } from '../event-store/event-store.port';
import { eventsAfter } from '../read-models/engine/log-meter';
import { checkpointEventData, checkpointOf, type Checkpoint } from './checkpoint';
import { verifyLedger, type LedgerReport } from './ledger-verify';
import { loadVerifyingKey } from './signing-key';

const USAGE = `Usage: npm run ledger:verify [-- [--checkpoint <file>] [--key <pem file>]]

Recomputes every article stream's hash chain and every signed checkpoint from the log, checks
every signature, and names each event altered, removed, inserted or reordered (stream, revision,
log position), the first one first. Reads DATA_DIR/events.sqlite (DATA_DIR defaults to ./data),
or EventStoreDB when EVENTSTORE_URL is set; it only reads, and runs beside a server.

  --checkpoint <file>  also check a checkpoint saved earlier (JSON, as GET /api/ledger/checkpoints
                       gave it) against today's log: the log must still give its signed root.
  --key <pem file>     the public key (or the private key) the checkpoints are signed with;
                       default LEDGER_SIGNING_KEY_FILE, else DATA_DIR/ledger-signing-key.pem.

Events written before the chain existed are reported as unchained: their hashes are computed
from what they hold, so later chained events and checkpoints seal them as they were then.
Progress goes to stderr.

Exit codes: 0 the log is intact; 1 something was found (or the store failed); 2 usage or
configuration (an unknown option, a missing file, no event store in DATA_DIR).`;

function parseArgs(args: string[]): { checkpointFile?: string; keyFile?: string } {
  const options: { checkpointFile?: string; keyFile?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    if ((args[i] === '--checkpoint' || args[i] === '--key') && value !== undefined && !value.startsWith('--')) {
      if (args[i] === '--checkpoint') options.checkpointFile = value;
      else options.keyFile = value;
      i++;
    } else {
      throw new UsageError(`Unexpected argument: ${args[i]}`);
    }
  }
  return options;
}

function readCheckpointFile(file: string): Checkpoint {
  if (!existsSync(file)) throw new UsageError(`No checkpoint file at ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const data = checkpointEventData({ changedHeads: [], ...(parsed as object) });
  if (!data) throw new UsageError(`${file} is not a checkpoint as GET /api/ledger/checkpoints gives it`);
  return checkpointOf(data);
}

function requireEventStore(config: AppConfig): void {
  if (config.eventStoreUrl) return;
  const file = eventsFile(config.dataDir);
  if (!existsSync(file)) throw new UsageError(`No event store at ${file}: DATA_DIR must name the server's data directory (or set EVENTSTORE_URL).`);
}

/** The report as lines for stdout. */
export function reportLines(report: LedgerReport): string[] {
  const lines = report.findings.map(
    (f) =>
      `${f.kind.toUpperCase()} ${f.stream}${f.revision === null ? '' : ` revision ${f.revision}`}${f.position === null ? '' : ` at position ${f.position}`}: ${f.detail}`,
  );
  const summary =
    `${report.events} events, ${report.articleStreams} article streams (${report.chainedEvents} chained events, ` +
    `${report.unchainedEvents} unchained, written before the chain), ${report.checkpoints} checkpoints, ` +
    `key ${report.keyId ?? 'none'}`;
  // The log alone cannot show a rewrite that recomputed every hash and dropped the checkpoints after it.
  const warning =
    report.checkpoints === 0
      ? ['WARNING: no checkpoint in the log, so nothing here is signed; verify against a checkpoint saved outside (--checkpoint <file>)']
      : [];
  if (report.findings.length === 0) return [...warning, `Intact: ${summary}`];
  const [first] = report.findings;
  return [
    ...lines,
    `TAMPERED: ${report.findings.length} finding(s); first: ${first.kind} ${first.stream}${first.revision === null ? '' : ` revision ${first.revision}`}` +
      `${first.position === null ? '' : ` at position ${first.position}`}. ${summary}`,
  ];
}

async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  const config = loadConfig();
  const outsider = options.checkpointFile ? readCheckpointFile(options.checkpointFile) : undefined;
  let publicKey;
  try {
    publicKey = loadVerifyingKey(config, options.keyFile);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  requireEventStore(config);
  const store = await openEventStore(config);
  const bar = new SingleBar({ stream: process.stderr, format: 'ledger:verify [{bar}] {value}/{total} events', hideCursor: true, noTTYOutput: false });
  try {
    bar.start(await eventsAfter(store, START, await store.headPosition()), 0);
    const report = await verifyLedger(store, {
      publicKey,
      outsider,
      progress: (events) => (events > bar.getTotal() ? bar.setTotal(events) : undefined, bar.update(events)),
    });
    bar.stop();
    for (const line of reportLines(report)) process.stdout.write(`${line}\n`);
    return report.findings.length === 0 ? EXIT.ok : EXIT.problem;
  } finally {
    bar.stop();
    await store.close();
  }
}

if (require.main === module) runCli(USAGE, main);
