import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { sha256Hex } from '../../src/auth/users';

export const ROOT = resolve(__dirname, '../..');

export interface BenchServer {
  url: string;
  token: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The built server (`root`/dist/, this checkout by default) in a child process on a free port of
 * 127.0.0.1, one editor user, with no rate limit (a benchmark is the runaway script
 * RATE_LIMIT_PER_MINUTE exists to stop). `entry` is the script the child runs, relative to
 * `root`: the server's build by default, or another server that prints the same
 * `listening on <url>` line (bench/lib/floor-server.ts, with nodeArgs loading ts-node).
 */
export async function startServer(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
  root = ROOT,
  entry = 'dist/src/main.js',
): Promise<BenchServer> {
  const token = randomBytes(16).toString('hex');
  const usersFile = join(dataDir, 'bench-users.json');
  writeFileSync(
    usersFile,
    JSON.stringify([{ id: 'bench', name: 'Bench Editor', roles: ['reporter', 'editor', 'standards', 'admin'], tokenSha256: sha256Hex(token) }]),
  );
  // NODE_ENV=production needs an operator's checkpoint signing key, as it needs a users file.
  const keyFile = join(dataDir, 'bench-ledger-key.pem');
  writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const child = spawn(process.execPath, [...nodeArgs, join(root, entry)], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      NEWSROOM_USERS_FILE: usersFile,
      LEDGER_SIGNING_KEY_FILE: keyFile,
      RATE_LIMIT_PER_MINUTE: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const url = await new Promise<string>((done, fail) => {
    child.on('exit', (code) => fail(new Error(`server exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(line);
      if (match) done(match[1]);
    });
  });
  return { url, token, process: child, stop: () => (child.kill('SIGTERM'), exited) };
}

/** A JSON request to the bench server; throws on a non-2xx answer. */
export async function api<T = Record<string, unknown>>(server: BenchServer, method: string, path: string, body?: unknown, revision?: number): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${server.token}`,
      'Content-Type': 'application/json',
      ...(revision === undefined ? {} : { 'If-Match': `"${revision}"` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
