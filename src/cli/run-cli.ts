/** Exit codes of every CLI: 0 done and sound, 1 a problem found or the work refused, 2 usage or configuration. */
export const EXIT = { ok: 0, problem: 1, usage: 2 } as const;

/** Wrong arguments or configuration: the CLI prints the message and its usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Runs a CLI's `main(args)` (arguments after the script name) and exits with the code it returns.
 * `--help` or `-h` prints `usage` and exits 0; a UsageError exits 2; any other error prints its
 * message (its stack when NEWSROOM_DEBUG is set) and exits 1.
 */
export function runCli(usage: string, main: (args: string[]) => Promise<number>): void {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    process.exit(EXIT.ok);
  }
  main(args).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n\n${usage}\n`);
        process.exit(EXIT.usage);
      }
      const text = error instanceof Error ? (process.env.NEWSROOM_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
      process.stderr.write(`${text}\n`);
      process.exit(EXIT.problem);
    },
  );
}
