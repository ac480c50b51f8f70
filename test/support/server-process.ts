import { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { sha256Hex } from '../../src/auth/users';
import { readLinesUntil, spawnTs } from './spawn-ts';
import { TEST_USERS } from './test-app';

/** Writes the test users (tokens as in TEST_USERS) to `file`, for servers in child processes. */
export function writeUsersFile(file: string): void {
  writeFileSync(file, JSON.stringify(Object.values(TEST_USERS).map(({ token, ...u }) => ({ ...u, tokenSha256: sha256Hex(token) }))));
}

/** The real server (src/main.ts) in a child process, on any free port, without a rate limit (tests write in loops). */
export function spawnServer(dataDir: string, usersFile: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawnTs('src/main.ts', [], { DATA_DIR: dataDir, PORT: '0', NEWSROOM_USERS_FILE: usersFile, NO_COLOR: '1', RATE_LIMIT_PER_MINUTE: '0', ...env });
}

/** Resolves with the port once the server logs that it listens. */
export async function listening(server: ChildProcess): Promise<number> {
  const lines = await readLinesUntil(server, (line) => /listening on http:\/\/[\d.]+:\d+/.test(line));
  return Number(/listening on http:\/\/[\d.]+:(\d+)/.exec(lines[lines.length - 1])![1]);
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Everything a child prints until it exits, and how it exited. */
export function exitOf(child: ChildProcess): Promise<Exited> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Runs a CLI (a TypeScript file under src/) to its end. */
export function runCliFile(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Exited> {
  return exitOf(spawnTs(file, args, env));
}
