import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { answerClientError } from './client-errors';

/** What answerClientError writes for Node's `code`, as one string. */
function answered(code: string): string {
  const socket = new PassThrough();
  let written = '';
  socket.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  answerClientError(Object.assign(new Error(code), { code }), socket);
  return written;
}

describe('answerClientError', () => {
  it("answers Node's request timeout with a 408 problem that names both of its limits: a body may be what was late, not the headers", () => {
    const text = answered('ERR_HTTP_REQUEST_TIMEOUT');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    const problem = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { status: number; detail: string };
    expect(problem).toMatchObject({ status: 408, type: '/problems/request-timeout' });
    expect(problem.detail).toMatch(/headers within 60 s, or all of it within 300 s/);
  });

  it('answers headers over the limit with 431 and a malformed request with 400', () => {
    expect(answered('HPE_HEADER_OVERFLOW')).toMatch(/^HTTP\/1\.1 431 /);
    expect(answered('HPE_INVALID_CONTENT_LENGTH')).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers after the response on the connection (a request pipelined before the fault), in order, and not at all once that response closed the connection', async () => {
    const inFlight = Object.assign(new EventEmitter(), { headersSent: false, req: { complete: true } });
    const socket = Object.assign(new PassThrough(), { _httpMessage: inFlight as EventEmitter | null });
    let written = '';
    socket.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    answerClientError(Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }), socket);
    expect(written).toBe('');
    // Its response goes out and closes; the connection is free: now the 400.
    socket._httpMessage = null;
    inFlight.emit('close');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toMatch(/^HTTP\/1\.1 400 .*\r\nContent-Type: application\/problem\+json; charset=utf-8\r\n/s);

    const closing = Object.assign(new EventEmitter(), { headersSent: true, req: { complete: true } });
    const other = Object.assign(new PassThrough(), { _httpMessage: closing as EventEmitter | null });
    let more = '';
    other.on('data', (chunk: Buffer) => (more += chunk.toString('utf8')));
    answerClientError(Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }), other);
    // That response said Connection: close: Node ends the connection when it is out.
    other.end();
    closing.emit('close');
    await new Promise((resolve) => setImmediate(resolve));
    expect(more).toBe('');
    expect(other.destroyed).toBe(true);
  });

  it('writes no second answer when the fault is in the body of the request whose answer has begun, and ends the connection', () => {
    const own = Object.assign(new EventEmitter(), { headersSent: true, req: { complete: false } });
    const socket = Object.assign(new PassThrough(), { _httpMessage: own });
    let written = '';
    socket.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    answerClientError(Object.assign(new Error('bad'), { code: 'HPE_INVALID_TRANSFER_ENCODING' }), socket);
    expect(written).toBe('');
    expect(socket.writableEnded).toBe(true);
  });
});
