import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * Runs a TypeScript file in a child Node process (transpile-only ts-node), from the repo root.
 * Its stdout and stderr are pipes; its stdin too with `stdin: 'pipe'` (ignored by default).
 */
export function spawnTs(
  file: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  { stdin = 'ignore' }: { stdin?: 'ignore' | 'pipe' } = {},
): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', resolve(ROOT, file), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

/** Resolves with each line the child prints on stdout, until `until` returns true for one. */
export function readLinesUntil(child: ChildProcess, until: (line: string) => boolean): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        lines.push(line);
        if (until(line)) return resolvePromise(lines);
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) early: ${stderr}`)));
  });
}
