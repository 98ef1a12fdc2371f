/**
 * The proxy on real sockets, between a real client and a local fake upstream:
 * who gets in, what is stripped and injected, streaming without buffering,
 * and every way a request can go wrong.
 */
import { Agent, createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ProxyLimits, type RunningProxy, startProxy } from '../../electron/core/proxy/proxy';
import { bindingToken } from '../../electron/core/proxy/proxy-token';
import type { ProxyLogEntry } from '../../shared/proxy-types';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Upstream {
  url: string;
  seen: { headers: IncomingMessage['headers']; url: string; body: string; remotePort: number | undefined }[];
  server: Server;
  closedEarly: Promise<void>;
  close(): Promise<void>;
}

async function fakeUpstream(handler: Handler): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  let signalClosed: () => void = () => {};
  const closedEarly = new Promise<void>((resolve) => {
    signalClosed = resolve;
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    res.on('close', () => {
      if (!res.writableFinished) signalClosed();
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ headers: req.headers, url: req.url ?? '', body, remotePort: req.socket.remotePort });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    server,
    closedEarly,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function setup(handler: Handler, limits: Partial<ProxyLimits> = {}, upstreamUrl?: string) {
  const t = makeTestEnv();
  const vault = t.vault();
  const key = fakeAnthropicKey();
  await vault.add('anthropic', 'work', key);
  await vault.add('openai', 'ci', 'sk-proj-openaiopenaiopenaiopenai0000');
  const upstream = await fakeUpstream(handler);
  running.push(upstream);
  await vault.configureProvider('anthropic', { baseUrl: upstreamUrl ?? upstream.url });
  await vault.configureProvider('openai', { baseUrl: upstream.url });
  const log: ProxyLogEntry[] = [];
  const proxy: RunningProxy = await startProxy({ vault, port: 0, limits, onLog: (e) => log.push(e) });
  running.push(proxy);
  const token = await vault.proxyToken();
  return { vault, key, token, upstream, proxy, log };
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function send(
  port: number,
  options: { path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/anthropic/v1/messages',
        method: options.method ?? 'POST',
        headers: options.headers,
        ...(options.agent ? { agent: options.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const ok: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
};

describe('who gets through', () => {
  it('forwards with the proxy token, stripping client credentials and injecting the real key', async () => {
    const { key, token, upstream, proxy, log } = await setup(ok);
    const reply = await send(proxy.port, {
      path: '/anthropic/v1/messages?beta=true',
      headers: {
        'x-api-key': token,
        authorization: `Bearer ${token}`,
        cookie: 'session=abc',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'fine-grained-tool-streaming-2025-05-14',
        'x-claude-code-session-id': 'sess-1',
        'content-type': 'application/json',
      },
      body: '{"model":"claude","messages":[]}',
    });
    expect(reply).toMatchObject({ status: 200, body: '{"ok":true}' });
    const arrived = upstream.seen[0];
    expect(arrived?.url).toBe('/v1/messages?beta=true');
    expect(arrived?.headers['x-api-key']).toBe(key);
    expect(arrived?.headers.authorization).toBeUndefined();
    expect(arrived?.headers.cookie).toBeUndefined();
    expect(arrived?.headers['anthropic-version']).toBe('2023-06-01');
    expect(arrived?.headers['anthropic-beta']).toBe('fine-grained-tool-streaming-2025-05-14');
    expect(arrived?.headers['x-claude-code-session-id']).toBe('sess-1');
    expect(arrived?.headers.host).toBe(new URL(upstream.url).host);
    expect(arrived?.body).toBe('{"model":"claude","messages":[]}');
    expect(log).toMatchObject([
      { method: 'POST', path: '/anthropic/v1/messages', status: 200, provider: 'anthropic', label: 'work' },
    ]);
    expect(JSON.stringify(log)).not.toContain(key);
    expect(JSON.stringify(log)).not.toContain(token);
  });

  it('sends a Bearer key on the OpenAI-shaped route', async () => {
    const { token, upstream, proxy } = await setup(ok);
    await send(proxy.port, { path: '/openai/v1/chat/completions', headers: { authorization: `Bearer ${token}` }, body: '{}' });
    expect(upstream.seen[0]?.headers.authorization).toBe('Bearer sk-proj-openaiopenaiopenaiopenai0000');
    expect(upstream.seen[0]?.headers['x-api-key']).toBeUndefined();
    expect(upstream.seen[0]?.url).toBe('/v1/chat/completions');
  });

  it.each([
    ['no token', {}, 401, 'authentication_error'],
    ['a wrong token', { 'x-api-key': 'ktp_wrong' }, 401, 'authentication_error'],
    ['the real key instead of the token', { 'x-api-key': 'REAL' }, 401, 'authentication_error'],
    ['a web page origin', { 'x-api-key': 'TOKEN', origin: 'https://evil.example' }, 403, 'permission_error'],
  ])('refuses %s', async (_name, headers, status, type) => {
    const { key, token, upstream, proxy } = await setup(ok);
    const filled = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v === 'TOKEN' ? token : v === 'REAL' ? key : v]),
    );
    const reply = await send(proxy.port, { headers: filled, body: '{}' });
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body)).toMatchObject({ type: 'error', error: { type } });
    expect(reply.body).not.toContain(key);
    expect(upstream.seen).toHaveLength(0);
  });

  it("sends a named key for that key's own token, and only on its provider's route", async () => {
    const { vault, key, token, upstream, proxy, log } = await setup(ok);
    // Added after the proxy started: the proxy works out the new key's token when it first sees it.
    const personal = fakeAnthropicKey();
    await vault.add('anthropic', 'personal', personal);
    const personalToken = bindingToken(token, { provider: 'anthropic', label: 'personal' });
    expect(personalToken).not.toBe(token);
    expect((await send(proxy.port, { headers: { 'x-api-key': personalToken }, body: '{}' })).status).toBe(200);
    expect((await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' })).status).toBe(200);
    expect(upstream.seen.map((s) => s.headers['x-api-key'])).toEqual([personal, key]);
    expect(log.map((e) => e.label)).toEqual(['personal', 'work']);
    // Another provider's route does not take it.
    const elsewhere = await send(proxy.port, { path: '/openai/v1/models', headers: { 'x-api-key': personalToken } });
    expect(elsewhere.status).toBe(401);
    expect(JSON.parse(elsewhere.body).error.message).toMatch(/for anthropic keys, not \/openai/);
    // A token for a key that is gone gets a sentence saying so; a made-up one gets nothing.
    await vault.remove('anthropic', 'personal');
    // Keys are re-read at most once a second (a request costs no keychain access).
    await new Promise((r) => setTimeout(r, 1100));
    const gone = await send(proxy.port, { headers: { 'x-api-key': personalToken }, body: '{}' });
    expect(gone.status).toBe(502);
    expect(JSON.parse(gone.body).error.message).toMatch(/no Anthropic key named personal/);
    const madeUp = bindingToken('ktp_not-the-install-token', { provider: 'anthropic', label: 'work' });
    expect((await send(proxy.port, { headers: { 'x-api-key': madeUp }, body: '{}' })).status).toBe(401);
    expect(upstream.seen).toHaveLength(2);
  });

  it('refuses a request addressed to another host (DNS rebinding)', async () => {
    const { token, upstream, proxy } = await setup(ok);
    const reply = await send(proxy.port, { headers: { 'x-api-key': token, host: `attacker.example:${proxy.port}` }, body: '{}' });
    expect(reply.status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
    const localhost = await send(proxy.port, { headers: { 'x-api-key': token, host: `localhost:${proxy.port}` }, body: '{}' });
    expect(localhost.status).toBe(200);
  });

  it('refuses methods the APIs do not use (TRACE, CONNECT, PUT…) before anything else', async () => {
    const { token, upstream, proxy } = await setup(ok);
    for (const method of ['TRACE', 'PUT', 'PATCH', 'OPTIONS', 'PROPFIND']) {
      const reply = await send(proxy.port, { method, headers: { 'x-api-key': token } });
      expect(reply.status, method).toBe(405);
    }
    const connect = await rawExchangeText(proxy.port, `CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n\r\n`);
    expect(connect).toMatch(/^HTTP\/1\.1 (400|405) /);
    for (const method of ['GET', 'POST', 'DELETE']) {
      expect((await send(proxy.port, { method, headers: { 'x-api-key': token } })).status, method).toBe(200);
    }
    expect(upstream.seen.map((r) => r.url)).toHaveLength(3);
  });

  it("keeps every request under the provider's base path, whatever dots and encodings it tries", async () => {
    const { token, upstream, proxy, vault } = await setup(ok);
    await vault.configureProvider('anthropic', { baseUrl: `${upstream.url}/gateway/anthropic` });
    for (const path of [
      '/anthropic/../admin',
      '/anthropic/v1/../../admin',
      '/anthropic/%2e%2e/admin',
      '/anthropic/v1/%2E%2e/%2e%2E/admin',
      '/anthropic/.%2e/admin',
      '/anthropic/v1/..%2fadmin',
      '/anthropic/v1/..%5cadmin',
    ]) {
      const reply = await rawExchangeText(
        proxy.port,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\nconnection: close\r\n\r\n`,
      );
      expect(reply, path).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(upstream.seen).toEqual([]);
    expect(
      (await send(proxy.port, { path: '/anthropic/v1/models', method: 'GET', headers: { 'x-api-key': token } })).status,
    ).toBe(200);
    expect(upstream.seen.map((r) => r.url)).toEqual(['/gateway/anthropic/v1/models']);
  });

  it('answers an unknown route with 404', async () => {
    const { token, proxy } = await setup(ok);
    expect((await send(proxy.port, { path: '/v1/messages', headers: { 'x-api-key': token } })).status).toBe(404);
  });
});

describe('streaming', () => {
  it('passes each server-sent event on as it arrives, never buffering', async () => {
    let sendSecond: () => void = () => {};
    const second = new Promise<void>((resolve) => {
      sendSecond = resolve;
    });
    const { token, proxy } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {}\n\n');
      void second.then(() => res.end('event: message_stop\ndata: {}\n\n'));
    });
    const received = await new Promise<string[]>((resolve, reject) => {
      const events: string[] = [];
      const req = request(
        { host: '127.0.0.1', port: proxy.port, path: '/anthropic/v1/messages', method: 'POST', headers: { 'x-api-key': token } },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            events.push(chunk);
            // The first event reached us while the upstream still holds the second.
            if (events.length === 1) sendSecond();
          });
          res.on('end', () => resolve(events));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(received[0]).toBe('event: message_start\ndata: {}\n\n');
    expect(received.join('')).toContain('message_stop');
  });

  it('aborts the upstream request when the client goes away', async () => {
    const { token, upstream, proxy, log } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ping\ndata: {}\n\n');
    });
    await new Promise<void>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: proxy.port, path: '/anthropic/v1/messages', method: 'POST', headers: { 'x-api-key': token } },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => undefined);
      req.end('{}');
    });
    await upstream.closedEarly;
    await waitFor(() => log.length === 1);
    expect(log[0]).toMatchObject({ status: 499, error: 'the client went away' });
  });

  it('breaks the client response when the upstream resets mid-stream', async () => {
    const { token, proxy } = await setup((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {}\n\n');
      setTimeout(() => req.socket.destroy(), 50);
    });
    const outcome = await streamOutcome(proxy.port, token);
    expect(outcome).toBe('broken');
  });
});

describe('backpressure and silence', () => {
  it('stops reading the upstream while the client does not read, and loses nothing', async () => {
    const TOTAL = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    const { token, proxy } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) });
      const pump = () => {
        while (written < TOTAL) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    // A client that reads nothing for a while: the upstream must be held back, not drained into memory.
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    socket.pause();
    socket.write(
      `POST /anthropic/v1/files HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\ncontent-length: 2\r\n\r\n{}`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const heldAt = written;
    expect(heldAt).toBeLessThan(TOTAL / 2);
    const received = await new Promise<number>((resolve, reject) => {
      let head = '';
      let body = 0;
      socket.on('data', (d: Buffer) => {
        if (!head.endsWith('\r\n\r\n')) {
          const text = d.toString('latin1');
          const end = (head + text).indexOf('\r\n\r\n');
          if (end < 0) {
            head += text;
            return;
          }
          body += d.length - (end + 4 - head.length);
          head = (head + text).slice(0, end + 4);
        } else body += d.length;
        if (body >= TOTAL) {
          socket.destroy();
          resolve(body);
        }
      });
      socket.on('error', reject);
      socket.resume();
    });
    expect(received).toBe(TOTAL);
    console.log(
      `proxy backpressure: upstream held at ${Math.round(heldAt / 1048576)} MiB of ${TOTAL / 1048576} while the client read nothing, then all delivered`,
    );
  });

  it('breaks off a stream whose upstream goes quiet past the idle limit', async () => {
    const { token, proxy, log } = await setup(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: ping\ndata: {}\n\n');
      },
      { idleTimeoutMs: 300 },
    );
    const outcome = await streamOutcome(proxy.port, token);
    expect(outcome).toBe('broken');
    expect(log[0]).toMatchObject({ status: 200, error: 'the upstream went quiet' });
  });
});

describe('load', () => {
  it('holds a few hundred concurrent streams, every event delivered, no failure', async () => {
    const STREAMS = 300;
    const { token, proxy, log } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const tick = () => {
        res.write(`data: ${n}\n\n`);
        if (++n === 10) return res.end();
        setTimeout(tick, 10);
      };
      setTimeout(tick, 50);
    });
    const agent = new Agent({ keepAlive: true, maxSockets: STREAMS });
    const bodies = await Promise.all(
      Array.from(
        { length: STREAMS },
        () =>
          new Promise<string>((resolve, reject) => {
            const req = request(
              {
                host: '127.0.0.1',
                port: proxy.port,
                path: '/anthropic/v1/messages',
                method: 'POST',
                agent,
                headers: { 'x-api-key': token },
              },
              (res) => {
                let body = '';
                res.setEncoding('utf8').on('data', (d: string) => {
                  body += d;
                });
                res.on('end', () => resolve(body));
              },
            );
            req.on('error', reject);
            req.end('{}');
          }),
      ),
    );
    agent.destroy();
    expect(bodies.every((b) => b.split('data: ').length === 11)).toBe(true);
    await waitFor(() => log.length === STREAMS);
    expect(log.every((e) => e.status === 200)).toBe(true);
    console.log(`proxy load: ${STREAMS} concurrent streams held, ${STREAMS * 10} events delivered`);
  });
});

describe('limits and failures', () => {
  it('refuses an oversized body, by header and by count', async () => {
    const { token, upstream, proxy } = await setup(ok, { maxBodyBytes: 1024 });
    const declared = await send(proxy.port, {
      headers: { 'x-api-key': token, 'content-length': '5000' },
      body: 'x'.repeat(5000),
    });
    expect(declared.status).toBe(413);
    const chunked = await send(proxy.port, {
      headers: { 'x-api-key': token, 'transfer-encoding': 'chunked' },
      body: 'x'.repeat(5000),
    });
    expect(chunked.status).toBe(413);
    expect(upstream.seen.filter((s) => s.body.length > 1024)).toHaveLength(0);
  });

  it('keeps slots for the agent: clients without a token are evicted oldest first and dropped when they take too long', async () => {
    const { token, proxy } = await setup(ok, {
      maxConnections: 6,
      reservedForAuthenticated: 2,
      unauthenticatedTimeoutMs: 60_000,
    });
    // Strangers fill every slot they may have, and more: each newcomer evicts the oldest.
    const strangers = await Promise.all(Array.from({ length: 8 }, () => openSocket(proxy.port)));
    let evicted = 0;
    await new Promise<void>((resolve) => {
      for (const s of strangers) void s.closed.then(() => ++evicted === 4 && resolve());
    });
    // The agent still gets in, over and over, on keep-alive connections that nobody can evict.
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    for (let i = 0; i < 4; i++) {
      expect((await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}', agent })).status).toBe(200);
    }
    const more = await Promise.all(Array.from({ length: 6 }, () => openSocket(proxy.port)));
    expect((await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}', agent })).status).toBe(200);
    agent.destroy();
    for (const s of [...strangers, ...more]) s.socket.destroy();
  });

  it('drops a connection that shows no valid token in time, even one that keeps talking', async () => {
    const { proxy } = await setup(ok, { unauthenticatedTimeoutMs: 300 });
    const idle = await openSocket(proxy.port);
    await idle.closed;
    const chatty = await openSocket(proxy.port);
    // Bytes of a head that never ends: each one would re-arm a per-byte deadline, not this one.
    const drip = setInterval(() => chatty.socket.write('x'), 20);
    await chatty.closed;
    clearInterval(drip);
  });

  it('refuses oversized headers', async () => {
    const { token, proxy } = await setup(ok, { maxHeaderBytes: 2048 });
    const reply = await rawExchange(
      proxy.port,
      `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\nx-big: ${'a'.repeat(4096)}\r\n\r\n`,
    );
    expect(reply.text).toMatch(/^HTTP\/1.1 431/);
  });

  it('drops a client that sends its headers too slowly (slowloris)', async () => {
    const { proxy } = await setup(ok, { headersTimeoutMs: 300 });
    const reply = await rawExchange(proxy.port, `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n`, {
      keepOpenMs: 10_000,
    });
    expect(reply.closedByServer).toBe(true);
    expect(reply.text === '' || /^HTTP\/1.1 408/.test(reply.text)).toBe(true);
  });

  it.each([
    ['two different Content-Length headers', 'Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
    [
      'Transfer-Encoding with Content-Length',
      'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n',
    ],
    ['an obfuscated Transfer-Encoding', 'Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n'],
    ['a space before the colon', 'Content-Length : 5\r\n\r\nhello'],
  ])('refuses request smuggling shapes: %s', async (_name, rest) => {
    const { token, upstream, proxy } = await setup(ok);
    const reply = await rawExchange(
      proxy.port,
      `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\n${rest}`,
    );
    expect(reply.text).toMatch(/^HTTP\/1.1 400/);
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 502 when the upstream refuses connections', async () => {
    const { token, proxy, log } = await setup(ok, {}, 'http://127.0.0.1:9');
    const reply = await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' });
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).error.message).toMatch(/unreachable \(ECONNREFUSED\)/);
    expect(log[0]).toMatchObject({ status: 502 });
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const { token, proxy } = await setup(() => undefined, { upstreamTimeoutMs: 300 });
    const reply = await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' });
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { type: 'timeout_error' } });
  });

  it('passes upstream errors through untouched', async () => {
    const { token, proxy } = await setup((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}');
    });
    const reply = await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' });
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('7');
    expect(JSON.parse(reply.body).error.type).toBe('rate_limit_error');
  });
});

describe('connections and framing', () => {
  /** An upstream on a bare socket that answers every request head with `answer` (raw bytes). */
  /** A list is written piece by piece, each after the last has gone out (an answer cut across writes). */
  /** With `last`, it writes that and closes instead (an answer whose end is the close). */
  async function rawUpstream(
    answer: (request: string) => string | string[] | null,
    last?: string,
  ): Promise<{ url: string; requests: string[] }> {
    const requests: string[] = [];
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      let buffered = '';
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
          const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
          if (buffered.length < end + 4 + length) return;
          const request = buffered.slice(0, end + 4 + length);
          buffered = buffered.slice(end + 4 + length);
          requests.push(request);
          const reply = answer(request);
          if (reply === null) socket.end(last ?? '', 'latin1');
          else if (typeof reply === 'string') socket.write(reply, 'latin1');
          else {
            const write = (i: number) => {
              if (i < reply.length) socket.write(reply[i] as string, 'latin1', () => setImmediate(() => write(i + 1)));
            };
            write(0);
          }
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    running.push({
      close: () =>
        new Promise<void>((r) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => r());
        }),
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  /** Sends `text` on one connection and reads until `done` says the replies are complete. */
  function converse(port: number, text: string, done: (received: string) => boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      let received = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no complete answer; received: ${received}`));
      }, 3000);
      socket.on('data', (d) => {
        received += d.toString('latin1');
        if (done(received)) {
          clearTimeout(timer);
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      socket.write(text);
    });
  }

  const post = (port: number, token: string, extra = '', body = '{}') =>
    `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nx-api-key: ${token}\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

  it('keeps one upstream connection for requests one after another', async () => {
    const { token, upstream, proxy } = await setup(ok);
    for (let i = 0; i < 5; i++) {
      const reply = await send(proxy.port, { headers: { 'x-api-key': token }, body: `{"n":${i}}` });
      expect(reply.status).toBe(200);
    }
    expect(upstream.seen).toHaveLength(5);
    expect(new Set(upstream.seen.map((s) => s.remotePort)).size).toBe(1);
  });

  it('opens a new upstream connection when the upstream closed an idle one', async () => {
    const { token, upstream, proxy } = await setup(ok);
    expect((await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' })).status).toBe(200);
    // Right away, with no pause: the proxy may reuse the connection before it has seen the close, and must
    // then send the request again on a new one rather than answer 502.
    upstream.server.closeIdleConnections();
    expect((await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' })).status).toBe(200);
    expect(new Set(upstream.seen.map((s) => s.remotePort)).size).toBe(2);
  });

  it('answers pipelined requests in order', async () => {
    const { token, proxy, upstream } = await setup((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // The first answer is slow: the second must still come after it.
      setTimeout(() => res.end(`{"echo":${body}}`), body.includes('1') ? 100 : 0);
    });
    const text = post(proxy.port, token, '', '{"n":1}') + post(proxy.port, token, '', '{"n":2}');
    const received = await converse(proxy.port, text, (r) => r.includes('{"n":2}'));
    expect(received.indexOf('{"echo":{"n":1}}')).toBeGreaterThan(0);
    expect(received.indexOf('{"echo":{"n":1}}')).toBeLessThan(received.indexOf('{"echo":{"n":2}}'));
    expect(upstream.seen.map((s) => s.body)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('answers Expect: 100-continue itself and does not pass the expectation on', async () => {
    const { token, proxy, upstream } = await setup(ok);
    const head = `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\ncontent-length: 2\r\nexpect: 100-continue\r\n\r\n`;
    const received = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: proxy.port });
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
        // The body goes only once the proxy has said to continue.
        if (text === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('{}');
        if (text.includes('{"ok":true}')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.write(head);
    });
    expect(received).toMatch(/^HTTP\/1.1 100 Continue\r\n\r\nHTTP\/1.1 200 OK\r\n/);
    expect(upstream.seen[0]?.headers.expect).toBeUndefined();
  });

  it('refuses HTTP/1.0 with 505', async () => {
    const { proxy } = await setup(ok);
    const reply = await rawExchange(proxy.port, `GET /anthropic/v1/models HTTP/1.0\r\nHost: 127.0.0.1:${proxy.port}\r\n\r\n`);
    expect(reply.text).toMatch(/^HTTP\/1.1 505/);
  });

  it('forwards a chunked request body whole, with its length', async () => {
    const { token, proxy, upstream } = await setup(ok);
    const wire = `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\n{"a\r\n4\r\n":1}\r\n0\r\nx-trailer: t\r\n\r\n`;
    await converse(proxy.port, wire, (r) => r.includes('{"ok":true}'));
    expect(upstream.seen[0]?.body).toBe('{"a":1}');
    expect(upstream.seen[0]?.headers['content-length']).toBe('7');
    expect(upstream.seen[0]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('drops the headers the client names in Connection', async () => {
    const { token, proxy, upstream } = await setup(ok);
    await converse(proxy.port, post(proxy.port, token, 'connection: x-hop\r\nx-hop: 1\r\nx-kept: 2\r\n'), (r) =>
      r.includes('{"ok":true}'),
    );
    expect(upstream.seen[0]?.headers['x-hop']).toBeUndefined();
    expect(upstream.seen[0]?.headers['x-kept']).toBe('2');
  });

  it('passes a chunked answer on byte for byte, trailers included, and the connection stays usable', async () => {
    const answer =
      'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nkeep-alive: timeout=77\r\n\r\n' +
      'f;x=y\r\ndata: {"n":1}\n\n\r\n0\r\nx-checksum: abc\r\n\r\n';
    const raw = await rawUpstream(() => answer);
    const { token, proxy } = await setup(ok, {}, raw.url);
    const two = post(proxy.port, token) + post(proxy.port, token);
    const received = await converse(proxy.port, two, (r) => r.split('x-checksum: abc\r\n\r\n').length === 3);
    const body = 'f;x=y\r\ndata: {"n":1}\n\n\r\n0\r\nx-checksum: abc\r\n\r\n';
    expect(received.split(body)).toHaveLength(3);
    // The upstream's own connection header is not the client's.
    expect(received).not.toContain('timeout=77');
    expect(raw.requests).toHaveLength(2);
  });

  it('passes an answer that ends at the close, then closes the client too', async () => {
    const raw = await rawUpstream(() => null, 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end');
    const { token, proxy, log } = await setup(ok, {}, raw.url);
    // The upstream never says where the body ends; it closes after writing it.
    const reply = await new Promise<{ text: string }>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: proxy.port });
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('close', () => resolve({ text }));
      socket.write(post(proxy.port, token));
    });
    expect(reply.text).toMatch(/^HTTP\/1.1 200 OK\r\n[\s\S]*connection: close\r\n/);
    expect(reply.text.endsWith('\r\n\r\nuntil the end')).toBe(true);
    expect(log[0]).toMatchObject({ status: 200 });
  });

  it('does not wait for a body after a HEAD request', async () => {
    const { token, proxy } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.end();
    });
    const wire = `HEAD /anthropic/v1/models HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\n\r\nGET /anthropic/v1/models HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nx-api-key: ${token}\r\n\r\n`;
    const received = await converse(proxy.port, wire, (r) => r.split('HTTP/1.1 200').length === 3);
    expect(received.split('HTTP/1.1 200')).toHaveLength(3);
  });

  it('keeps the injected key out of an echoing answer: headers, a sized body, a chunked body, a key split across writes', async () => {
    let key = '';
    const raw = await rawUpstream((request) => {
      key = /x-api-key: (\S+)/.exec(request)?.[1] ?? '';
      const body = `{"error":{"message":"invalid x-api-key ${key}"}}`;
      return `HTTP/1.1 401 Unauthorized\r\nx-echo-api-key: ${key}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    });
    const { token, proxy, key: stored } = await setup(ok, {}, raw.url);
    const reply = await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' });
    expect(key).toBe(stored);
    expect(reply.status).toBe(401);
    expect(JSON.stringify(reply.headers)).not.toContain(stored);
    expect(reply.headers['x-echo-api-key']).toBe('*'.repeat(stored.length));
    expect(reply.body).toBe(`{"error":{"message":"invalid x-api-key ${'*'.repeat(stored.length)}"}}`);

    // Chunked, with the key cut between two writes of the upstream (however the bytes arrive, the answer is the same).
    const split = await rawUpstream((request) => {
      const echoed = /x-api-key: (\S+)/.exec(request)?.[1] ?? '';
      const data = `data: ${echoed} done\n\n`;
      const cut = 6 + Math.floor(echoed.length / 2);
      const framed = `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${data.length.toString(16)}\r\n${data}\r\n0\r\n\r\n`;
      const at = framed.indexOf(data) + cut;
      return [framed.slice(0, at), framed.slice(at)];
    });
    const second = await setup(ok, {}, split.url);
    const streamed = await send(second.proxy.port, { headers: { 'x-api-key': second.token }, body: '{}' });
    expect(streamed.status).toBe(200);
    expect(streamed.body).toBe(`data: ${'*'.repeat(second.key.length)} done\n\n`);
  });

  it('answers 502 to a response head with both Transfer-Encoding and Content-Length, and reuses nothing', async () => {
    const raw = await rawUpstream(
      () => 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    const { token, proxy } = await setup(ok, {}, raw.url);
    const reply = await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' });
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).error.message).toMatch(/both Transfer-Encoding and Content-Length/);
    // The connection that sent it is not used again.
    await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' });
    expect(raw.requests).toHaveLength(2);
  });

  it('answers 502 when the upstream sends a malformed answer', async () => {
    const raw = await rawUpstream(() => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nabc');
    const { token, proxy, log } = await setup(ok, {}, raw.url);
    const reply = await send(proxy.port, { headers: { 'x-api-key': token }, body: '{}' });
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).error.message).toMatch(/malformed response \(conflicting Content-Length\)/);
    expect(log[0]).toMatchObject({ status: 502 });
  });
});

/** Reads a streamed answer to its end: 'complete', or 'broken' when the connection breaks first. */
function streamOutcome(port: number, token: string): Promise<'complete' | 'broken'> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/anthropic/v1/messages', method: 'POST', headers: { 'x-api-key': token } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve('complete'));
        res.on('error', () => resolve('broken'));
        res.on('aborted', () => resolve('broken'));
      },
    );
    req.on('error', () => resolve('broken'));
    req.end('{}');
  });
}

/** Writes raw bytes and reads until the connection closes; says whether the server closed it. */
function rawExchange(
  port: number,
  text: string,
  options: { keepOpenMs?: number } = {},
): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let gaveUp = false;
    const timer = setTimeout(() => {
      gaveUp = true;
      socket.destroy();
    }, options.keepOpenMs ?? 3000);
    socket.on('data', (d) => {
      received += d.toString();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: received, closedByServer: !gaveUp });
    });
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Writes raw bytes and returns what came back once the server closes (or after a moment). */
function rawExchangeText(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
    });
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

/** A bare connection to the proxy that sends nothing, with a promise of its closing. */
async function openSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}
