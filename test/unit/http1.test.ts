/**
 * The proxy's HTTP/1.1 framing as data in, data out: what a request head may
 * look like, how a response is framed, and the chunked decoder against every
 * way a body can be cut into packets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, HttpError, headEnd, parseRequestHead, parseResponseHead } from '../../electron/core/proxy/http1';

const head = (...lines: string[]) => lines.join('\r\n');

function refusal(parse: () => unknown): { status: number; message: string } | null {
  try {
    parse();
    return null;
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { status: error.status, message: error.message };
  }
}

describe('request heads', () => {
  it('reads a model request', () => {
    const parsed = parseRequestHead(
      head(
        'POST /anthropic/v1/messages?beta=true HTTP/1.1',
        'Host: 127.0.0.1:8723',
        'X-Api-Key:  ktp_token \t',
        'Content-Type: application/json',
        'Connection: keep-alive, X-Trace',
        'X-Trace: 1',
        'Content-Length: 42',
      ),
    );
    expect(parsed).toMatchObject({
      method: 'POST',
      target: '/anthropic/v1/messages?beta=true',
      body: { kind: 'length', length: 42 },
      close: false,
      expectContinue: false,
    });
    expect(parsed.headers).toContainEqual(['x-api-key', 'ktp_token']);
    // Hop-by-hop: the standard ones and the ones Connection names.
    expect([...parsed.hopByHop]).toEqual(expect.arrayContaining(['connection', 'keep-alive', 'x-trace']));
  });

  it('reads a chunked body, a close, an expectation', () => {
    expect(
      parseRequestHead(head('POST /a HTTP/1.1', 'Transfer-Encoding: Chunked', 'Connection: close', 'Expect: 100-continue')),
    ).toMatchObject({ body: { kind: 'chunked' }, close: true, expectContinue: true });
    expect(parseRequestHead('GET /a HTTP/1.1')).toMatchObject({ body: { kind: 'length', length: 0 }, headers: [] });
  });

  it.each([
    ['two Content-Length headers', head('POST /a HTTP/1.1', 'Content-Length: 5', 'Content-Length: 5'), 400],
    ['Content-Length with Transfer-Encoding', head('POST /a HTTP/1.1', 'Content-Length: 5', 'Transfer-Encoding: chunked'), 400],
    ['an obfuscated coding', head('POST /a HTTP/1.1', 'Transfer-Encoding: chunked, identity'), 400],
    ['two codings headers', head('POST /a HTTP/1.1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'), 400],
    ['a signed length', head('POST /a HTTP/1.1', 'Content-Length: +5'), 400],
    ['a huge length', head('POST /a HTTP/1.1', `Content-Length: ${'9'.repeat(20)}`), 400],
    ['a space before the colon', head('POST /a HTTP/1.1', 'Content-Length : 5'), 400],
    ['a folded line', head('POST /a HTTP/1.1', 'X-A: 1', ' folded'), 400],
    ['a line without a colon', head('POST /a HTTP/1.1', 'nonsense'), 400],
    ['a bare LF in a value', head('POST /a HTTP/1.1', 'X-A: 1\nContent-Length: 5'), 400],
    ['a bare CR in a value', head('POST /a HTTP/1.1', 'X-A: 1\rB'), 400],
    ['a NUL in a value', head('POST /a HTTP/1.1', 'X-A: 1\u0000'), 400],
    ['two hosts', head('POST /a HTTP/1.1', 'Host: 127.0.0.1:1', 'Host: evil.example'), 400],
    ['an absolute target', 'GET http://evil.example/ HTTP/1.1', 400],
    ['a target with a space', 'GET /a b HTTP/1.1', 400],
    ['a target with a raw non-ASCII byte', 'GET /\u00e9 HTTP/1.1', 400],
    ['a lower-case version', 'GET /a http/1.1', 400],
    ['HTTP/1.0', 'GET /a HTTP/1.0', 505],
    ['HTTP/2', 'GET /a HTTP/2.0', 505],
    ['an unknown expectation', head('POST /a HTTP/1.1', 'Expect: 200-ok'), 417],
    ['a method with a slash', 'PO/ST /a HTTP/1.1', 400],
  ])('refuses %s', (_name, text, status) => {
    expect(refusal(() => parseRequestHead(text))?.status).toBe(status);
  });

  it('never throws anything but an HttpError, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        refusal(() => parseRequestHead(text));
      }),
      { numRuns: 2000 },
    );
    console.log('http1 fuzz: 2000 random request heads, each refused or read without a crash');
  });
});

describe('response heads', () => {
  it('reads the framing', () => {
    expect(parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 12', 'Connection: keep-alive'))).toMatchObject({
      status: 200,
      reason: 'OK',
      length: 12,
      chunked: false,
      close: false,
    });
    expect(parseResponseHead(head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'))).toMatchObject({
      chunked: true,
      length: null,
    });
    // Both: how responses are smuggled. RFC 9112 section 6.3 lets a recipient treat it as an error; the proxy does.
    expect(() => parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 3', 'Transfer-Encoding: chunked'))).toThrow(
      /both Transfer-Encoding and Content-Length/,
    );
    expect(parseResponseHead(head('HTTP/1.1 429 Too Many Requests', 'Connection: close'))).toMatchObject({
      status: 429,
      close: true,
    });
    expect(parseResponseHead('HTTP/1.0 200 OK')).toMatchObject({ close: true, length: null });
    expect(parseResponseHead('HTTP/1.1 204')).toMatchObject({ status: 204, reason: '' });
  });

  it.each([
    ['conflicting lengths', head('HTTP/1.1 200 OK', 'Content-Length: 3', 'Content-Length: 4')],
    ['chunked not last', head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, gzip')],
    ['a malformed status line', 'HTTP/1.1 20 OK'],
    ['a control character', head('HTTP/1.1 200 OK', 'X-A: \u0001')],
  ])('refuses %s with 502', (_name, text) => {
    expect(refusal(() => parseResponseHead(text))).toMatchObject({ status: 502, message: /malformed response/ });
  });
});

/** Encodes `body` in chunks of the given sizes, with optional extensions and trailers. */
function chunked(body: Buffer, sizes: number[], extension: boolean, trailers: string[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= body.length) break;
    const piece = body.subarray(at, at + size);
    at += piece.length;
    parts.push(Buffer.from(`${piece.length.toString(16)}${extension ? ';name="v"' : ''}\r\n`), piece, Buffer.from('\r\n'));
  }
  if (at < body.length) {
    const piece = body.subarray(at);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailers.map((t) => `${t}\r\n`).join('')}\r\n`));
  return Buffer.concat(parts);
}

/** Feeds `wire` in packets cut at `cuts`; returns the decoded body and the bytes consumed. */
function feed(decoder: ChunkedDecoder, wire: Buffer, cuts: number[]): { body: Buffer; consumed: number } {
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let consumed = 0;
  let previous = 0;
  for (const point of [...points, wire.length]) {
    const packet = wire.subarray(previous, point);
    previous = point;
    if (decoder.done) break;
    consumed += decoder.push(packet, (chunk) => out.push(Buffer.from(chunk)));
  }
  return { body: Buffer.concat(out), consumed };
}

describe('the chunked decoder', () => {
  it('decodes any body, cut into any packets, and stops exactly at its end', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.constantFrom('x-checksum: abc', 'x-b: 1'), { maxLength: 2 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bytes, sizes, extension, trailers, cuts) => {
          const body = Buffer.from(bytes);
          const message = chunked(body, sizes, extension, trailers);
          // What follows the body on the connection belongs to the next message.
          const next = Buffer.from('GET /next HTTP/1.1\r\n\r\n');
          const decoder = new ChunkedDecoder();
          const result = feed(decoder, Buffer.concat([message, next]), cuts);
          expect(decoder.done).toBe(true);
          expect(result.body.equals(body)).toBe(true);
          expect(result.consumed).toBe(message.length);
        },
      ),
      { numRuns: 1000 },
    );
    console.log('chunked fuzz: 1000 bodies cut into random packets, each decoded whole and stopped at its end');
  });

  it.each([
    ['a size that is not hex', 'zz\r\nab\r\n0\r\n\r\n'],
    ['a negative size', '-1\r\nab\r\n0\r\n\r\n'],
    ['a chunk longer than its size', '2\r\nabc\r\n0\r\n\r\n'],
    ['a bare LF after the size', '2\nab\r\n0\r\n\r\n'],
    ['a size too large to hold', `${'f'.repeat(20)}\r\n`],
    ['a control character in an extension', '2;a\u0001\r\nab\r\n0\r\n\r\n'],
    ['a bare LF in a trailer', '0\r\nx: 1\n\r\n'],
  ])('refuses %s', (_name, wire) => {
    expect(refusal(() => new ChunkedDecoder().push(Buffer.from(wire)))?.status).toBe(400);
  });

  it('reports an upstream framing error as 502', () => {
    expect(refusal(() => new ChunkedDecoder(502).push(Buffer.from('x\r\n')))).toMatchObject({
      status: 502,
      message: /malformed response/,
    });
  });
});

describe('headEnd', () => {
  it('finds the first blank line as indexOf does, in any bytes', () => {
    const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a.map((b) => [13, 10, 0x41, 0][b % 4] as number)));
    fc.assert(fc.property(bytes, (buffer) => headEnd(buffer) === buffer.indexOf('\r\n\r\n')));
  });
});
