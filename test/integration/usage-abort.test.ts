/**
 * Answers the usage scanner cannot or must not read whole. One cut short: the
 * agent goes away after the first event of a stream (Ctrl-C); the input
 * tokens were spent all the same, so the usage read so far is recorded. One
 * compressed although the proxy asked for identity: passed on byte for byte,
 * unread, counted with its tokens unknown. The real proxy, real sockets.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../electron/core/proxy/proxy';
import type { UsageRecord } from '../../shared/usage';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('usage of answers not read whole', () => {
  it('a compressed answer (an upstream ignoring accept-encoding) passes unchanged and counts with unknown tokens', async () => {
    const gzipped = gzipSync(JSON.stringify({ model: 'claude-sonnet-5', usage: { input_tokens: 5, output_tokens: 5 } }));
    const seen: string[] = [];
    const url = await listen(
      createServer((req, res) => {
        seen.push(String(req.headers['accept-encoding']));
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipped));
      }),
    );
    const t = makeTestEnv();
    const vault = t.vault();
    await vault.add('anthropic', 'work', fakeAnthropicKey());
    await vault.configureProvider('anthropic', { baseUrl: url });
    const usage: UsageRecord[] = [];
    const proxy = await startProxy({ vault, port: 0, onUsage: (r) => usage.push(r) });
    closers.push(() => proxy.close());
    const token = await vault.proxyToken();
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: proxy.port,
          path: '/anthropic/v1/messages',
          method: 'POST',
          headers: { 'x-api-key': token, 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(seen).toEqual(['identity']);
    expect(body.equals(gzipped)).toBe(true);
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ status: 200, tokens: null });
  });

  it('an answer the agent walked away from is recorded with what had arrived', async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(
          'event: message_start\ndata: {"type":"message_start","message":{"model":"claude-sonnet-5","usage":{"input_tokens":4321,"cache_read_input_tokens":77,"output_tokens":1}}}\n\n',
        );
        // …and nothing more: the agent leaves first.
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          upstream.closeAllConnections();
          upstream.close(() => resolve());
        }),
    );
    const t = makeTestEnv();
    const vault = t.vault();
    await vault.add('anthropic', 'work', fakeAnthropicKey());
    await vault.configureProvider('anthropic', { baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    const usage: UsageRecord[] = [];
    const proxy: RunningProxy = await startProxy({ vault, port: 0, onUsage: (r) => usage.push(r) });
    closers.push(() => proxy.close());
    const token = await vault.proxyToken();

    await new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: proxy.port,
          path: '/anthropic/v1/messages',
          method: 'POST',
          headers: { 'x-api-key': token, 'content-type': 'application/json' },
        },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => undefined);
      req.end(JSON.stringify({ model: 'claude-sonnet-5', stream: true, max_tokens: 5, messages: [] }));
      req.on('close', () => resolve());
    });
    await expect.poll(() => usage.length).toBe(1);
    expect(usage[0]).toMatchObject({
      provider: 'anthropic',
      label: 'work',
      model: 'claude-sonnet-5',
      status: 200,
      tokens: { input: 4321, cacheRead: 77, cacheWrite: 0, output: 1 },
    });
  });
});
