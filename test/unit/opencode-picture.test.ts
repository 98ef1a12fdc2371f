/**
 * OpenCode's rules as data in, picture out. The conformance suite holds the
 * main cases to the real OpenCode; these pin the corners.
 */
import { describe, expect, it } from 'vitest';
import { computeOpenCodePicture, KEYTRAY_API_KEY, type OpenCodeInputs } from '../../shared/agents/opencode/picture';

const config = '/home/me/.config/opencode/opencode.json';
const base = 'https://openrouter.ai/api/v1';
const inputs = (over: Partial<OpenCodeInputs>): OpenCodeInputs => ({
  cwd: '/home/me/p',
  configPath: config,
  configProblems: [],
  model: { value: 'openrouter/openai/gpt-4o-mini', origin: config },
  providers: {},
  authJson: null,
  env: {},
  envOrigin: 'env:process',
  plugin: null,
  leaks: [],
  ...over,
});
const plugin: OpenCodeInputs['plugin'] = {
  path: '/home/me/.config/opencode/plugins/keytray.js',
  spec: { helper: '/data/claude-key-helper', bindings: [{ provider: 'openrouter', baseURL: base, args: ['openrouter'] }] },
};
const keytrayProvider = {
  openrouter: { baseURL: { value: base, origin: config }, apiKey: { origin: config, kind: 'keytray' as const, masked: null } },
};

describe('the OpenCode picture', () => {
  it("options.apiKey over auth.json over the variable (OpenCode's order, measured)", () => {
    const picture = computeOpenCodePicture(
      inputs({
        providers: { openrouter: { apiKey: { origin: config, kind: 'env', ref: 'MINE', masked: 'sk-or-v1-…1111' } } },
        authJson: {
          path: '/home/me/.local/share/opencode/auth.json',
          entries: { openrouter: { type: 'api', masked: 'sk-or-v1-…2222' } },
        },
        env: { OPENROUTER_API_KEY: 'sk-or-v1-cccccccccccccccccccccccc3333', MINE: 'x' },
      }),
    );
    expect(picture.winner).toBe('options.apiKey {env:MINE}');
    expect(picture.headers.authorization?.masked).toBe('sk-or-v1-…1111');
    expect(picture.tiers.map((t) => [t.source, t.state])).toEqual([
      ['KeyTray plugin', 'absent'],
      ['options.apiKey {env:MINE}', 'wins'],
      ['auth.json', 'shadowed'],
      ['OPENROUTER_API_KEY', 'shadowed'],
    ]);
    expect(picture.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-auth-json']);
    expect(JSON.stringify(picture)).not.toContain('cccccccccccc');
  });

  it("KeyTray's plugin replaces the header, and sends nothing when the base URL is not the one KeyTray wrote", () => {
    const bound = computeOpenCodePicture(
      inputs({
        providers: keytrayProvider,
        plugin,
        helper: { masked: 'sk-or-v1-…abcd', keytray: { provider: 'openrouter', label: 'work' } },
      }),
    );
    expect(bound).toMatchObject({ winner: 'KeyTray plugin', destination: base, warnings: [] });
    expect(bound.headers.authorization).toMatchObject({ masked: 'sk-or-v1-…abcd', detail: 'keytray: openrouter/work' });
    expect(bound.tiers.map((t) => [t.source, t.state])).toEqual([
      ['KeyTray plugin', 'wins'],
      ['options.apiKey', 'shadowed'],
    ]);

    const moved = computeOpenCodePicture(
      inputs({
        providers: {
          openrouter: {
            ...keytrayProvider.openrouter,
            baseURL: { value: 'https://elsewhere.example/v1', origin: '/p/opencode.json' },
          },
        },
        plugin,
        helper: { masked: 'sk-or-v1-…abcd', keytray: { provider: 'openrouter', label: 'work' } },
      }),
    );
    expect(moved.winner).toBe('options.apiKey');
    expect(moved.headers.authorization?.masked).toBeNull();
    expect(moved.warnings.map((w) => w.code)).toContain('keytray-plugin-bypassed');
  });

  it('the placeholder without the plugin, a failing helper, a plaintext key, a key file', () => {
    const missing = computeOpenCodePicture(inputs({ providers: keytrayProvider }));
    expect(missing.warnings.map((w) => w.code)).toEqual(['keytray-plugin-missing']);
    const failing = computeOpenCodePicture(
      inputs({ providers: keytrayProvider, plugin, helper: { masked: null, problem: 'KeyTray has no openrouter key' } }),
    );
    expect(failing.warnings.map((w) => w.code)).toEqual(['helper-will-fail']);
    const literal = computeOpenCodePicture(
      inputs({ providers: { openrouter: { apiKey: { origin: config, kind: 'literal', masked: 'sk-or-v1-…9999' } } } }),
    );
    expect(literal.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-settings']);
    const file = computeOpenCodePicture(
      inputs({ providers: { openrouter: { apiKey: { origin: config, kind: 'file', ref: '/k', masked: 'sk-or-v1-…9999' } } } }),
    );
    expect(file.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-file']);
    expect(file.winner).toBe('options.apiKey {file:/k}');
  });

  it('Anthropic travels in x-api-key; no model, no credential, and the leaks in its log and database', () => {
    const anthropic = computeOpenCodePicture(
      inputs({
        model: { value: 'anthropic/claude-sonnet-4-5', origin: config },
        env: { ANTHROPIC_API_KEY: 'sk-ant-api03-zzzzzzzzzzzzzzzzzzzz' },
      }),
    );
    expect(anthropic).toMatchObject({
      provider: 'anthropic',
      destination: 'https://api.anthropic.com/v1',
      winner: 'ANTHROPIC_API_KEY',
    });
    expect(Object.keys(anthropic.headers)).toEqual(['x-api-key']);
    expect(computeOpenCodePicture(inputs({ model: null })).warnings.map((w) => w.code)).toEqual(['no-model']);
    expect(computeOpenCodePicture(inputs({})).warnings.map((w) => w.code)).toEqual(['no-credential']);
    const leaks = computeOpenCodePicture(
      inputs({
        env: { OPENROUTER_API_KEY: 'sk-or-v1-x' },
        leaks: [
          { path: '/d/log/a.log', keytray: ['openrouter/work'], lookalikes: 0 },
          { path: '/d/opencode.db', keytray: [], lookalikes: 2 },
        ],
      }),
    );
    expect(leaks.warnings.map((w) => [w.code, w.message.split(' ')[0]])).toEqual([
      ['agent-log-holds-key', '/d/log/a.log'],
      ['agent-log-may-hold-key', '/d/opencode.db'],
    ]);
  });

  it('a config file that cannot be read is said, with where', () => {
    const picture = computeOpenCodePicture(inputs({ configProblems: [`${config} is not valid JSON: x at line 2, column 3.`] }));
    expect(picture.warnings[0]).toMatchObject({ code: 'settings-unreadable' });
  });
});

it('the placeholder is no key', () => {
  expect(KEYTRAY_API_KEY).not.toMatch(/^(sk-|ktp_)/);
});
