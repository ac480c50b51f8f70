import type { Server } from 'node:http';
import { request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * An HTTP request written by hand, for what supertest will not send: a Content-Length that
 * differs from the body, a body in a chosen encoding. Listens `server` on a loopback port when
 * it is not listening yet (the caller closes it with the app).
 */
export async function rawRequest(
  server: Server,
  options: { method: string; path: string; headers: Record<string, string | number>; body?: Buffer | string },
): Promise<RawResponse> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    // A server that answers before reading the whole body may reset the connection: the answer still counts.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** One response read off a raw connection: status, headers (lower-case names, last value wins) and body. */
export interface RawExchangeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `bytes` as they are (a string as UTF-8) on a new loopback connection to `server`
 * (listening it first, as rawRequest does), for requests no HTTP client will send (no Host, two
 * Hosts, another version, a Transfer-Encoding of its own), and reads until the server closes the
 * connection: `bytes` must end with a request the server answers by closing (a refusal,
 * `Connection: close`, HTTP/1.0), or the caller's test times out. Returns every response read
 * (bodies by Content-Length).
 */
export async function rawExchange(server: Server, bytes: string | Buffer): Promise<{ responses: RawExchangeResponse[] }> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const done = () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', done);
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? done() : reject(error)));
  });
  const responses: RawExchangeResponse[] = [];
  for (let rest = text; rest.length > 0;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`not an HTTP response: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    const length = Number(headers['content-length'] ?? 0);
    const body = Buffer.from(rest.slice(end + 4), 'utf8');
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') });
    rest = body.subarray(length).toString('utf8');
  }
  return { responses };
}
