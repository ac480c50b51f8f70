/**
 * `npm run demo`: starts a fresh server on a temp data dir, plays the life of the seed article
 * through the HTTP API (draft, quotes, publish, the Merz correction) and prints the article,
 * its quotes, the corrections history and the revision history.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { sha256Hex } from '../auth/users';
import { correctMerz, parseSeedArticle, SEED_QUOTES } from './seed-article';

type Json = Record<string, unknown>;
type Role = 'reporter' | 'editor' | 'standards';

const ROOT = resolve(__dirname, '../..');
const tokens: Record<Role, string> = {
  reporter: randomBytes(16).toString('hex'),
  editor: randomBytes(16).toString('hex'),
  standards: randomBytes(16).toString('hex'),
};
const users = [
  { id: 'rita', name: 'Rita Reporter', roles: ['reporter'], tokenSha256: sha256Hex(tokens.reporter) },
  { id: 'eddie', name: 'Eddie Editor', roles: ['reporter', 'editor'], tokenSha256: sha256Hex(tokens.editor) },
  { id: 'sam', name: 'Sam Standards', roles: ['standards'], tokenSha256: sha256Hex(tokens.standards) },
];

async function startServer(dataDir: string) {
  const usersFile = join(dataDir, 'users.json');
  writeFileSync(usersFile, JSON.stringify(users));
  const server = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NEWSROOM_USERS_FILE: usersFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((done, fail) => {
    server.on('exit', (code) => fail(new Error(`the server exited (${code}) before it listened`)));
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(line);
      if (match) done(match[1]);
    });
  });
  const exited = new Promise((done) => server.on('exit', done));
  return { url, stop: () => (server.kill('SIGTERM'), exited) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'newsroom-demo-'));
  const server = await startServer(dataDir);
  try {
    const call = async (method: string, path: string, role: Role, body?: Json, revision?: number) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${tokens[role]}`,
          'Content-Type': 'application/json',
          ...(revision === undefined ? {} : { 'If-Match': `"${revision}"` }),
        },
        body: body && JSON.stringify(body),
      });
      const json = (await response.json()) as Json;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const step = (text: string) => console.log(`\n> ${text}`);

    step('Rita Reporter drafts the seed article');
    let last = await call('POST', '/api/articles', 'reporter', { ...parseSeedArticle(), byline: ['Rita Reporter'] });
    const id = last.articleId as string;
    for (const quote of SEED_QUOTES) {
      step(`Rita attributes a quote to ${quote.speaker.name}`);
      last = await call('POST', `/api/articles/${id}/quotes`, 'reporter', { ...quote }, last.revision as number);
    }
    step('Eddie Editor publishes it');
    last = await call('POST', `/api/articles/${id}/publish`, 'editor', { reason: 'Checked and ready' }, last.revision as number);

    const before = await call('GET', `/api/articles/${id}?minPosition=${last.position}`, 'reporter');
    const body = correctMerz(before.body as Array<{ id: string; type: string; text?: string }>);
    step('Sam Standards corrects "Olaf Merz" to "Friedrich Merz"');
    last = await call(
      'POST',
      `/api/articles/${id}/corrections`,
      'standards',
      {
        kind: 'correction',
        note: 'An earlier version of this article misnamed the German Chancellor. He is Friedrich Merz.',
        body,
      },
      last.revision as number,
    );

    const read = (path: string) => call('GET', `${path}${path.includes('?') ? '&' : '?'}minPosition=${last.position}`, 'reporter');
    const article = await read(`/api/articles/${id}`);
    console.log(`\n== The article (revision ${article.revision}, ${article.status})\n`);
    console.log(`${article.headline}\n\n${article.standfirst}\n`);
    for (const block of article.body as Array<{ type: string; text?: string; items?: string[] }>) {
      console.log(block.type === 'list' ? block.items!.map((item) => `  • ${item}`).join('\n') : block.text);
      console.log();
    }

    console.log('== Its quotes');
    for (const quote of (await read(`/api/quotes?articleId=${id}`)).items as Json[]) {
      console.log(`  ${(quote.speaker as Json).name}: "${quote.text}"`);
    }

    console.log('\n== Corrections history');
    for (const correction of (await read(`/api/corrections?articleId=${id}`)).items as Json[]) {
      console.log(`  ${correction.issuedAt} ${correction.kind} by ${(correction.actor as Json).name}: ${correction.note}`);
      for (const change of correction.changes as Json[]) {
        console.log(`    ${change.field}\n      before: ${change.before}\n      after:  ${change.after}`);
      }
    }

    console.log('\n== Revision history');
    for (const entry of (await read(`/api/articles/${id}/history`)).items as Json[]) {
      console.log(`  r${entry.revision} ${entry.at} ${entry.summary}`);
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
