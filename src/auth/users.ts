import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../common/data-dir';
import { AuthenticatedUser, Role, ROLES } from './roles';

export interface UserRecord extends AuthenticatedUser {
  tokenSha256: string;
}

export const USER_DIRECTORY = Symbol('USER_DIRECTORY');

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Users by the sha-256 of their token: a token is never stored, only its hash. */
export class UserDirectory {
  private readonly byTokenHash: Map<string, AuthenticatedUser>;

  constructor(users: UserRecord[]) {
    this.byTokenHash = new Map(users.map((u) => [u.tokenSha256.toLowerCase(), { id: u.id, name: u.name, roles: u.roles }]));
  }

  authenticate(token: string): AuthenticatedUser | null {
    return this.byTokenHash.get(sha256Hex(token)) ?? null;
  }
}

export function parseUsersFile(text: string, source: string): UserRecord[] {
  const fail = (why: string): never => {
    throw new Error(`Users file ${source}: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) return fail('expected an array of users');
  return parsed.map((entry: unknown, i): UserRecord => {
    const u = entry as Partial<Record<keyof UserRecord, unknown>>;
    if (typeof u?.id !== 'string' || !u.id) fail(`user ${i}: "id" must be a non-empty string`);
    if (typeof u.name !== 'string' || !u.name) fail(`user ${i}: "name" must be a non-empty string`);
    if (!Array.isArray(u.roles) || !u.roles.every((r) => (ROLES as readonly unknown[]).includes(r))) {
      fail(`user ${i}: "roles" must list some of ${ROLES.join(', ')}`);
    }
    if (typeof u.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(u.tokenSha256)) {
      fail(`user ${i}: "tokenSha256" must be 64 hex digits`);
    }
    return { id: u.id as string, name: u.name as string, roles: u.roles as Role[], tokenSha256: u.tokenSha256 as string };
  });
}

const DEV_USERS: Array<Omit<UserRecord, 'tokenSha256' | 'id'>> = [
  { name: 'Rita Reporter', roles: ['reporter'] },
  { name: 'Eddie Editor', roles: ['reporter', 'editor'] },
  { name: 'Sam Standards', roles: ['standards'] },
  { name: 'Ada Admin', roles: ['admin'] },
];

/**
 * The users file named by NEWSROOM_USERS_FILE; without one, a development users file in DATA_DIR,
 * created on first start with fresh tokens that are printed once (never under NODE_ENV=production).
 */
export function loadUsers(config: AppConfig, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): UserRecord[] {
  if (config.usersFile) return parseUsersFile(readFileSync(config.usersFile, 'utf8'), config.usersFile);
  if (config.production) {
    throw new Error('NEWSROOM_USERS_FILE is required when NODE_ENV=production; refusing to create development users');
  }
  const file = join(config.dataDir, 'dev-users.json');
  if (existsSync(file)) {
    print(`Development users from ${file} (delete it to get new tokens).`);
    return parseUsersFile(readFileSync(file, 'utf8'), file);
  }
  ensurePrivateDir(config.dataDir);
  const created = DEV_USERS.map((u) => ({ ...u, id: randomUUID(), token: randomBytes(24).toString('base64url') }));
  const records: UserRecord[] = created.map(({ token, ...u }) => ({ ...u, tokenSha256: sha256Hex(token) }));
  writeFileSync(file, JSON.stringify(records, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
  // The mode above is filtered by the umask; chmod makes it exactly 0600.
  chmodSync(file, PRIVATE_FILE_MODE);
  print(`No NEWSROOM_USERS_FILE: created development users in ${file}. Their tokens, shown only now:`);
  for (const u of created) print(`  ${u.roles.join('+').padEnd(16)} ${u.name.padEnd(14)} Bearer ${u.token}`);
  return records;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const looked = new WeakMap<object, AuthenticatedUser | null>();

/**
 * The user that a request's `Authorization: Bearer <token>` header (RFC 6750 §2.1) names, or
 * null for no header, another scheme or an unknown token. Looked up once per request and
 * remembered for it, so the rate limit (which runs first) and the bearer guard share one lookup.
 */
export function requestUser(request: { headers: { authorization?: string } }, users: UserDirectory): AuthenticatedUser | null {
  // Fastify's request and Node's (in middleware) share one lookup.
  const key = (request as { raw?: object }).raw ?? request;
  const known = looked.get(key);
  if (known !== undefined) return known;
  const match = BEARER.exec(request.headers.authorization ?? '');
  const user = match ? users.authenticate(match[1]) : null;
  looked.set(key, user);
  return user;
}
