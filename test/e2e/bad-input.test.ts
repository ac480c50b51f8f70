import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { articleStreamId } from '../../src/articles/domain/article.events';
import { largestCommandBytes } from '../../src/articles/commands/command.schemas';
import { rawRequest } from '../support/raw-request';
import { parseSeedArticle, SEED_QUOTES } from '../support/seed-article';
import { startTestApp, TestApp, TestRole } from '../support/test-app';
import { appendArticle } from '../read-models/support/seed';

type Json = Record<string, unknown>;

/**
 * Bad input changes nothing (issue 10): each instance the issue lists, with the status it gets
 * now. The property suite (bad-input.property.test.ts) covers the kinds these stand for.
 */
describe('bad input (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const send = (method: 'post' | 'put' | 'delete' | 'patch', path: string, role: TestRole) => t.http[method](path).set('Authorization', t.auth(role));
  const head = () => t.eventStore.headPosition();
  const stream = (id: string) => t.eventStore.readStream(articleStreamId(id));
  const paragraph = (text: string) => ({ type: 'paragraph', text });

  async function draft(body: Json = { headline: 'Talks in Istanbul', body: [paragraph('First.')] }): Promise<string> {
    return (await send('post', '/api/articles', 'reporter').send(body).expect(201)).body.articleId;
  }

  async function published(): Promise<{ id: string; revision: number; quoteId: string }> {
    const id = await draft({ ...parseSeedArticle(), byline: ['Rita Reporter'] });
    const quote = await send('post', `/api/articles/${id}/quotes`, 'reporter').set('If-Match', '"0"').send(SEED_QUOTES[0]).expect(201);
    const res = await send('post', `/api/articles/${id}/publish`, 'editor').set('If-Match', '"1"').expect(200);
    return { id, revision: res.body.revision, quoteId: quote.body.quoteId };
  }

  /** The request is refused with `status` as a problem document, and the log is untouched. */
  async function refused(request: () => PromiseLike<{ status: number; headers: Json; body: Json }>, status: number): Promise<Json> {
    const before = await head();
    const res = await request();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await head()).toEqual(before);
    return res.body;
  }

  describe('every body matches one exact schema', () => {
    it('a quote source sent as an array (or []) is 400, not a source stored as {}', async () => {
      const id = await draft();
      for (const source of [[{ description: 'Phone interview', url: 'https://example.org/x' }], []]) {
        const problem = await refused(
          () =>
            send('post', `/api/articles/${id}/quotes`, 'reporter')
              .set('If-Match', '"0"')
              .send({ speaker: { name: 'A' }, text: 'T', source }),
          400,
        );
        expect(problem.errors).toEqual([{ field: 'source', message: 'must be object' }]);
      }
      expect(await stream(id)).toHaveLength(1);
    });

    it('a body block that is an array is 400, so no block without a type reaches publish or a diff', async () => {
      const problem = await refused(() => send('post', '/api/articles', 'reporter').send({ headline: 'h', body: [[]] }), 400);
      expect(problem.errors).toEqual([{ field: 'body[0]', message: 'must be object' }]);
    });

    it('a correction with "body": null or "headline": null is 400 (null only where the contract says)', async () => {
      const { id, revision } = await published();
      for (const field of ['body', 'headline', 'standfirst', 'quotes']) {
        const problem = await refused(
          () =>
            send('post', `/api/articles/${id}/corrections`, 'standards')
              .set('If-Match', `"${revision}"`)
              .send({ kind: 'correction', note: 'n', [field]: null }),
          400,
        );
        expect(problem.errors).toEqual([expect.objectContaining({ field })]);
      }
    });

    it('JSON nested 2,000 levels deep is a 400, in a known field, an unknown one, or at the top', async () => {
      const deep = '['.repeat(2000) + ']'.repeat(2000);
      const bodies = [
        `{"headline":"h","body":${deep}}`,
        `{"headline":"h","body":[{"type":"paragraph","text":"x","extra":${deep}}]}`,
        `{"headline":"h","body":[{"type":"paragraph","text":"x"}],"x":${deep}}`,
        deep,
        `{"a":`.repeat(2000) + '1' + '}'.repeat(2000),
      ];
      for (const body of bodies) {
        await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(body), 400);
      }
      await t.http.get('/health').expect(200);
    });

    it('refuses unknown fields whatever their name, __proto__ and constructor included, at any depth', async () => {
      const valid = { headline: 'h', body: [paragraph('x')] };
      const texts = [
        '{"headline":"h","body":[{"type":"paragraph","text":"x"}],"__proto__":{"admin":true}}',
        '{"headline":"h","body":[{"type":"paragraph","text":"x","constructor":{"prototype":{}}}]}',
        JSON.stringify({ ...valid, prototype: 1 }),
        JSON.stringify({ ...valid, '': 1 }),
      ];
      const fields = ['__proto__', 'body[0].constructor', 'prototype', '[""]'];
      for (const [i, text] of texts.entries()) {
        const problem = await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(text), 400);
        expect(problem.errors).toEqual([{ field: fields[i], message: 'is not a field of this request' }]);
      }
    });

    it('a body that is not a JSON object is 400', async () => {
      for (const text of ['[]', '"headline"', '42', 'null', 'true']) {
        await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(text), 400);
      }
    });

    it('accepts `reason` on corrections and retractions, and stores it', async () => {
      const { id, revision } = await published();
      const corrected = await send('post', `/api/articles/${id}/corrections`, 'standards')
        .set('If-Match', `"${revision}"`)
        .send({ kind: 'clarification', note: 'We clarified the headline.', headline: 'Talks in Istanbul, Turkey', reason: 'Reader email' })
        .expect(201);
      await send('post', `/api/articles/${id}/retract`, 'standards')
        .set('If-Match', `"${corrected.body.revision}"`)
        .send({ note: 'Retracted.', reason: 'Legal advice' })
        .expect(200);
      const events = await stream(id);
      expect(events.slice(-3).map((e) => [e.type, e.metadata.reason])).toEqual([
        ['HeadlineRevised', 'Reader email'],
        ['CorrectionIssued', 'Reader email'],
        ['ArticleRetracted', 'Legal advice'],
      ]);
    });

    it('counts a character the same in a paragraph and a list: 20,000 emoji fit, 20,001 do not', async () => {
      const emoji = (n: number) => '😀'.repeat(n);
      const id = await draft({ headline: 'h', body: [paragraph(emoji(20_000))] });
      await send('put', `/api/articles/${id}/body`, 'reporter')
        .set('If-Match', '"0"')
        .send({ body: [{ type: 'list', items: [emoji(10_000), emoji(10_000)] }] })
        .expect(200);
      for (const body of [[paragraph(emoji(20_001))], [{ type: 'list', items: [emoji(10_000), emoji(10_001)] }]]) {
        await refused(() => send('put', `/api/articles/${id}/body`, 'reporter').set('If-Match', '"1"').send({ body }), 400);
      }
    });

    it('accepts a maximum-size article in Cyrillic (500 blocks of 20,000 "ж", 18 MB of JSON)', async () => {
      const body = Array.from({ length: 500 }, () => paragraph('ж'.repeat(20_000)));
      const raw = JSON.stringify({ headline: 'Зеленський', body });
      expect(Buffer.byteLength(raw)).toBeGreaterThan(18_000_000);
      const created = await send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(raw).expect(201);
      const [drafted] = await stream(created.body.articleId);
      expect((drafted.data as { body: Array<{ text: string }> }).body[499].text).toBe('ж'.repeat(20_000));
    }, 60_000);

    it('a body of more than 1 MiB (read a piece per turn) is read as a small one is: BOM skipped, bad JSON 400, lone surrogates 400', async () => {
      const body = Array.from({ length: 60 }, (_, i) => paragraph(`${'ж'.repeat(19_990)}${i}`));
      const raw = JSON.stringify({ headline: 'Friedrich Merz in Ankara', body });
      expect(Buffer.byteLength(raw)).toBeGreaterThan(2 * 1024 * 1024);
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(raw)]);
      const created = await rawRequest(t.app.getHttpServer(), {
        method: 'POST',
        path: '/api/articles',
        headers: { Authorization: t.auth('reporter'), 'Content-Type': 'application/json', 'Content-Length': withBom.length },
        body: withBom,
      });
      expect(created.status).toBe(201);
      const [drafted] = await stream((JSON.parse(created.body) as { articleId: string }).articleId);
      const stored = drafted.data as { headline: string; body: Array<{ text: string }> };
      expect(stored.headline).toBe('Friedrich Merz in Ankara');
      expect(stored.body.map((block) => block.text)).toEqual(body.map((block) => block.text));
      const cut = await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(raw.slice(0, -2)), 400);
      expect(cut.detail).toMatch(/JSON/);
      const lone = raw.replace('"Friedrich', '"\\ud800Friedrich');
      const problem = await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(lone), 400);
      expect(problem.errors).toEqual([{ field: 'headline', message: expect.stringMatching(/lone UTF-16 surrogate/) }]);
    }, 60_000);

    it('sets the default body limit above any valid article in any script, JSON escaping and indentation', () => {
      const paragraphs = (char: string) => Array.from({ length: 500 }, () => paragraph(char.repeat(20_000)));
      const lists = (char: string) => Array.from({ length: 500 }, () => ({ type: 'list', items: Array.from({ length: 20_000 }, () => char) }));
      const article = (char: string, body: unknown[]) => ({ headline: char.repeat(300), standfirst: char.repeat(600), body, reason: char.repeat(1_000) });
      // As Python's json.dumps writes it by default (ensure_ascii, here with indent=4): each UTF-16
      // unit beyond ASCII as a six-byte "\\uXXXX", so an astral character takes twelve.
      const escapedBytes = (text: string) => {
        let units = 0;
        for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) units++;
        return text.length + 5 * units;
      };
      for (const char of ['ж', '😀', 'x']) {
        for (const body of [paragraphs(char), lists(char)]) {
          expect(escapedBytes(JSON.stringify(article(char, body), null, 4))).toBeLessThan(largestCommandBytes());
        }
      }
    }, 60_000);

    it("takes `source: null` in a correction as removing the quote's source", async () => {
      const { id, revision, quoteId } = await published();
      await send('post', `/api/articles/${id}/corrections`, 'standards')
        .set('If-Match', `"${revision}"`)
        .send({ kind: 'correction', note: 'The source was misnamed.', quotes: [{ quoteId, source: null }] })
        .expect(201);
      const amended = (await stream(id)).find((e) => e.type === 'QuoteAmended');
      expect(amended?.data).toMatchObject({ quoteId, source: null });
    });
  });

  describe('found by a new user trying to break it', () => {
    it('a body of two million wrong list items is a quick 400 naming the first ones, not two million errors', async () => {
      const wrong = `{"headline":"h","body":[${Array.from({ length: 100 }, () => `{"type":"list","items":[${Array(20_000).fill('1').join(',')}]}`).join(',')}]}`;
      const problem = await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(wrong), 400);
      expect((problem.errors as unknown[]).length).toBeGreaterThanOrEqual(1);
      expect((problem.errors as unknown[]).length).toBeLessThanOrEqual(100);
      expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringMatching(/^body\[\d+\]\.items\[\d+\]$/) })]));
    }, 30_000);

    it('one array or object of 200,000 members anywhere is a 400, not a 500 from a spread past V8 argument limits', async () => {
      const id = await draft();
      const zeros = (n: number) => `[${Array(n).fill('0').join(',')}]`;
      const manyKeys = `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":0`).join(',')}}`;
      const paragraphs = `[${Array(200_000).fill('{"type":"paragraph","text":"a"}').join(',')}]`;
      const drafts = [
        zeros(200_000),
        `{"headline":"x","body":${zeros(150_000)}}`,
        `{"headline":"x","body":${paragraphs}}`,
        `{"headline":"x","extra":${manyKeys}}`,
      ];
      for (const text of drafts) {
        await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(text), 400);
      }
      await refused(
        () =>
          send('post', `/api/articles/${id}/publish`, 'editor')
            .set('If-Match', '"0"')
            .set('Content-Type', 'application/json')
            .send(`{"reason":${zeros(130_000)}}`),
        400,
      );
      expect(await stream(id)).toHaveLength(1);
    }, 60_000);

    it('a command takes no query parameters: 400 naming them, and a keyed retry with one is refused too', async () => {
      const id = await draft();
      const problem = await refused(
        () => send('put', `/api/articles/${id}/headline?x=1&reason=r`, 'reporter').set('If-Match', '"0"').send({ headline: 'New' }),
        400,
      );
      expect(problem.errors).toEqual([
        { field: 'x', message: 'is not a parameter of this request' },
        { field: 'reason', message: 'is not a parameter of this request' },
      ]);
      // The route in capitals is the same route, with the same rule.
      await refused(() => send('put', `/API/articles/${id}/headline?x=1`, 'reporter').set('If-Match', '"0"').send({ headline: 'New' }), 400);
      const key = randomUUID();
      await send('put', `/api/articles/${id}/headline`, 'reporter').set('If-Match', '"0"').set('Idempotency-Key', key).send({ headline: 'New' }).expect(200);
      await refused(
        () => send('put', `/api/articles/${id}/headline?x=1`, 'reporter').set('If-Match', '"0"').set('Idempotency-Key', key).send({ headline: 'New' }),
        400,
      );
    });

    it('a query string that is not percent-encoded UTF-8 is 400 on reads and commands alike (RFC 3986 §2.1)', async () => {
      const id = await draft();
      for (const query of ['q=%FF', 'q=%ED%A0%80', 'q=%', 'speaker=%E0%A4']) {
        const res = await t.http.get(`/api/quotes?${query}`).set('Authorization', t.auth('reporter')).expect(400);
        expect(res.body).toMatchObject({ status: 400, errors: [{ message: 'must be percent-encoded UTF-8' }] });
      }
      await refused(() => send('put', `/api/articles/${id}/headline?%`, 'reporter').set('If-Match', '"0"').send({ headline: 'New' }), 400);
      await t.http
        .get(`/api/quotes?q=${encodeURIComponent('Зеленський')}`)
        .set('Authorization', t.auth('reporter'))
        .expect(200);
    });

    it('a JSON body that is not an object says so ("must be object"), not "not valid JSON"', async () => {
      for (const text of ['"a"', 'null', '42']) {
        const problem = await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json').send(text), 400);
        expect(JSON.stringify(problem)).not.toMatch(/not valid JSON/);
        expect(problem.errors).toEqual([{ field: '(body)', message: 'must be object' }]);
      }
    });

    it("the body reader's refusals (415, 413) name the request's path as their instance", async () => {
      const server = t.app.getHttpServer();
      const charset = await rawRequest(server, {
        method: 'POST',
        path: '/api/articles',
        headers: { 'Content-Type': 'application/json; charset=utf-16', 'Content-Length': 2, Authorization: t.auth('reporter') },
        body: '{}',
      });
      expect(charset.status).toBe(415);
      expect(JSON.parse(charset.body)).toMatchObject({ status: 415, instance: '/api/articles' });
      const large = await rawRequest(server, {
        method: 'POST',
        path: '/api/articles?x=1',
        headers: { 'Content-Type': 'application/json', 'Content-Length': 999_999_999_999, Authorization: t.auth('reporter') },
      });
      expect(large.status).toBe(413);
      expect(JSON.parse(large.body)).toMatchObject({ status: 413, instance: '/api/articles', detail: expect.stringContaining('BODY_LIMIT') });
    });

    it("what Node's HTTP parser refuses is a problem document too: 431 for oversized headers, 400 for bad framing", async () => {
      const server = t.app.getHttpServer();
      const huge = await rawRequest(server, { method: 'GET', path: `/api/quotes?q=${'a'.repeat(100_000)}`, headers: { Authorization: t.auth('reporter') } });
      expect(huge.status).toBe(431);
      expect(huge.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(huge.body)).toMatchObject({ status: 431, type: '/problems/request-header-fields-too-large' });
      const framing = await rawRequest(server, {
        method: 'POST',
        path: '/api/articles',
        headers: { 'Content-Type': 'application/json', 'Content-Length': 2, 'Transfer-Encoding': 'chunked', Authorization: t.auth('reporter') },
        body: '0\r\n\r\n',
      });
      expect(framing.status).toBe(400);
      expect(JSON.parse(framing.body)).toMatchObject({ status: 400, type: '/problems/bad-request' });
      await t.http.get('/health').expect(200);
    });

    it('a body with more JSON values than any valid request is 413 before it is parsed, so no array can reach past V8 limits', async () => {
      const { largestCommandValues } = await import('../../src/articles/commands/command.schemas');
      const values = largestCommandValues() + 2_000;
      // Gzip keeps the request small on the wire; the limit is on what it inflates to.
      const zeros = gzipSync(Buffer.from(`[${'0,'.repeat(values)}0]`));
      const res = await rawRequest(t.app.getHttpServer(), {
        method: 'POST',
        path: '/api/articles',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': zeros.length, Authorization: t.auth('reporter') },
        body: zeros,
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ status: 413, instance: '/api/articles' });
      // Commas and brackets inside strings are text, not structure: a valid article full of them is taken.
      const punctuation = Array.from({ length: 500 }, () => ({ type: 'paragraph', text: ',[{'.repeat(6_666) }));
      await send('post', '/api/articles', 'reporter').send({ headline: 'h', body: punctuation }).expect(201);
      await t.http.get('/health').expect(200);
    }, 120_000);

    it('a body without a valid bearer token is 401 before it is read, inflated or parsed', async () => {
      const bomb = gzipSync(Buffer.alloc(50_000_000, 0x20));
      for (const authorization of [undefined, 'Bearer not-a-token']) {
        const res = await rawRequest(t.app.getHttpServer(), {
          method: 'POST',
          path: '/api/articles',
          headers: {
            'Content-Type': 'application/json',
            'Content-Encoding': 'gzip',
            'Content-Length': bomb.length,
            ...(authorization ? { Authorization: authorization } : {}),
          },
          body: bomb,
        });
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(JSON.parse(res.body)).toMatchObject({ status: 401, instance: '/api/articles' });
      }
    });

    it('bytes that are not UTF-8 are 400, not stored as U+FFFD', async () => {
      const id = await draft();
      for (const bytes of [[0xe9], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xff, 0xfe]]) {
        const before = await head();
        const body = Buffer.concat([Buffer.from('{"headline":"caf'), Buffer.from(bytes), Buffer.from('"}')]);
        const res = await rawRequest(t.app.getHttpServer(), {
          method: 'PUT',
          path: `/api/articles/${id}/headline`,
          headers: { Authorization: t.auth('reporter'), 'Content-Type': 'application/json', 'If-Match': '"0"', 'Content-Length': body.length },
          body,
        });
        expect(res.status).toBe(400);
        expect(JSON.parse(res.body)).toMatchObject({ status: 400, detail: expect.stringMatching(/UTF-8/) });
        expect(await head()).toEqual(before);
      }
    });

    it('every charset but UTF-8 is 415, UTF-16 and UTF-7 included; a Content-Type that does not parse is 415', async () => {
      const text = JSON.stringify({ headline: 'h', body: [paragraph('x')] });
      for (const type of ['application/json; charset=utf-16', 'application/json; charset=utf-7', 'application/json; charset=UTF-32', 'application/json;;']) {
        await refused(() => send('post', '/api/articles', 'reporter').set('Content-Type', type).send(text), 415);
      }
      await send('post', '/api/articles', 'reporter').set('Content-Type', 'application/json; charset=UTF-8').send(text).expect(201);
    });

    it('strings that are not text (a lone surrogate, U+0000) are 400', async () => {
      for (const headline of ['\\ud800', 'h\\u0000', 'a\\udfffb']) {
        const problem = await refused(
          () =>
            send('post', '/api/articles', 'reporter')
              .set('Content-Type', 'application/json')
              .send(`{"headline":"${headline}","body":[{"type":"paragraph","text":"x"}]}`),
          400,
        );
        expect(problem.errors).toEqual([expect.objectContaining({ field: 'headline', message: expect.stringMatching(/must be text/) })]);
      }
    });

    it('a Content-Length beyond the limit is 413 at once, without waiting for the body', async () => {
      const res = await rawRequest(t.app.getHttpServer(), {
        method: 'POST',
        path: '/api/articles',
        headers: { Authorization: t.auth('reporter'), 'Content-Type': 'application/json', 'Content-Length': largestCommandBytes() + 1 },
        body: '{"headline":',
      });
      expect(res.status).toBe(413);
      // Names the setting, which holds whatever BODY_LIMIT is (not "larger than any valid request").
      expect(JSON.parse(res.body)).toMatchObject({ status: 413, type: '/problems/payload-too-large', detail: expect.stringContaining('BODY_LIMIT') });
    });

    it('an Expect other than 100-continue is 417, as a problem document', async () => {
      const res = await rawRequest(t.app.getHttpServer(), {
        method: 'POST',
        path: '/api/articles',
        headers: { Authorization: t.auth('reporter'), 'Content-Type': 'application/json', Expect: '200-ok', 'Content-Length': 2 },
        body: '{}',
      });
      expect(res.status).toBe(417);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(res.body)).toMatchObject({ status: 417, type: '/problems/expectation-failed', instance: '/api/articles' });
    });

    it('Expect: 100-continue gets 100 only when the body is to be read: over the limit 413, without a valid token 401, not JSON 415, each with no 100 first; within it, 100 then the answer', async () => {
      const server = t.app.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const expectContinue = (length: number, body: string, headers: Record<string, string> = {}) =>
        new Promise<{ informational: number[]; status: number; body: string }>((resolve, reject) => {
          const informational: number[] = [];
          const req = httpRequest({
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/articles',
            headers: { Authorization: t.auth('reporter'), 'Content-Type': 'application/json', 'Content-Length': length, Expect: '100-continue', ...headers },
          });
          req.on('information', (info) => informational.push(info.statusCode));
          // Told to go on: the body goes now. Never told: it is never sent.
          req.on('continue', () => req.end(body));
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              req.destroy();
              resolve({ informational, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
            });
          });
          req.on('error', reject);
          req.flushHeaders();
        });
      const over = await expectContinue(largestCommandBytes() + 1, '');
      expect(over.informational).toEqual([]);
      expect(over.status).toBe(413);
      expect(JSON.parse(over.body)).toMatchObject({ status: 413, type: '/problems/payload-too-large' });
      // Refused before the body is read: no reason to ask the client for it.
      const stranger = await expectContinue(300_000_000, '', { Authorization: 'Bearer not-a-token' });
      expect([stranger.informational, stranger.status]).toEqual([[], 401]);
      const text = await expectContinue(5, 'hello', { 'Content-Type': 'text/plain' });
      expect([text.informational, text.status]).toEqual([[], 415]);
      const body = JSON.stringify({ headline: 'Expect 100-continue', body: [{ type: 'paragraph', text: 'x' }] });
      const within = await expectContinue(Buffer.byteLength(body), body);
      expect(within.informational).toEqual([100]);
      expect(within.status).toBe(201);
    });

    it('an id that is not a UUID is a 400 naming it, on every route', async () => {
      for (const [method, path] of [
        ['get', '/api/articles/not-a-uuid'],
        ['get', '/api/articles/x/history'],
        ['put', '/api/articles/nope/headline'],
        ['get', '/api/articles/x/revisions/0'],
      ] as const) {
        const res = await send(method as 'put', path, 'editor')
          .set('If-Match', '"0"')
          .send({ headline: 'h' })
          .expect(400);
        expect(res.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
      }
      const res = await t.http.get('/api/quotes?articleId=a-pub').set('Authorization', t.auth('reporter')).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'articleId' })]);
    });

    it('query numbers are decimal: 0x10, 1e2, " 5" and revision 01 are 400', async () => {
      const id = await draft();
      for (const limit of ['0x10', '1e2', '%205', '5.0']) {
        const res = await t.http.get(`/api/articles?limit=${limit}`).set('Authorization', t.auth('reporter')).expect(400);
        expect(res.body.errors).toEqual([{ field: 'limit', message: 'must be a decimal integer' }]);
      }
      await t.http.get(`/api/articles/${id}/revisions/01`).set('Authorization', t.auth('reporter')).expect(400);
      await t.http.get(`/api/articles/${id}/revisions/0`).set('Authorization', t.auth('reporter')).expect(200);
    });

    it('a minPosition beyond the end of the log is 400 on the audit reads too', async () => {
      const id = await draft();
      const beyond = (await head()).commit + 1000n;
      for (const path of [`history`, `diff?from=0&to=0`, `blame`, `revisions/0`]) {
        const separator = path.includes('?') ? '&' : '?';
        const res = await t.http.get(`/api/articles/${id}/${path}${separator}minPosition=${beyond}`).set('Authorization', t.auth('reporter')).expect(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'minPosition' })]);
      }
    });

    it('If-Match on a draft: a tag cannot match the collection (412), * can (201)', async () => {
      const body = { headline: 'h', body: [paragraph('x')] };
      await refused(() => send('post', '/api/articles', 'reporter').set('If-Match', 'W/"0"').send(body), 412);
      await refused(() => send('post', '/api/articles', 'reporter').set('If-Match', '"0"').send(body), 412);
      await send('post', '/api/articles', 'reporter').set('If-Match', '*').send(body).expect(201);
    });

    it('If-Match ignores empty list members wherever they are (RFC 9110 §5.6.1.2)', async () => {
      const id = await draft();
      await send('put', `/api/articles/${id}/headline`, 'reporter').set('If-Match', ', "0"').send({ headline: 'Second' }).expect(200);
      await send('put', `/api/articles/${id}/headline`, 'reporter').set('If-Match', '"1",').send({ headline: 'Third' }).expect(200);
    });

    it('a 401 without a bearer token has no error code; problems carry no ETag of their own', async () => {
      const basic = await t.http.get('/api/articles').set('Authorization', 'Basic YTpi').expect(401);
      expect(basic.headers['www-authenticate']).toBe('Bearer realm="newsroom"');
      const bad = await send('post', '/api/articles', 'reporter').send({}).expect(400);
      expect(bad.headers.etag).toBeUndefined();
    });

    it('a search of more than 16 distinct words is 400', async () => {
      const words = Array.from({ length: 17 }, (_, i) => `w${i}`).join(' ');
      const res = await t.http
        .get(`/api/quotes?q=${encodeURIComponent(words)}`)
        .set('Authorization', t.auth('reporter'))
        .expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'q' })]);
      await t.http
        .get(`/api/quotes?q=${encodeURIComponent(words.split(' ').slice(0, 16).join(' '))}`)
        .set('Authorization', t.auth('reporter'))
        .expect(200);
    });

    it('a rebuild takes no body fields', async () => {
      await refused(() => t.http.post('/api/projections/quotes/rebuild').set('Authorization', t.auth('admin')).send({ foo: 1 }), 400);
    });
  });

  describe('media types and content codings', () => {
    const draftText = JSON.stringify({ headline: 'h', body: [{ type: 'paragraph', text: 'x' }] });
    const post = () => send('post', '/api/articles', 'reporter');

    it('a charset other than UTF-8 is 415 (RFC 8259 §8.1)', async () => {
      await refused(() => post().set('Content-Type', 'application/json; charset=latin1').send(draftText), 415);
    });

    it('an unknown Content-Encoding is 415; a gzip header on a body that is not gzip is 400', async () => {
      await refused(() => post().set('Content-Type', 'application/json').set('Content-Encoding', 'xyz').send(draftText), 415);
      await refused(() => post().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(draftText), 400);
    });

    it('a real gzip body is read', async () => {
      const res = await rawRequest(t.app.getHttpServer(), {
        method: 'POST',
        path: '/api/articles',
        headers: { Authorization: t.auth('reporter'), 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: gzipSync(draftText),
      });
      expect(res.status).toBe(201);
    });

    it('a body that is not sent as JSON is 415, not "headline must be a string"', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const problem = await refused(() => post().set('Content-Type', type).send(draftText), 415);
        expect(problem.detail).toMatch(/application\/json/);
      }
    });

    it('a command whose fields are all optional may come without a body', async () => {
      const id = await draft();
      await send('post', `/api/articles/${id}/publish`, 'editor').set('If-Match', '"0"').expect(200);
    });
  });

  describe('HTTP headers mean what RFC 9110 says', () => {
    it('If-Match: a weak tag never matches (412); a list matches when any member does', async () => {
      const id = await draft();
      const headline = (ifMatch: string) => send('put', `/api/articles/${id}/headline`, 'reporter').set('If-Match', ifMatch).send({ headline: randomUUID() });
      await refused(() => headline('W/"0"'), 412);
      await headline('"7", "0"').expect(200);
      await headline('"1","9"').expect(200);
    });

    it('If-Match: unquoted or unbalanced is 400; * names no revision and is 428', async () => {
      const id = await draft();
      const headline = (ifMatch: string) => send('put', `/api/articles/${id}/headline`, 'reporter').set('If-Match', ifMatch).send({ headline: 'New' });
      for (const value of ['0', '"0', '0"', '"0" "1"', 'W/0']) await refused(() => headline(value), 400);
      const star = await refused(() => headline('*'), 428);
      expect(star.detail).toMatch(/ETag/);
    });

    it('a 412 tells the client the current revision, in ETag and in the problem', async () => {
      const id = await draft();
      await send('put', `/api/articles/${id}/headline`, 'reporter').set('If-Match', '"0"').send({ headline: 'Second' }).expect(200);
      const res = await send('put', `/api/articles/${id}/headline`, 'reporter').set('If-Match', '"0"').send({ headline: 'Third' }).expect(412);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body.currentRevision).toBe(1);
    });

    it('a 401 challenges with WWW-Authenticate: Bearer (RFC 6750)', async () => {
      const none = await t.http.get('/api/articles').expect(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="newsroom"');
      const wrong = await t.http.get('/api/articles').set('Authorization', 'Bearer nope').expect(401);
      expect(wrong.headers['www-authenticate']).toBe('Bearer realm="newsroom", error="invalid_token"');
    });

    it('a method the path does not have is 405 with Allow', async () => {
      const id = await draft();
      const res = await send('delete', `/api/articles/${id}/headline`, 'editor').expect(405);
      expect(res.headers.allow).toBe('PUT');
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      const list = await send('patch', '/api/articles', 'editor').expect(405);
      expect(list.headers.allow).toBe('GET, HEAD, POST');
      await t.http.get('/api/nowhere').set('Authorization', t.auth('editor')).expect(404);
    });
  });

  describe('no request monopolises the server', () => {
    it('a diff of ten 20,000-character paragraphs rewritten whole answers, coarse where over budget, with every changed block named', async () => {
      // Words that never repeat: the word diff's worst case (edit distance = all of it).
      const words = (seed: string) =>
        Array.from({ length: 3_300 }, (_, i) => `${seed}${i.toString(36)}`)
          .join(' ')
          .slice(0, 20_000);
      const body = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, type: 'paragraph', text: words(`a${i}x`) }));
      const id = await draft({ headline: 'Long read', body });
      const rewritten = body.map((block, i) => ({ ...block, text: words(`b${i}y`) }));
      await send('put', `/api/articles/${id}/body`, 'reporter').set('If-Match', '"0"').send({ body: rewritten }).expect(200);
      const [diff, health] = await Promise.all([
        t.http.get(`/api/articles/${id}/diff?from=0&to=1`).set('Authorization', t.auth('reporter')).expect(200),
        t.http.get('/health').expect(200),
      ]);
      expect(health.body.status).toBe('ok');
      expect(diff.body.coarse).toBe(true);
      expect(diff.body.body.changed.map((c: { id: string }) => c.id).sort()).toEqual(body.map((b) => b.id).sort());
      const coarse = diff.body.body.changed.filter((c: { coarse?: boolean }) => c.coarse);
      expect(coarse.length).toBeGreaterThan(0);
      for (const change of coarse) {
        expect(change.words).toEqual([
          { op: 'delete', text: change.before.text },
          { op: 'insert', text: change.after.text },
        ]);
      }
    }, 30_000);
  });

  describe('a failed read model is not silent', () => {
    it('/health says degraded, naming the read model, the position and the error; GET /api/projections says failed', async () => {
      const local = await startTestApp();
      try {
        const articleId = randomUUID();
        await appendArticle(
          local.eventStore,
          articleId,
          { id: 'u', name: 'U' },
          {
            type: 'ArticleDrafted',
            data: { articleId, headline: 'h', standfirst: null, body: [], byline: [], draftedAt: '2025-01-01T00:00:00.000Z' },
          },
        );
        // Written past the command side, as a bug or a hand-edited log could: a withdrawal of a quote never attributed.
        const bad = await appendArticle(local.eventStore, articleId, { id: 'u', name: 'U' }, { type: 'QuoteWithdrawn', data: { quoteId: 'never' } });
        // Until quotes has met the event: as_of fails on it too, and may be the first to make /health degraded.
        const health = await waitFor(
          async () => (await local.http.get('/health').expect(200)).body,
          (h) => h.projections.some((p: { name: string; status: string }) => p.name === 'quotes' && p.status === 'failed'),
        );
        expect(health.status).toBe('degraded');
        const quotes = health.projections.find((p: { name: string }) => p.name === 'quotes');
        expect(quotes).toMatchObject({
          status: 'failed',
          failure: { position: bad.position.commit.toString(), eventType: 'QuoteWithdrawn', message: expect.stringMatching(/never attributed/) },
        });
        const statuses = (await local.http.get('/api/projections').set('Authorization', local.auth('reporter')).expect(200)).body;
        expect(statuses.find((s: { name: string }) => s.name === 'quotes')).toMatchObject({ status: 'failed' });
        expect(statuses.find((s: { name: string }) => s.name === 'articles')).toMatchObject({ status: 'live' });
      } finally {
        await local.close();
      }
    });
  });
});

/** Polls `read` until `done` holds: for state with no event to wait on from outside the process. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error('The condition did not hold');
}
