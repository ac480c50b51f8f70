import { PassThrough } from 'node:stream';
import { answerClientError } from './client-errors';

/** What answerClientError writes for Node's `code`, as one string; `inFlight` stands for the response Node has under way on the socket. */
function answered(code: string, inFlight?: { headersSent: boolean }): string {
  const socket = Object.assign(new PassThrough(), { _httpMessage: inFlight ?? null });
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

  it('writes no second answer into a connection whose response has begun (node:http does the same), and ends it', () => {
    expect(answered('HPE_INVALID_TRANSFER_ENCODING', { headersSent: true })).toBe('');
    const socket = Object.assign(new PassThrough(), { _httpMessage: { headersSent: true } });
    answerClientError(Object.assign(new Error('bad'), { code: 'HPE_INVALID_TRANSFER_ENCODING' }), socket);
    expect(socket.writableEnded).toBe(true);
    expect(answered('HPE_INVALID_TRANSFER_ENCODING', { headersSent: false })).toMatch(
      /^HTTP\/1\.1 400 .*\r\nContent-Type: application\/problem\+json; charset=utf-8\r\n/s,
    );
  });
});
