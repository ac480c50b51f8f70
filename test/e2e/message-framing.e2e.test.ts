import { gzipSync } from 'node:zlib';
import { rawExchange, RawExchangeResponse } from '../support/raw-request';
import { startTestApp, TestApp } from '../support/test-app';

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

  /** The one response to `bytes`: a problem document of `status` with every response's headers, the connection closed after it, and no event appended. */
  async function refused(bytes: string | Buffer, status: number, detail: RegExp): Promise<RawExchangeResponse> {
    const before = await t.eventStore.headPosition();
    const { responses, closed } = await rawExchange(t.app.getHttpServer(), bytes);
    expect(responses).toHaveLength(1);
    const [res] = responses;
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ status, detail: expect.stringMatching(detail) });
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.connection).toBe('close');
    expect(closed).toBe(true);
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
    for (const host of ['a b', 'a/b', 'a@b', 'a:port', '[::1', '[not-v6]', 'пример.рф', 'a%zz']) {
      await refused(post([`Host: ${host}`, length(ARTICLE)]), 400, /not a host and optional port/);
    }
  });

  it('takes every form of Host that RFC 3986 allows: a name, IPv4, IPv6 and IPvFuture literals, a port or an empty one, an empty value', async () => {
    for (const host of ['localhost', 'localhost:3000', '127.0.0.1:80', '[::1]', '[::1]:8080', '[v7.abc:def]', 'xn--e1afmkfd.xn--p1ai', 'a%20b', 'host:', '']) {
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
    for (const coding of ['gzip', 'foo', 'chunked;q=1, gzip']) {
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

  it('after every refusal above the server still takes a command', async () => {
    const { responses } = await rawExchange(t.app.getHttpServer(), post(['Host: localhost', length(ARTICLE), 'Connection: close']));
    expect(responses.map((r) => r.status)).toEqual([201]);
    expect(JSON.parse(responses[0].body)).toMatchObject({ revision: 0 });
  });
});
