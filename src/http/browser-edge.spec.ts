import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { helmetHeaders, securityHeaders } from './browser-edge';

/** A real Node response (never sent) for a request to `url`. */
function exchange(url: string): { request: IncomingMessage; response: ServerResponse } {
  const request = new IncomingMessage(new Socket());
  request.url = url;
  return { request, response: new ServerResponse(request) };
}

describe('securityHeaders', () => {
  it.each([
    ['/api/articles', helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } })],
    ['/api/docs/', helmet()],
  ])('sets on %s exactly the headers, in the order, that running helmet sets', (url, reference) => {
    const ran = exchange(url);
    ran.response.setHeader('X-Powered-By', 'something');
    reference(ran.request, ran.response, () => undefined);
    const listed = exchange(url);
    listed.response.setHeader('X-Powered-By', 'something');
    let nextCalled = false;
    securityHeaders()(listed.request, listed.response, () => (nextCalled = true));
    expect(nextCalled).toBe(true);
    expect(listed.response.getHeaderNames()).toEqual(ran.response.getHeaderNames());
    expect(listed.response.getHeaders()).toEqual(ran.response.getHeaders());
    expect(listed.response.hasHeader('X-Powered-By')).toBe(false);
  });

  it('refuses a middleware that does not finish at once, and one that fails', () => {
    expect(() => helmetHeaders(() => undefined)).toThrow(/did not finish synchronously/);
    expect(() => helmetHeaders((_request, _response, next) => next(new Error('bad directive')))).toThrow('bad directive');
  });
});
