/**
 * KeyTray's OpenCode plugin, run as OpenCode runs it (an ES module whose
 * export is called for its hooks), with a stand-in helper script that
 * counts its runs: the key goes in the header the provider's SDK uses, only
 * to the base URL KeyTray wrote, is kept between requests, and is asked for
 * again after a 401.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pluginText, readPluginSpec } from '../../shared/agents/opencode/plugin';

const dir = mkdtempSync(join(tmpdir(), 'kt-oc-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Hooks = {
  'chat.headers': (input: unknown, output: { headers: Record<string, string> }) => Promise<void>;
  event: (input: { event: unknown }) => Promise<void>;
};

/** A plugin bound to `baseURL`, whose helper prints `value` and counts its runs in a file. */
async function load(name: string, value: string, baseURL = 'http://127.0.0.1:9/openrouter/v1', exit = 0) {
  const runs = join(dir, `${name}.runs`);
  const helper = join(dir, `${name}.sh`);
  writeFileSync(helper, `#!/bin/sh\necho "$*" >> '${runs}'\nprintf '%s\\n' '${value}'\nexit ${exit}\n`);
  chmodSync(helper, 0o700);
  const text = pluginText({ helper, bindings: [{ provider: 'openrouter', baseURL, args: ['openrouter', 'work'] }] });
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, text);
  const module = (await import(pathToFileURL(file).href)) as { KeyTray: () => Promise<Hooks> };
  const hooks = await module.KeyTray();
  const count = () => {
    try {
      return readFileSync(runs, 'utf8').trim().split('\n').length;
    } catch {
      return 0;
    }
  };
  return { hooks, count, text };
}

const request = (providerID: string, baseURL: string, npm = '@openrouter/ai-sdk-provider') => ({
  sessionID: 's',
  agent: 'build',
  model: { id: 'm', providerID, api: { id: 'm', npm } },
  provider: { id: providerID, options: { baseURL, apiKey: 'keytray-plugin' } },
  message: {},
});

describe("KeyTray's OpenCode plugin", () => {
  it('sets Authorization from the helper, keeps it, and asks again after a 401', async () => {
    const { hooks, count } = await load('bearer', 'sk-or-v1-KTCANARYplugintest');
    const base = 'http://127.0.0.1:9/openrouter/v1';
    const first = { headers: {} as Record<string, string> };
    await hooks['chat.headers'](request('openrouter', `${base}/`), first);
    expect(first.headers).toEqual({ authorization: 'Bearer sk-or-v1-KTCANARYplugintest' });
    const second = { headers: {} as Record<string, string> };
    await hooks['chat.headers'](request('openrouter', base), second);
    expect(second.headers.authorization).toBe('Bearer sk-or-v1-KTCANARYplugintest');
    expect(count()).toBe(1);

    await hooks.event({ event: { type: 'session.error', properties: { error: { data: { statusCode: 500 } } } } });
    await hooks['chat.headers'](request('openrouter', base), { headers: {} });
    expect(count()).toBe(1);
    await hooks.event({
      event: { type: 'session.error', properties: { error: { name: 'APIError', data: { statusCode: 401 } } } },
    });
    await hooks['chat.headers'](request('openrouter', base), { headers: {} });
    expect(count()).toBe(2);
  });

  it('sends nothing to another base URL or for another provider', async () => {
    const { hooks, count } = await load('elsewhere', 'sk-or-v1-KTCANARYnever');
    const moved = { headers: {} as Record<string, string> };
    await hooks['chat.headers'](request('openrouter', 'https://evil.example/api/v1'), moved);
    const other = { headers: {} as Record<string, string> };
    await hooks['chat.headers'](request('openai', 'http://127.0.0.1:9/openrouter/v1'), other);
    const inherited = { headers: {} as Record<string, string> };
    await hooks['chat.headers'](request('toString', 'http://127.0.0.1:9/openrouter/v1'), inherited);
    expect([moved.headers, other.headers, inherited.headers]).toEqual([{}, {}, {}]);
    expect(count()).toBe(0);
  });

  it('uses x-api-key for the Anthropic SDK', async () => {
    const { hooks } = await load('anthropic', 'sk-ant-api03-KTCANARYplugintest');
    const output = { headers: {} as Record<string, string> };
    await hooks['chat.headers'](request('openrouter', 'http://127.0.0.1:9/openrouter/v1', '@ai-sdk/anthropic'), output);
    expect(output.headers).toEqual({ 'x-api-key': 'sk-ant-api03-KTCANARYplugintest' });
  });

  it('fails the request with a sentence, not the helper output, when the helper fails, and asks again next time', async () => {
    const { hooks, count } = await load('failing', 'sk-or-v1-KTCANARYpartial', undefined, 3);
    const output = { headers: {} as Record<string, string> };
    const failed = hooks['chat.headers'](request('openrouter', 'http://127.0.0.1:9/openrouter/v1'), output);
    await expect(failed).rejects.toThrow(/KeyTray's helper gave OpenCode no key/);
    await failed.catch((error: Error) => expect(error.message).not.toContain('KTCANARY'));
    expect(output.headers).toEqual({});
    await expect(hooks['chat.headers'](request('openrouter', 'http://127.0.0.1:9/openrouter/v1'), output)).rejects.toThrow();
    expect(count()).toBe(2);
  });

  it('holds no secret, and says what it binds', async () => {
    const { text } = await load('spec', 'sk-or-v1-KTCANARYspec');
    expect(text).not.toContain('KTCANARY');
    expect(readPluginSpec(text)).toEqual({
      helper: join(dir, 'spec.sh'),
      bindings: [{ provider: 'openrouter', baseURL: 'http://127.0.0.1:9/openrouter/v1', args: ['openrouter', 'work'] }],
    });
    expect(readPluginSpec(`// mine\n${text}`)).toBeNull();
  });
});
