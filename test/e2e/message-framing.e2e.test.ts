import { connect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rawExchange, RawExchangeResponse } from '../support/raw-request';
import { exitOf, listening, spawnServer, writeUsersFile } from '../support/server-process';
import { tempDir } from '../support/temp-dir';
import { startTestApp, TestApp, TEST_USERS } from '../support/test-app';

const ALLOWED = 'https://cms.example.org';
const ARTICLE = JSON.stringify({ headline: 'Talks in Istanbul', body: [{ type: 'paragraph', text: 'Правка: Friedrich Merz, 中文.' }] });

/**
 * Requests whose version, Host, Transfer-Encoding or Expect no route may take as they are (RFC
 * 9112 §3.2, §6.1, §6.3; RFC 9110 §10.1.1, §15.6.6): each is answered as any other refusal is,
 * a problem document with the security, CORS and correlation headers, its connection closed, and
 * the log untouched. Node answered a missing Host with an empty 400 of its own and took two Hosts,
 * `HTTP/2.0` and `Transfer-Encoding: gzip, chunked` (handing the route the gzip bytes).
 */
describe('message framing (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { CORS_ORIGINS: ALLOWED } })));
  afterAll(async () => t.close());

  /** A command to create an article, with `requestLine` and `headers` (CRLF-joined) as given, and the article as its body unless `body` says otherwise. */
  const post = (headers: string[], body = ARTICLE, requestLine = 'POST /api/articles HTTP/1.1') =>
    `${requestLine}\r\n${[`Authorization: ${t.auth('reporter')}`, 'Content-Type: application/json', `Origin: ${ALLOWED}`, ...headers].join('\r\n')}\r\n\r\n${body}`;

  /** The one response to `bytes`: a problem document of `status` with every response's headers, the connection closed after it (rawExchange reads until then), and no event appended. */
  async function refused(bytes: string | Buffer, status: number, detail: RegExp): Promise<RawExchangeResponse> {
    const before = await t.eventStore.headPosition();
    const { responses } = await rawExchange(t.app.getHttpServer(), bytes);
    expect(responses).toHaveLength(1);
    const [res] = responses;
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ status, detail: expect.stringMatching(detail) });
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.connection).toBe('close');
    expect(await t.eventStore.headPosition()).toEqual(before);
    return res;
  }

  const length = (body: string) => `Content-Length: ${Buffer.byteLength(body)}`;

  it('an HTTP/1.1 request without Host is 400 as a problem document (Node sent an empty 400), and an HTTP/1.0 one is served', async () => {
    const res = await refused(post([length(ARTICLE)]), 400, /Host header \(RFC 9112 §3\.2\)/);
    expect(JSON.parse(res.body)).toMatchObject({ type: '/problems/bad-request', instance: '/api/articles' });
    const old = await rawExchange(t.app.getHttpServer(), 'GET /health HTTP/1.0\r\n\r\n');
    expect(old.responses.map((r) => r.status)).toEqual([200]);
  });

  it('two Host lines, or a Host that is not a host and port, are 400', async () => {
    await refused(post(['Host: a.example', 'Host: b.example', length(ARTICLE)]), 400, /one Host header/);
    for (const host of ['a b', 'a/b', 'a@b', 'a:port', '[::1', '[not-v6]', '[fe80::1%eth0]', 'пример.рф', 'a%zz']) {
      await refused(post([`Host: ${host}`, length(ARTICLE)]), 400, /not a host and optional port/);
    }
  });

  it('takes every form of Host that RFC 3986 allows: a name, IPv4, IPv6 and IPvFuture literals, a port or an empty one, an empty value', async () => {
    for (const host of [
      'localhost',
      'localhost:3000',
      '127.0.0.1:80',
      '[::1]',
      '[::1]:8080',
      '[v7.abc:def]',
      '[V7.abc]',
      'xn--e1afmkfd.xn--p1ai',
      'a%20b',
      'host:',
      '',
    ]) {
      const { responses } = await rawExchange(t.app.getHttpServer(), `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect({ host, status: responses.map((r) => r.status) }).toEqual({ host, status: [200] });
    }
  });

  it('a major version other than 1 that Node parses (2.0, 0.9) is 505, named in the detail', async () => {
    for (const version of ['2.0', '0.9']) {
      const res = await refused(
        post(['Host: localhost', length(ARTICLE)], ARTICLE, `POST /api/articles HTTP/${version}`),
        505,
        new RegExp(`not HTTP/${version.replace('.', '\\.')}`),
      );
      expect(JSON.parse(res.body).type).toBe('/problems/http-version-not-supported');
    }
  });

  it('a transfer coding other than chunked is 501, not its coded bytes taken as the body; chunked alone is taken', async () => {
    const gzipped = gzipSync(Buffer.from(ARTICLE));
    for (const coding of ['gzip, chunked', 'deflate,chunked', 'identity, chunked']) {
      const head = Buffer.from(post(['Host: localhost', `Transfer-Encoding: ${coding}`], `${gzipped.length.toString(16)}\r\n`));
      const bytes = Buffer.concat([head, gzipped, Buffer.from('\r\n0\r\n\r\n')]);
      const res = await refused(bytes, 501, /transfer coding "(gzip|deflate|identity)" is not implemented/);
      expect(JSON.parse(res.body).type).toBe('/problems/not-implemented');
    }
    const plain = Buffer.byteLength(ARTICLE).toString(16);
    const { responses } = await rawExchange(
      t.app.getHttpServer(),
      post(['Host: localhost', 'Transfer-Encoding: chunked', 'Connection: close'], `${plain}\r\n${ARTICLE}\r\n0\r\n\r\n`),
    );
    expect(responses.map((r) => r.status)).toEqual([201]);
  });

  it('a Transfer-Encoding that does not end with chunked is 400, answered once though the body that follows cannot be parsed', async () => {
    for (const coding of ['gzip', 'foo']) {
      await refused(post(['Host: localhost', `Transfer-Encoding: ${coding}`], 'not chunked at all'), 400, /chunked last \(RFC 9112 §6\.3\)/);
    }
    await refused(
      post(['Host: localhost', 'Transfer-Encoding: chunked'], '0\r\n\r\n', 'POST /api/articles HTTP/1.0'),
      400,
      /HTTP\/1\.0 request cannot have a Transfer-Encoding/,
    );
  });

  it('an Expect other than 100-continue is 417 with the headers every response has (it had none but its own)', async () => {
    const res = await refused(post(['Host: localhost', 'Expect: 200-ok', length(ARTICLE)]), 417, /no expectation but "100-continue"/);
    expect(JSON.parse(res.body)).toMatchObject({ type: '/problems/expectation-failed', instance: '/api/articles' });
  });

  it('an Expect with any member but 100-continue is 417, where Node took some of them for 100-continue; an empty Expect or one in HTTP/1.0 expects nothing', async () => {
    for (const expectation of ['foo, 100-continue', '100-continue;a=b', '"100-continue"', '100-continue.']) {
      await refused(post(['Host: localhost', `Expect: ${expectation}`, length(ARTICLE)]), 417, /no expectation but "100-continue"/);
    }
    for (const [line, headers] of [
      ['POST /api/articles HTTP/1.1', ['Host: localhost', 'Expect:', length(ARTICLE), 'Connection: close']],
      ['POST /api/articles HTTP/1.0', ['Expect: foo', length(ARTICLE)]],
    ] as const) {
      const { responses } = await rawExchange(t.app.getHttpServer(), post([...headers], ARTICLE, line));
      expect({ line, status: responses.map((r) => r.status) }).toEqual({ line, status: [201] });
    }
  });

  it('a CORS preflight and a path that does not decode meet the same checks (both were answered before them)', async () => {
    const preflight = `OPTIONS /api/articles HTTP/1.1\r\nOrigin: ${ALLOWED}\r\nAccess-Control-Request-Method: POST\r\n\r\n`;
    await refused(preflight, 400, /needs a Host header/);
    await refused(preflight.replace('HTTP/1.1\r\n', 'HTTP/1.1\r\nHost: a\r\nHost: b\r\n'), 400, /one Host header/);
    const res = await refused(`GET /api/articles/%zz HTTP/1.1\r\nOrigin: ${ALLOWED}\r\n\r\n`, 400, /needs a Host header/);
    expect(JSON.parse(res.body).instance).toBe('/api/articles/%zz');
    await refused(`GET /api/articles/%zz HTTP/2.0\r\nHost: localhost\r\nOrigin: ${ALLOWED}\r\n\r\n`, 505, /not HTTP\/2\.0/);
  });

  it('after every refusal above the server still takes a command', async () => {
    const { responses } = await rawExchange(t.app.getHttpServer(), post(['Host: localhost', length(ARTICLE), 'Connection: close']));
    expect(responses.map((r) => r.status)).toEqual([201]);
    expect(JSON.parse(responses[0].body)).toMatchObject({ revision: 0 });
  });
});

/**
 * Requests pipelined on one connection (RFC 9112 §9.3.2) reach the app one at a time, and none
 * runs behind a response that closes the connection: before, Node handed each to the app at
 * once, so a command pipelined behind a refusal was stored though its answer was never sent, and
 * its response stayed "in flight" until a shutdown gave up on it.
 */
describe('pipelined requests (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const command = (method: string, path: string, body: string, headers: string[] = []) =>
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.auth('editor')}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
  const draft = (headline: string) => JSON.stringify({ headline, body: [{ type: 'paragraph', text: `${headline}: Friedrich Merz, Київ, 東京.` }] });

  it('a command pipelined behind a refused request is never run, whatever refused it', async () => {
    const id = (
      await t.http
        .post('/api/articles')
        .set('Authorization', t.auth('editor'))
        .send(JSON.parse(draft('Kept')))
        .expect(201)
    ).body.articleId as string;
    const refusals = [
      'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      `POST /api/articles HTTP/1.1\r\nHost: localhost\r\nExpect: nope\r\nContent-Length: 2\r\n\r\n{}`,
      // 401: no token, answered with Connection: close before the body is read.
      `POST /api/articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    ];
    for (const refusal of refusals) {
      const before = await t.eventStore.headPosition();
      const { responses } = await rawExchange(
        t.app.getHttpServer(),
        refusal +
          command('PUT', `/api/articles/${id}/headline`, JSON.stringify({ headline: 'Never' }), ['If-Match: "0"']) +
          command('POST', '/api/articles', draft('Ghost')),
      );
      expect({ refusal, statuses: responses.map((r) => r.status) }).toEqual({ refusal, statuses: [expect.any(Number)] });
      expect(responses[0].status).toBeGreaterThanOrEqual(400);
      expect({ refusal, head: await t.eventStore.headPosition() }).toEqual({ refusal, head: before });
    }
    const article = await t.http.get(`/api/articles/${id}`).set('Authorization', t.auth('editor')).expect(200);
    expect(article.body).toMatchObject({ headline: 'Kept', revision: 0 });
  });

  it('commands pipelined on one connection are answered in order and stored in that order, a large one first', async () => {
    const large = JSON.stringify({
      headline: 'Large',
      body: Array.from({ length: 100 }, (_, i) => ({ type: 'paragraph', text: `${i} ${'Ж'.repeat(10_000)}` })),
    });
    const { responses } = await rawExchange(
      t.app.getHttpServer(),
      command('POST', '/api/articles', large) +
        command('POST', '/api/articles', draft('Small')) +
        'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 200]);
    const [first, second] = responses.map((r) => JSON.parse(r.body) as { position: string });
    expect(BigInt(second.position)).toBeGreaterThan(BigInt(first.position));
  });

  it('a malformed request pipelined behind a command is refused after the command is answered, not instead of its answer', async () => {
    const before = await t.eventStore.headPosition();
    const garbage = await rawExchange(t.app.getHttpServer(), command('POST', '/api/articles', draft('First')) + 'GARBAGE\r\n\r\n');
    expect(garbage.responses.map((r) => r.status)).toEqual([201, 400]);
    expect(JSON.parse(garbage.responses[0].body)).toMatchObject({ revision: 0 });
    // After Connection: close, what follows is ignored (RFC 9112 §9.6): the command's answer alone.
    const closing = await rawExchange(t.app.getHttpServer(), command('POST', '/api/articles', draft('Second'), ['Connection: close']) + 'X');
    expect(closing.responses.map((r) => r.status)).toEqual([201]);
    expect(((await t.eventStore.headPosition())!.commit - before!.commit).toString()).toBe('2');
  });
});

describe('pipelined requests at shutdown (e2e)', () => {
  it('requests pipelined behind a refusal, or read after their client reset the connection, are not left in flight: SIGTERM then exits 0 at once', async () => {
    const dir = tempDir();
    const usersFile = join(dir.path, 'users.json');
    writeUsersFile(usersFile);
    const server = spawnServer(join(dir.path, 'data'), usersFile, { SHUTDOWN_TIMEOUT_MS: '10000' });
    try {
      const port = await listening(server);
      const exited = exitOf(server);
      const answered = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write('GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n'),
        );
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answered).toMatch(/^HTTP\/1\.1 400 /);
      // Requests read behind one with a body on a connection the client resets: Node hands them over
      // after the connection is gone; they were counted in flight for good.
      const body = JSON.stringify({ headline: 'x' });
      const put = `PUT /api/articles/00000000-0000-4000-8000-000000000000/headline HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${TEST_USERS.editor.token}\r\nContent-Type: application/json\r\nIf-Match: "0"\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      const get = 'GET /health HTTP/1.1\r\nHost: a\r\n\r\n';
      for (let i = 0; i < 10; i++) {
        await new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => socket.write(get + put + get + get, () => (socket.resetAndDestroy(), resolve())));
          socket.on('error', () => undefined);
        });
      }
      server.kill('SIGTERM');
      const { code, stdout } = await exited;
      // Requests of the last connection may still be running at the signal (answered within ms);
      // the requests dropped with their connections must not hold the shutdown to its 10 s limit.
      expect(stdout).not.toMatch(/still running after/);
      expect(code).toBe(0);
    } finally {
      server.kill('SIGKILL');
      dir.remove();
    }
  });
});
