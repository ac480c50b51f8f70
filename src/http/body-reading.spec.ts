import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { PIECE_UNITS } from '../common/in-turns';
import { guardBodies, LARGE_BODY_BYTES, parseJsonBody, PIECEWISE_MAX_BYTES } from './body-reading';

/**
 * guardBodies on a bare node:http server: after the guard, the body is read in full and its
 * length answered, as Fastify's reader would read it. Records the order in which bodies began to be read.
 */
async function guarded(idleMs: number, minBytesPerSecond?: number, handlerMs = 0): Promise<{ server: Server; port: number; reading: string[] }> {
  const guard = guardBodies(1024 * 1024 * 1024, idleMs, minBytesPerSecond);
  const reading: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    guard(req, res, () => {
      // Refused before its body is read, as a 415 from Fastify's content-type parser is.
      if (req.headers['x-refuse']) {
        res.statusCode = 415;
        return res.end('refused');
      }
      reading.push(String(req.headers['x-name']));
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => setTimeout(() => res.end(String(bytes)), handlerMs));
    });
  });
  // Short, so that a test can see the connection closed for being idle after its answer.
  server.keepAliveTimeout = 500;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, reading };
}

function post(port: number, name: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, 'X-Name': name, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Everything the server sends on `socket` until it closes, as text. */
function everythingFrom(socket: Socket): Promise<string> {
  return new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('close', () => resolve(text));
  });
}

describe('guardBodies: large bodies one at a time', () => {
  let server: Server;
  afterEach(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a large body that stops arriving is answered 408 after the idle time and gives up its turn to the next', async () => {
    const setup = await guarded(300);
    server = setup.server;
    // Declares more than LARGE_BODY_BYTES, sends a few bytes, then nothing.
    const stalled = connect(setup.port, '127.0.0.1');
    const answer = everythingFrom(stalled);
    stalled.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Name: stalled\r\nContent-Length: ${LARGE_BODY_BYTES + 1}\r\n\r\n{"headline":`,
    );
    while (setup.reading.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // Before, this one waited for Node's 300 s request timeout of the stalled one.
    const next = await post(setup.port, 'next', Buffer.alloc(LARGE_BODY_BYTES + 1, 0x20));
    expect(next).toEqual({ status: 200, body: String(LARGE_BODY_BYTES + 1) });
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('"type":"/problems/request-timeout"');
    expect(setup.reading).toEqual(['stalled', 'next']);
  });

  it('a small body that stops arriving is answered 408 after the idle time, not after the request timeout (300 s); one read whole is not timed while its handler works', async () => {
    // The handler answers 600 ms after the body's end: twice the idle time.
    const setup = await guarded(300, undefined, 600);
    server = setup.server;
    const stalled = connect(setup.port, '127.0.0.1');
    const answer = everythingFrom(stalled);
    stalled.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Name: small\r\nContent-Length: 100\r\n\r\n{"headline":`);
    const started = Date.now();
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('nothing came for 0.3 s');
    expect(Date.now() - started).toBeLessThan(4000);
    // Read in full, a body is not timed any more: its handler (deciding, the append) may take longer than the idle time.
    const whole = await post(setup.port, 'whole', Buffer.from('{"headline":"a"}'));
    expect(whole).toEqual({ status: 200, body: '16' });
  });

  it("a connection whose request was refused before its body was read still closes after the server's keep-alive timeout", async () => {
    const setup = await guarded(300);
    server = setup.server;
    const socket = connect(setup.port, '127.0.0.1');
    const answer = everythingFrom(socket);
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nX-Refuse: 1\r\nContent-Length: 5\r\n\r\nhello');
    const started = Date.now();
    // Before, the body's end cleared the socket's timer, which by then was the keep-alive timer: it never closed.
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 415 /);
    expect(text).not.toContain(' 408 ');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a pipelined request whose body stops arriving is answered 408 after the first is answered', async () => {
    const setup = await guarded(300);
    server = setup.server;
    const socket = connect(setup.port, '127.0.0.1');
    const answer = everythingFrom(socket);
    const head = (name: string, length: number) =>
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Name: ${name}\r\nContent-Length: ${length}\r\n\r\n`;
    socket.write(`${head('first', 2)}{}${head('second', 100)}{"headline":`);
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n2HTTP\/1\.1 408 /);
    expect(setup.reading).toEqual(['first', 'second']);
  });

  it('a body that trickles in (never idle, far below the minimum rate) is answered 408 once the idle time has passed, and gives up its turn', async () => {
    const setup = await guarded(400, 10_000);
    server = setup.server;
    // Chunked, so it waits its turn; a byte every 50 ms is never idle for 400 ms.
    const trickle = connect(setup.port, '127.0.0.1');
    const answer = everythingFrom(trickle);
    trickle.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Name: trickle\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const drip = setInterval(() => trickle.write('1\r\n \r\n'), 50);
    try {
      while (setup.reading.length === 0) await new Promise((resolve) => setImmediate(resolve));
      // Before, this one waited for as long as the trickle went on (Node's 300 s request timeout at most).
      const small = gzipSync(Buffer.from('{"headline":"a"}'));
      const next = await post(setup.port, 'next', small, { 'Content-Encoding': 'gzip' });
      expect(next).toEqual({ status: 200, body: String(small.length) });
      const text = await answer;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(text).toMatch(/arrives at \d+ B\/s on average, below the 10000 B\/s/);
      expect(setup.reading).toEqual(['trickle', 'next']);
    } finally {
      clearInterval(drip);
      trickle.destroy();
    }
  });

  it('a compressed body waits its turn whatever its Content-Length: its inflated size is unknown', async () => {
    const setup = await guarded(5_000);
    server = setup.server;
    const stalled = connect(setup.port, '127.0.0.1');
    stalled.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Name: large\r\nContent-Length: ${LARGE_BODY_BYTES + 1}\r\n\r\n`);
    while (setup.reading.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const small = gzipSync(Buffer.from('{"headline":"a"}'));
    const compressed = post(setup.port, 'gzip', small, { 'Content-Encoding': 'gzip' });
    const plain = await post(setup.port, 'plain', Buffer.from('{"headline":"a"}'));
    // A small plain body is not queued; the small compressed one waits behind the large one.
    expect(plain.status).toBe(200);
    expect(setup.reading).toEqual(['large', 'plain']);
    stalled.destroy();
    expect((await compressed).status).toBe(200);
    expect(setup.reading).toEqual(['large', 'plain', 'gzip']);
  });
});

describe('parseJsonBody: a large body is decoded and parsed a piece per turn', () => {
  const parse = parseJsonBody(10_000_000);
  const request = {} as FastifyRequest;

  it('hands back a small body at once, and a body over PIECE_UNITS bytes later, other work running between its pieces', async () => {
    expect(parse(request, Buffer.from('{"headline":"Olaf Merz"}'))).toEqual({ headline: 'Olaf Merz' });
    const value = { headline: 'Friedrich Merz', body: ['ж'.repeat(PIECE_UNITS), '😀'.repeat(PIECE_UNITS / 2)] };
    const parsing = parse(request, Buffer.from(JSON.stringify(value)));
    expect(parsing).toBeInstanceOf(Promise);
    let turns = 0;
    let running = true;
    const tick = () => running && (turns++, setImmediate(tick));
    setImmediate(tick);
    expect(await parsing).toEqual(value);
    running = false;
    expect(turns).toBeGreaterThanOrEqual(3);
    // Past PIECEWISE_MAX_BYTES (valid only as escapes or whitespace), at once: pieces and their join would double its memory.
    const padded = { headline: 'Merz', pad: ' '.repeat(PIECEWISE_MAX_BYTES) };
    expect(parse(request, Buffer.from(JSON.stringify(padded)))).toEqual(padded);
  });

  it('refuses a large body that is not JSON with 400 and the parser’s message, and checks its bytes before any turn', async () => {
    const text = JSON.stringify({ body: ['ж'.repeat(PIECE_UNITS)] });
    await expect(parse(request, Buffer.from(text.slice(0, -1))) as Promise<unknown>).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/JSON/),
    });
    const notUtf8 = Buffer.concat([Buffer.from(text.slice(0, -2)), Buffer.from([0xff]), Buffer.from('"]}')]);
    expect(() => parse(request, notUtf8)).toThrow(/UTF-8/);
  });
});
