import { startupLogger } from './request-log';

/** What startupLogger's logger writes to stdout, as ConsoleLogger writes it there (process.stdout.write). */
function logged(logger: ReturnType<typeof startupLogger>): string {
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write);
  try {
    logger.log('Starting', 'NestFactory');
  } finally {
    write.mockRestore();
  }
  return out;
}

describe('startupLogger', () => {
  const terminal = { isTTY: true };
  // A file or a pipe: no isTTY.
  const file: { isTTY?: boolean } = {};

  it('writes JSON lines without ANSI colours when either stream is not a terminal (stdout or stderr sent to a file)', () => {
    for (const streams of [
      [file, file],
      [terminal, file],
      [file, terminal],
    ]) {
      const line = logged(startupLogger(streams));
      expect(line).not.toContain('\u001b[');
      expect(JSON.parse(line)).toMatchObject({ level: 'log', message: 'Starting', context: 'NestFactory' });
    }
  });

  it('writes text, in colour unless NO_COLOR is set, when both are terminals', () => {
    const before = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      const coloured = logged(startupLogger([terminal, terminal]));
      expect(coloured).toContain('\u001b[32m[Nest]');
      expect(coloured).toContain('Starting');
      process.env.NO_COLOR = '1';
      const plain = logged(startupLogger([terminal, terminal]));
      expect(plain).toMatch(/\[Nest\].*Starting/);
      expect(plain).not.toContain('\u001b[');
    } finally {
      if (before === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = before;
    }
  });
});
