/**
 * An answer cut short: the agent goes away after the first event of a stream
 * (Ctrl-C). The input tokens were spent all the same, so the usage read so far
 * is recorded, with the status the upstream gave. The real proxy, a real
 * socket, an upstream that streams one event and then waits.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../electron/core/proxy/proxy';
import type { UsageRecord } from '../../shared/usage';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('usage of an answer the agent walked away from', () => {
  it('is recorded with what had arrived', async () => {
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
