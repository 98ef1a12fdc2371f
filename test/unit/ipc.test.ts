import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Handlers, invoke } from '../../electron/core/ipc-handlers';
import { CHANNELS } from '../../shared/ipc';

// Handlers that must never run: validation stops every bad input before them.
const untouchable = new Proxy({} as Handlers, {
  get: () => () => {
    throw new Error('a handler ran on invalid input');
  },
});

describe('the IPC wrapper', () => {
  it('refuses unknown channels and invalid input with a usage error, never running a handler', async () => {
    expect(await invoke(untouchable, 'keys:nope' as never, undefined)).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(await invoke(untouchable, 'keys:add', { provider: 'anthropic', label: 'a/b', secret: 'x' })).toMatchObject({
      ok: false,
      error: {
        code: 'usage',
        message: `The label "a/b" is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters.`,
      },
    });
    expect(await invoke(untouchable, 'keys:add', { provider: 'anthropic', label: 'a', secret: 's', extra: true })).toMatchObject({
      ok: false,
    });
    expect(await invoke(untouchable, 'agent:plan', { agent: 'claude-code', scope: 'local', cwd: '/x/../etc' })).toMatchObject({
      ok: false,
    });
    expect(await invoke(untouchable, 'agent:plan', { agent: 'claude-code', scope: 'local', cwd: 'relative/dir' })).toMatchObject({
      ok: false,
    });
    // The agent id is validated, and so is what that agent's catalog entry allows.
    expect(await invoke(untouchable, 'agent:plan', { agent: 'vim' })).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(await invoke(untouchable, 'agent:plan', { agent: 'codex', scope: 'local' })).toMatchObject({
      ok: false,
      error: { message: 'Codex CLI has no "local" scope: use user.' },
    });
    expect(await invoke(untouchable, 'agent:plan', { agent: 'gemini-cli', mode: 'helper' })).toMatchObject({ ok: false });
    expect(await invoke(untouchable, 'agent:plan', { agent: 'codex', provider: 'anthropic' })).toMatchObject({ ok: false });
    expect(await invoke(untouchable, 'agent:plan', { agent: 'codex', neutralizeEnv: true })).toMatchObject({ ok: false });
    expect(await invoke(untouchable, 'agent:import-key', { agent: 'claude-code' })).toMatchObject({ ok: false });
    expect(await invoke(untouchable, 'proxy:log', { last: 1e9 })).toMatchObject({ ok: false });
  });

  it('never echoes a secret in a validation error', async () => {
    const secret = 'sk-ant-api03-this-is-the-secret-value-0000';
    const result = await invoke(untouchable, 'keys:add', { provider: 'nope', label: 'ok', secret });
    expect(JSON.stringify(result)).not.toContain(secret);
    const long = await invoke(untouchable, 'keys:add', { provider: 'anthropic', label: 'ok', secret: secret.repeat(300) });
    expect(JSON.stringify(long)).not.toContain(secret);
  });

  it('survives hostile payloads on every channel', async () => {
    const hostile = fc.oneof(
      fc.anything(),
      fc.record({ provider: fc.string(), label: fc.string(), secret: fc.string(), __proto__: fc.constant({ polluted: true }) }),
      fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'provider', 'scope', 'cwd'), fc.anything()),
      fc.string({ maxLength: 100_000 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), hostile, async (channel, input) => {
        const result = await invoke(untouchable, channel, input);
        if (!result.ok) expect(['usage', 'internal']).toContain(result.error.code);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    console.log(`ipc fuzz: 500 hostile payloads over ${CHANNELS.length} channels, all answered with an envelope`);
  });
});

describe('the IPC sender check', () => {
  it("lets only KeyTray's own top-level page call", async () => {
    const { senderAllowed } = await import('../../electron/main/ipc-sender');
    const { isRendererUrl } = await import('../../electron/main/window-url');
    const source = { devUrl: undefined, file: '/opt/KeyTray/resources/app/out/renderer/index.html' };
    const trusted = (url: string) => isRendererUrl(source, url);
    expect(senderAllowed({ url: 'file:///opt/KeyTray/resources/app/out/renderer/index.html', parent: null }, trusted)).toBe(true);
    expect(senderAllowed({ url: 'file:///opt/KeyTray/resources/app/out/renderer/index.html', parent: {} }, trusted)).toBe(false);
    expect(senderAllowed({ url: 'file:///tmp/evil.html', parent: null }, trusted)).toBe(false);
    expect(senderAllowed({ url: 'https://evil.example/', parent: null }, trusted)).toBe(false);
    expect(senderAllowed({ url: 'not a url', parent: null }, trusted)).toBe(false);
    expect(senderAllowed(null, trusted)).toBe(false);
    const dev = { devUrl: 'http://localhost:5173/', file: '' };
    expect(senderAllowed({ url: 'http://localhost:5173/', parent: null }, (u) => isRendererUrl(dev, u))).toBe(true);
    expect(senderAllowed({ url: 'http://localhost:5174/', parent: null }, (u) => isRendererUrl(dev, u))).toBe(false);
  });
});
