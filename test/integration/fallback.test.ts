/**
 * The opt-in fallback key: with a provider's fallback on, an answer of 429 or
 * 5xx to its active key is retried once, with the provider's next key, before
 * a byte of it reaches the agent; and logged. The real proxy and keychain, a
 * fake upstream that fails on demand.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../electron/core/proxy/proxy';
import { bindingToken } from '../../electron/core/proxy/proxy-token';
import type { ProxyLogEntry } from '../../shared/proxy-types';
import type { UsageRecord } from '../../shared/usage';
import { type FakeUsageUpstream, startFakeUsageUpstream } from '../support/fake-usage-upstream';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

let upstream: FakeUsageUpstream;
beforeAll(async () => {
  upstream = await startFakeUsageUpstream();
});
afterAll(async () => {
  await upstream.close();
});
const running: RunningProxy[] = [];
afterEach(async () => {
  upstream.failNext.length = 0;
  upstream.hintFailures = false;
  for (const proxy of running.splice(0)) await proxy.close();
});

async function setup(fallback: boolean) {
  const t = makeTestEnv();
  const vault = t.vault();
  const keys = { first: fakeAnthropicKey(), second: fakeAnthropicKey() };
  await vault.add('anthropic', 'first', keys.first);
  await vault.add('anthropic', 'second', keys.second);
  await vault.configureProvider('anthropic', { baseUrl: upstream.url });
  if (fallback) await vault.setFallback('anthropic', true);
  const log: ProxyLogEntry[] = [];
  const usage: UsageRecord[] = [];
  const proxy = await startProxy({ vault, port: 0, onLog: (e) => log.push(e), onUsage: (r) => usage.push(r) });
  running.push(proxy);
  const token = await vault.proxyToken();
  const ask = async (headers: Record<string, string> = { 'x-api-key': token }) => {
    const res = await fetch(`http://127.0.0.1:${proxy.port}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    });
    return { status: res.status, body: await res.text() };
  };
  return { keys, log, usage, ask, token };
}

describe('the fallback key', () => {
  it.each([429, 500, 503, 529])(
    'on: a %i is retried once with the next key, and the agent sees only the answer',
    async (status) => {
      const { keys, log, usage, ask } = await setup(true);
      const before = upstream.reported.length;
      upstream.failNext.push(status);
      const reply = await ask();
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('pong');
      const sent = upstream.reported.slice(before);
      expect(
        sent.map((r) => [r.credential === keys.first ? 'first' : r.credential === keys.second ? 'second' : '?', r.status]),
      ).toEqual([
        ['first', status],
        ['second', 200],
      ]);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        status: 200,
        label: 'second',
        note: `first got ${status}; retried once with the fallback key second`,
      });
      expect(usage.map((r) => [r.label, r.status, r.fallbackFrom])).toEqual([
        ['first', status, undefined],
        ['second', 200, 'first'],
      ]);
      expect(usage[1]?.tokens).toEqual(sent[1]?.tokens);
    },
  );

  it('on: retries once only; a second failure goes to the agent as it came', async () => {
    const { log, ask } = await setup(true);
    const before = upstream.reported.length;
    upstream.failNext.push(503, 503);
    const reply = await ask();
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('fake upstream: try later');
    expect(upstream.reported.length - before).toBe(2);
    expect(log[0]).toMatchObject({ status: 503, label: 'second' });
  });

  it('off: a 429 goes to the agent, with no second request', async () => {
    const { log, ask } = await setup(false);
    const before = upstream.reported.length;
    upstream.failNext.push(429);
    expect((await ask()).status).toBe(429);
    expect(upstream.reported.length - before).toBe(1);
    expect(log[0]?.note).toBeUndefined();
  });

  it('on: not a 4xx other than 429 (the request itself is wrong; another key would not help)', async () => {
    const { ask } = await setup(true);
    const before = upstream.reported.length;
    upstream.failNext.push(400);
    expect((await ask()).status).toBe(400);
    expect(upstream.reported.length - before).toBe(1);
  });

  it('on: not once a byte of the answer (an early hint) has reached the agent', async () => {
    const { ask } = await setup(true);
    const before = upstream.reported.length;
    upstream.hintFailures = true;
    upstream.failNext.push(429);
    expect((await ask()).status).toBe(429);
    expect(upstream.reported.length - before).toBe(1);
  });

  it('on: not for a request bound to a named key, which keeps to that key', async () => {
    const t = await setup(true);
    const before = upstream.reported.length;
    upstream.failNext.push(429);
    const bound = bindingToken(t.token, { provider: 'anthropic', label: 'first' });
    expect((await t.ask({ 'x-api-key': bound })).status).toBe(429);
    expect(upstream.reported.length - before).toBe(1);
  });
});
